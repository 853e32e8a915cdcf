package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.fail;

/** Tolerance checks with messages that say where and by how much two results differ. */
final class Compare {
  private Compare() {}

  /**
   * Every element within {@code rel * max(|expected|, floor)} where {@code floor} is 1e-3 of the
   * largest expected magnitude (so elements that are nearly zero are judged on the scale of the
   * tensor, not on their own tiny size).
   */
  static void close(String what, float[] actual, double[] expected, double rel) {
    close(what, toDouble(actual), expected, rel);
  }

  /** {@link #close(String, float[], double[], double)} for f64 results. */
  static void close(String what, double[] actual, double[] expected, double rel) {
    if (actual.length != expected.length) fail(what + ": length " + actual.length + " != " + expected.length);
    double scale = 0;
    for (double e : expected) scale = Math.max(scale, Math.abs(e));
    double floor = 1e-3 * scale;
    int worst = -1;
    double worstRatio = 0;
    for (int i = 0; i < actual.length; i++) {
      if (!Double.isFinite(actual[i])) fail(what + "[" + i + "] is " + actual[i]);
      double ratio = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worst = i;
      }
    }
    if (worstRatio > rel)
      fail(String.format("%s: element %d is %s, expected %s (relative error %.3g > %.3g)", what, worst, actual[worst], expected[worst], worstRatio, rel));
  }

  /**
   * Every element within {@code fraction} of the tensor's scale (its largest expected magnitude).
   * The right measure for low precision, where an element that is the small difference of large
   * terms carries the rounding error of those terms, not of itself.
   */
  static void closeToScale(String what, float[] actual, double[] expected, double fraction) {
    if (actual.length != expected.length) fail(what + ": length " + actual.length + " != " + expected.length);
    double scale = 0;
    for (double e : expected) scale = Math.max(scale, Math.abs(e));
    int worst = 0;
    double worstErr = 0;
    for (int i = 0; i < actual.length; i++) {
      if (!Double.isFinite(actual[i])) fail(what + "[" + i + "] is " + actual[i]);
      double err = Math.abs(actual[i] - expected[i]);
      if (err > worstErr) {
        worstErr = err;
        worst = i;
      }
    }
    if (worstErr > fraction * scale)
      fail(String.format("%s: element %d is %s, expected %s (error %.3g > %.3g of scale %.3g)", what, worst, actual[worst], expected[worst], worstErr, fraction, scale));
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) d[i] = v[i];
    return d;
  }
}
