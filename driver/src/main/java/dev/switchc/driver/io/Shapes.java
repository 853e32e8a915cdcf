package dev.switchc.driver.io;

import java.util.StringJoiner;

/** Shape arithmetic shared by the readers, writers and value records. */
final class Shapes {
  private Shapes() {}

  /** Element count, or -1 if a dimension is negative or the product overflows a long. */
  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException overflow) {
        // A zero dimension later on would make the true product 0, but such a shape is
        // absurd anyway; treating it as too large keeps the arithmetic simple.
        return -1;
      }
    }
    return n;
  }

  static void requireLength(long[] shape, int length) {
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + format(shape));
      }
    }
    long n = elementCount(shape);
    if (n != length) {
      throw new IllegalArgumentException("shape " + format(shape) + " needs "
          + (n < 0 ? "more than Long.MAX_VALUE" : Long.toString(n))
          + " elements but the data array has " + length);
    }
  }

  /** Python tuple syntax, as in .npy headers: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
  static String format(long[] shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    StringJoiner j = new StringJoiner(", ", "(", ")");
    for (long d : shape) {
      j.add(Long.toString(d));
    }
    return j.toString();
  }
}
