package dev.switchc.runtime;

import dev.switchc.ir.DType;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import java.util.Arrays;

/**
 * A tensor in Java memory: a {@link TensorType} (dtype and named shape) and its elements in
 * row-major order of the shape's dimensions. F32 and BF16 keep a {@code float[]} (a BF16 tensor's
 * floats are always exactly representable in bf16: the factories round), F64 a {@code double[]},
 * I32 an {@code int[]}.
 * PRED is not a runtime input or output type; a module converts it to i32 at its boundary.
 *
 * <p>Immutable: the factories copy the caller's array and the accessors return copies, so a
 * tensor can be shared between threads and reused across runs.
 */
public final class HostTensor {
  private final TensorType type;
  private final float[] floats; // F32, BF16; null otherwise
  private final double[] doubles; // F64; null otherwise
  private final int[] ints; // I32; null otherwise

  private HostTensor(TensorType type, float[] floats, double[] doubles, int[] ints) {
    this.type = type;
    this.floats = floats;
    this.doubles = doubles;
    this.ints = ints;
  }

  // ---- factories (all copy) ----

  public static HostTensor f32(Shape shape, float[] data) {
    return ofFloats(new TensorType(DType.F32, shape), data);
  }

  /** A BF16 tensor from floats, each rounded to the nearest bf16 value (ties to even). */
  public static HostTensor bf16(Shape shape, float[] data) {
    return ofFloats(new TensorType(DType.BF16, shape), data);
  }

  public static HostTensor f64(Shape shape, double[] data) {
    return ofDoubles(new TensorType(DType.F64, shape), data);
  }

  public static HostTensor i32(Shape shape, int[] data) {
    return ofInts(new TensorType(DType.I32, shape), data);
  }

  /** An F32 or BF16 tensor; for BF16 every value is rounded to nearest even. */
  public static HostTensor ofFloats(TensorType type, float[] data) {
    requireSupported(type);
    if (type.dtype() != DType.F32 && type.dtype() != DType.BF16)
      throw new RuntimeInputException("cannot build a " + type + " tensor from floats; use ofInts for i32 and ofDoubles for f64");
    requireLength(type, data == null ? -1 : data.length);
    float[] copy = data.clone();
    if (type.dtype() == DType.BF16) for (int i = 0; i < copy.length; i++) copy[i] = Bf16.roundToBf16(copy[i]);
    return new HostTensor(type, copy, null, null);
  }

  public static HostTensor ofDoubles(TensorType type, double[] data) {
    requireSupported(type);
    if (type.dtype() != DType.F64)
      throw new RuntimeInputException("cannot build a " + type + " tensor from doubles; use ofFloats for f32 and bf16, ofInts for i32");
    requireLength(type, data == null ? -1 : data.length);
    return new HostTensor(type, null, data.clone(), null);
  }

  public static HostTensor ofInts(TensorType type, int[] data) {
    requireSupported(type);
    if (type.dtype() != DType.I32)
      throw new RuntimeInputException("cannot build a " + type + " tensor from ints; use ofFloats for f32 and bf16, ofDoubles for f64");
    requireLength(type, data == null ? -1 : data.length);
    return new HostTensor(type, null, null, data.clone());
  }

  /** A tensor of zeros of the given type. */
  public static HostTensor zeros(TensorType type) {
    requireSupported(type);
    int n = elementCount(type);
    return switch (type.dtype()) {
      case I32 -> new HostTensor(type, null, null, new int[n]);
      case F64 -> new HostTensor(type, null, new double[n], null);
      default -> new HostTensor(type, new float[n], null, null);
    };
  }

  /**
   * For runtimes: wraps an array a runtime just filled from native memory, without a copy or
   * rounding; the caller gives the array up. The length must match the type.
   */
  public static HostTensor adoptFloats(TensorType type, float[] data) {
    requireSupported(type);
    if (type.dtype() != DType.F32 && type.dtype() != DType.BF16) throw new IllegalArgumentException("adoptFloats for " + type);
    requireLength(type, data.length);
    return new HostTensor(type, data, null, null);
  }

