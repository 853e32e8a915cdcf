package dev.switchc.runtime.cpu.spmd;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Hand-built SPMD modules for tests: a per-device body written op by op, wrapped in the entry JAX
 * emits for shard_map (global arguments, @Sharding, @SPMDFullToShardShape, the call, and back).
 */
final class Spmd {
  private Spmd() {}

  static HloType f32(long... dims) {
    return new HloType(DType.F32, Arrays.stream(dims).boxed().toList());
  }

  static HloType i32(long... dims) {
    return new HloType(DType.I32, Arrays.stream(dims).boxed().toList());
  }

  /** Dim 0 cut into {@code devices} tiles, device d holding tile d. */
  static HloSharding rows(int rank, int devices) {
    List<Long> tiles = new ArrayList<>();
    tiles.add((long) devices);
    for (int i = 1; i < rank; i++) tiles.add(1L);
    return new HloSharding(HloSharding.Kind.TILED, tiles, List.of(devices), List.of(0), false);
  }

  /** A per-device function under construction. */
  static final class Body {
    private final List<HloValue> args = new ArrayList<>();
    private final List<HloOp> ops = new ArrayList<>();
    private int next = 100;

    HloValue arg(HloType t) {
      HloValue v = new HloValue(next++, t);
      args.add(v);
      return v;
    }

    /** Appends the op made from a fresh result value of type {@code t}. */
    HloValue op(HloType t, Function<HloValue, HloOp> make) {
      HloOp op = make.apply(new HloValue(next++, t));
      ops.add(op);
      return op.result();
    }

    HloFunc build(List<HloValue> returns) {
      return new HloFunc("shmap_body", args, ops, returns);
    }
  }

  /** A port: ([global type], sharding). */
  record Arg(String name, HloType global, HloSharding sharding) {}

  /** The SPMD module running {@code body} with global ports {@code in} and {@code out}. */
  static HloModule module(int devices, List<Arg> in, HloFunc body, List<Arg> out) {
    List<HloOp> ops = new ArrayList<>();
    int[] next = {0};
    List<HloValue> args = new ArrayList<>(), locals = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      HloValue a = new HloValue(next[0]++, in.get(i).global());
      args.add(a);
      HloOp s = new HloOp.ShardingCall(new HloValue(next[0]++, a.type()), HloOp.ShardingTarget.SHARDING, a, in.get(i).sharding());
      HloOp m = new HloOp.ShardingCall(new HloValue(next[0]++, body.args().get(i).type()), HloOp.ShardingTarget.FULL_TO_SHARD, s.result(), HloSharding.MANUAL);
      ops.add(s);
      ops.add(m);
      locals.add(m.result());
    }
    List<HloValue> results = new ArrayList<>();
    for (HloValue r : body.returns()) results.add(new HloValue(next[0]++, r.type()));
    ops.add(new HloOp.Call(results, body.name(), locals));
    List<HloValue> returns = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      HloOp m = new HloOp.ShardingCall(new HloValue(next[0]++, results.get(i).type()), HloOp.ShardingTarget.SHARDING, results.get(i), HloSharding.MANUAL);
      HloOp f = new HloOp.ShardingCall(new HloValue(next[0]++, out.get(i).global()), HloOp.ShardingTarget.SHARD_TO_FULL, m.result(), out.get(i).sharding());
      ops.add(m);
      ops.add(f);
      returns.add(f.result());
    }
    return new HloModule("test", new HloFunc("main", args, ops, returns), List.of(body), in.stream().map(Arg::name).toList(),
        out.stream().map(Arg::name).toList(), devices, in.stream().map(Arg::sharding).toList(), out.stream().map(Arg::sharding).toList());
  }

  /** The global signature of a hand-built module: dims named d0, d1, ... */
  static ModuleSignature signature(List<Arg> in, List<Arg> out) {
    return new ModuleSignature(in.stream().map(a -> new Port(a.name(), tensorType(a.global()))).toList(),
        out.stream().map(a -> new Port(a.name(), tensorType(a.global()))).toList());
  }

  static TensorType tensorType(HloType t) {
    List<Dim> dims = new ArrayList<>();
    for (int i = 0; i < t.rank(); i++) dims.add(new Dim("d" + i, t.dims().get(i)));
    return new TensorType(t.dtype(), new Shape(dims));
  }

  /** A row-major n-d float array, for plain-Java references. */
  record Nd(long[] dims, float[] data) {
    static Nd of(float[] data, long... dims) {
      return new Nd(dims, data);
    }

    int size() {
      return data.length;
    }

    long stride(int dim) {
      long s = 1;
      for (int i = dim + 1; i < dims.length; i++) s *= dims[i];
      return s;
    }

    /** Elements [start, start + length) along {@code dim}. */
    Nd slice(int dim, long start, long length) {
      long[] out = dims.clone();
      out[dim] = length;
      long inner = stride(dim), outer = data.length / (dims[dim] * inner);
      float[] r = new float[(int) (outer * length * inner)];
      for (long o = 0; o < outer; o++)
        System.arraycopy(data, (int) ((o * dims[dim] + start) * inner), r, (int) (o * length * inner), (int) (length * inner));
      return new Nd(out, r);
    }

    static Nd concat(List<Nd> parts, int dim) {
      long[] out = parts.get(0).dims.clone();
      out[dim] = parts.stream().mapToLong(p -> p.dims[dim]).sum();
      long inner = parts.get(0).stride(dim), outer = parts.get(0).data.length / (parts.get(0).dims[dim] * inner);
      float[] r = new float[(int) (outer * out[dim] * inner)];
      int at = 0;
      for (long o = 0; o < outer; o++)
        for (Nd p : parts) {
          int n = (int) (p.dims[dim] * inner);
          System.arraycopy(p.data, (int) (o * n), r, at, n);
          at += n;
        }
      return new Nd(out, r);
    }
  }
}
