package dev.switchc.frontend;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.Value;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Training-mode randomness as IR (README "Model semantics", Noise): a counter-based hash of the
 * seed, the site's name and each element's global coordinates, so the numbers do not depend on
 * how the tensor is sharded, and the seed is an input of the program, never hidden state.
 */
public final class Noise {
  private Noise() {}

  /**
   * {@code h >>> 8}, in {@code [0, 2^24)}, as i32, for every element of {@code shape}:
   * {@code h = mix(seed ^ fnv1a32(site))}, then {@code h = mix(h + c_k)} per dimension in order.
   */
  static Value bits(FuncBuilder.Ops b, Value seed, String site, Shape shape) {
    Value h = mix(b, b.binary(Op.BinaryFn.XOR, b.cast(seed, DType.U32), u32(b, fnv1a32(site))));
    for (Dim d : shape.dims()) {
      Value coordinate = b.cast(b.iota(DType.I32, Shape.of(d), d.name()), DType.U32);
      h = mix(b, b.add(h, coordinate));
    }
    return b.cast(b.binary(Op.BinaryFn.SHR, h, u32(b, 8)), DType.I32);
  }

  /**
   * Inverted dropout of {@code x} at rate {@code rate} (0 returns {@code x}): an element is kept iff
   * its bits reach {@code ceil(rate * 2^24)}, and kept elements are scaled by {@code 1 / (1 - rate)}.
   */
  public static Value dropout(FuncBuilder.Ops b, Value x, Value seed, String site, double rate) {
    if (rate == 0) return x;
    long threshold = new BigDecimal(Double.toString(rate)).multiply(BigDecimal.valueOf(1L << 24)).setScale(0, RoundingMode.CEILING).longValueExact();
    Value keep = b.compare(Op.Cmp.GE, bits(b, seed, site, x.shape()), b.scalar(threshold, DType.I32));
    return b.select(keep, b.mul(x, b.scalar(1 / (1 - rate), x.dtype())), b.scalar(0, x.dtype()));
  }

  /** {@code x * (1 - eps + 2 eps u)} with {@code u} uniform in [0, 1) per element (router jitter); f32 {@code x}. */
  public static Value jitter(FuncBuilder.Ops b, Value x, Value seed, String site, double eps) {
    if (eps == 0) return x;
    Value u = b.mul(b.cast(bits(b, seed, site, x.shape()), DType.F32), b.scalar(0x1p-24, DType.F32));
    return b.mul(x, b.add(b.mul(u, b.scalar(2 * eps, DType.F32)), b.scalar(1 - eps, DType.F32)));
  }

  /** lowbias32 (C. Wellons): a fast 32-bit integer hash with good avalanche. */
  private static Value mix(FuncBuilder.Ops b, Value x) {
    x = b.binary(Op.BinaryFn.XOR, x, b.binary(Op.BinaryFn.SHR, x, u32(b, 16)));
    x = b.mul(x, u32(b, 0x7feb352dL));
    x = b.binary(Op.BinaryFn.XOR, x, b.binary(Op.BinaryFn.SHR, x, u32(b, 15)));
    x = b.mul(x, u32(b, 0x846ca68bL));
    return b.binary(Op.BinaryFn.XOR, x, b.binary(Op.BinaryFn.SHR, x, u32(b, 16)));
  }

  private static Value u32(FuncBuilder.Ops b, long v) {
    return b.scalar(v, DType.U32);
  }

  /** 32-bit FNV-1a of the UTF-8 bytes of {@code s}, unsigned. */
  static long fnv1a32(String s) {
    int h = 0x811c9dc5;
    for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= c & 0xff;
      h *= 0x01000193;
    }
    return Integer.toUnsignedLong(h);
  }
}