  /** For runtimes: {@link #adoptFloats} for f64. */
  public static HostTensor adoptDoubles(TensorType type, double[] data) {
    requireSupported(type);
    if (type.dtype() != DType.F64) throw new IllegalArgumentException("adoptDoubles for " + type);
    requireLength(type, data.length);
    return new HostTensor(type, null, data, null);
  }

  /** For runtimes: {@link #adoptFloats} for i32. */
  public static HostTensor adoptInts(TensorType type, int[] data) {
    requireSupported(type);
    if (type.dtype() != DType.I32) throw new IllegalArgumentException("adoptInts for " + type);
    requireLength(type, data.length);
    return new HostTensor(type, null, null, data);
  }

  // ---- accessors ----

  public TensorType type() {
    return type;
  }

  public DType dtype() {
    return type.dtype();
  }

  public Shape shape() {
    return type.shape();
  }

  /** Number of elements. */
  public int size() {
    return floats != null ? floats.length : doubles != null ? doubles.length : ints.length;
  }

  /** A copy of the elements of an F32 or BF16 tensor, row-major. */
  public float[] floats() {
    return floatBuffer().clone();
  }

  /** A copy of the elements of an F64 tensor, row-major. */
  public double[] doubles() {
    return doubleBuffer().clone();
  }

  /** A copy of the elements of an I32 tensor, row-major. */
  public int[] ints() {
    return intBuffer().clone();
  }

  public float floatAt(int index) {
    return floatBuffer()[index];
  }

  public double doubleAt(int index) {
    return doubleBuffer()[index];
  }

  public int intAt(int index) {
    return intBuffer()[index];
  }

  /** For runtimes: the backing array, to copy into native memory without a Java copy first; must not be modified. */
  public float[] floatBuffer() {
    if (floats == null) throw new IllegalStateException("a " + type + " tensor holds " + held() + ", not floats");
    return floats;
  }

  /** For runtimes: {@link #floatBuffer()} for f64. */
  public double[] doubleBuffer() {
    if (doubles == null) throw new IllegalStateException("a " + type + " tensor holds " + held() + ", not doubles");
    return doubles;
  }

  /** For runtimes: {@link #floatBuffer()} for i32. */
  public int[] intBuffer() {
    if (ints == null) throw new IllegalStateException("a " + type + " tensor holds " + held() + ", not ints");
    return ints;
  }

  private String held() {
    return floats != null ? "floats" : doubles != null ? "doubles" : "ints";
  }

  // ---- value semantics ----

  @Override
  public boolean equals(Object o) {
    return o instanceof HostTensor h
        && type.equals(h.type)
        && Arrays.equals(floats, h.floats)
        && Arrays.equals(doubles, h.doubles)
        && Arrays.equals(ints, h.ints);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + (floats != null ? Arrays.hashCode(floats) : doubles != null ? Arrays.hashCode(doubles) : Arrays.hashCode(ints));
  }

  /** The type and up to the first 8 elements. */
  @Override
  public String toString() {
    int shown = Math.min(size(), 8);
    StringBuilder sb = new StringBuilder(type.toString()).append(" {");
    for (int i = 0; i < shown; i++) {
      if (i > 0) sb.append(", ");
      sb.append(floats != null ? String.valueOf(floats[i]) : doubles != null ? String.valueOf(doubles[i]) : String.valueOf(ints[i]));
    }
    return sb.append(size() > shown ? ", ...}" : "}").toString();
  }

  // ---- checks ----

  private static void requireSupported(TensorType type) {
    if (type == null) throw new RuntimeInputException("tensor type must be non-null");
    if (type.dtype() == DType.PRED || type.dtype() == DType.U32)
      throw new RuntimeInputException(
          "dtype " + type.dtype().specName() + " is not supported by the CPU runtime as an input or output (" + type
              + "); convert it to i32 inside the module");
  }

  private static void requireLength(TensorType type, int length) {
    if (length < 0) throw new RuntimeInputException("data for " + type + " must be non-null");
    int n = elementCount(type);
    if (length != n)
      throw new RuntimeInputException(
          "data for " + type + " must have " + n + " elements (the product of the shape), got " + length);
  }

  private static int elementCount(TensorType type) {
    long n = type.shape().elements();
    if (n > Integer.MAX_VALUE - 8)
      throw new RuntimeInputException(type + " has " + n + " elements, more than a Java array can hold");
    return (int) n;
  }
}
