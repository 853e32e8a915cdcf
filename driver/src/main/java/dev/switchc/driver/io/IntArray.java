package dev.switchc.driver.io;

import java.util.Arrays;
import java.util.Objects;

/** A dense int32 tensor in C order; same ownership rules as {@link FloatArray}. */
public record IntArray(long[] shape, int[] data) {
  public IntArray {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    Shapes.requireLength(shape, data.length);
  }

  public int rank() {
    return shape.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IntArray other
        && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IntArray" + Shapes.format(shape);
  }
}
