package dev.switchc.driver.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float tensor in C (row-major) order. Arrays are not copied: tensors can be gigabytes,
 * so ownership passes to the record and callers must not mutate them afterwards.
 * A scalar has shape {@code []} and one element.
 */
public record FloatArray(long[] shape, float[] data) {
  public FloatArray {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    Shapes.requireLength(shape, data.length);
  }

  public int rank() {
    return shape.length;
  }

  // Records compare array components by identity; tensors are values, so compare contents.
  // Arrays.equals(float[]) uses floatToIntBits, so NaN equals NaN and 0.0 differs from -0.0.
  @Override
  public boolean equals(Object o) {
    return o instanceof FloatArray other
        && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  // Never dump the data: it may hold millions of elements.
  @Override
  public String toString() {
    return "FloatArray" + Shapes.format(shape);
  }
}
