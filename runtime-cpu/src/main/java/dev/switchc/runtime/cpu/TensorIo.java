package dev.switchc.runtime.cpu;

import dev.switchc.ir.TensorType;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.Bf16;
import dev.switchc.runtime.HostTensor;
import java.util.Arrays;
import org.tensorflow.RawTensor;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Copies between {@link HostTensor}s and native TensorFlow tensors in bulk through the raw byte
 * buffer (native byte order): per-element NdArray access is far too slow for large tensors.
 */
final class TensorIo {
  private TensorIo() {}

  /** A new native tensor holding {@code h}'s data; the caller owns (and must close) it. */
  static Tensor toNative(HostTensor h) {
    org.tensorflow.ndarray.Shape shape = TfTypes.shape(h.shape());
    Tensor t =
        switch (h.dtype()) {
          case F32 -> TFloat32.tensorOf(shape);
          case BF16 -> TBfloat16.tensorOf(shape);
          case F64 -> TFloat64.tensorOf(shape);
          case I32 -> TInt32.tensorOf(shape);
          case PRED, U32 -> throw new IllegalArgumentException("pred tensors are rejected before this point");
        };
    try {
      ByteDataBuffer bytes = t.asRawTensor().data();
      switch (h.dtype()) {
        case F32 -> bytes.asFloats().write(h.floatBuffer());
        case BF16 -> bytes.asShorts().write(bf16Bits(h.floatBuffer()));
        case F64 -> bytes.asDoubles().write(h.doubleBuffer());
        case I32 -> bytes.asInts().write(h.intBuffer());
        case PRED, U32 -> throw new AssertionError(h.dtype());
      }
      return t;
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
  }

  /**
   * Reads a native result into a new {@link HostTensor} after checking it is what the port says.
   * XLA's {@code Tout} is not checked against the module, so a disagreement must stop here rather
   * than be read as bits of another type.
   */
  static HostTensor fromNative(Tensor t, Port port) {
    TensorType want = port.type();
    RawTensor raw = t.asRawTensor();
    long[] gotDims = raw.shape().asArray();
    boolean sameType = raw.dataType() == TfTypes.dataType(want.dtype());
    boolean sameShape = Arrays.equals(gotDims, TfTypes.sizes(want.shape()));
    if (!sameType || !sameShape || raw.numBytes() != want.bytes())
      throw new IllegalStateException(
          "output '" + port.name() + "': XLA returned " + raw.dataType() + Arrays.toString(gotDims) + " ("
              + raw.numBytes() + " bytes) but the module signature says " + want + " (" + want.bytes()
              + " bytes); the signature and the module disagree");
    int n = (int) want.shape().elements();
    ByteDataBuffer bytes = raw.data();
    return switch (want.dtype()) {
      case F32 -> {
        float[] out = new float[n];
        bytes.asFloats().read(out);
        yield HostTensor.adoptFloats(want, out);
      }
      case BF16 -> {
        short[] bits = new short[n];
        bytes.asShorts().read(bits);
        yield HostTensor.adoptFloats(want, bf16Floats(bits));
      }
      case F64 -> {
        double[] out = new double[n];
        bytes.asDoubles().read(out);
        yield HostTensor.adoptDoubles(want, out);
      }
      case I32 -> {
        int[] out = new int[n];
        bytes.asInts().read(out);
        yield HostTensor.adoptInts(want, out);
      }
      case PRED, U32 -> throw new AssertionError(want);
    };
  }

  /** A BF16 HostTensor's floats are bf16-exact, so the top 16 bits are the whole value. */
  private static short[] bf16Bits(float[] values) {
    short[] bits = new short[values.length];
    for (int i = 0; i < values.length; i++) bits[i] = (short) (Float.floatToRawIntBits(values[i]) >>> 16);
    return bits;
  }

  private static float[] bf16Floats(short[] bits) {
    float[] out = new float[bits.length];
    for (int i = 0; i < bits.length; i++) out[i] = Bf16.fromBits(bits[i]);
    return out;
  }
}
