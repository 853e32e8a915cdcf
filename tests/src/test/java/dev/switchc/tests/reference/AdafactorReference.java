package dev.switchc.tests.reference;

/**
 * Adafactor written from Shazeer and Stern (2018), Algorithms 4 (factored, a matrix per leading
 * index) and 5 (unfactored), with section 8's relative step size and update clipping, in plain
 * loops that share no code with the compiler. The statistics are the paper's row and column
 * <em>sums</em> {@code R = (G^2 + eps1) 1_m}, {@code C = 1_n^T (G^2 + eps1)},
 * {@code V = R C / (1_n^T R)}; the compiler keeps means (the state is the sum divided by the
 * reduced size), which {@link #rowState} and {@link #colState} convert to for comparison.
 */
public final class AdafactorReference {
  final int lead, rows, cols; // rows = cols = 0 for an unfactored parameter of `lead` elements
  public final double[] x;
  final double[] r, c, v;
  /** max(1, RMS(U) / d) at the last step: > 1 when clipping was active. */
  public double lastClip;

  /** A parameter of shape [lead, rows, cols] (factored), or of {@code x.length} elements when rows == 0. */
  public AdafactorReference(double[] x, int lead, int rows, int cols) {
    this.x = x.clone();
    this.lead = lead;
    this.rows = rows;
    this.cols = cols;
    r = new double[lead * rows];
    c = new double[lead * cols];
    v = rows == 0 ? new double[x.length] : null;
  }

  public void step(int t, double[] g) {
    double eps1 = 1e-30, eps2 = 1e-3, d = 1.0;
    double beta2 = 1 - Math.pow(t, -0.8);
    double[] u = new double[x.length];
    if (rows == 0) {
      for (int i = 0; i < x.length; i++) {
        v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i] + eps1);
        u[i] = g[i] / Math.sqrt(v[i]);
      }
    } else {
      for (int e = 0; e < lead; e++) {
        for (int i = 0; i < rows; i++) {
          double sum = 0;
          for (int j = 0; j < cols; j++) sum += sq(g[(e * rows + i) * cols + j]) + eps1;
          r[e * rows + i] = beta2 * r[e * rows + i] + (1 - beta2) * sum;
        }
        for (int j = 0; j < cols; j++) {
          double sum = 0;
          for (int i = 0; i < rows; i++) sum += sq(g[(e * rows + i) * cols + j]) + eps1;
          c[e * cols + j] = beta2 * c[e * cols + j] + (1 - beta2) * sum;
        }
        double rSum = 0;
        for (int i = 0; i < rows; i++) rSum += r[e * rows + i];
        for (int i = 0; i < rows; i++)
          for (int j = 0; j < cols; j++) {
            int k = (e * rows + i) * cols + j;
            u[k] = g[k] / Math.sqrt(r[e * rows + i] * c[e * cols + j] / rSum);
          }
      }
    }
    lastClip = Math.max(1, rms(u) / d);
    double rho = Math.min(1e-2, 1 / Math.sqrt(t));
    double alpha = Math.max(eps2, rms(x)) * rho;
    for (int i = 0; i < x.length; i++) x[i] -= alpha * u[i] / lastClip;
  }

  /** The row statistic as the compiler keeps it: the paper's R divided by the number of columns. */
  public double[] rowState() {
    double[] out = new double[r.length];
    for (int i = 0; i < r.length; i++) out[i] = r[i] / cols;
    return out;
  }

  /** The column statistic as the compiler keeps it: C divided by the number of rows. */
  public double[] colState() {
    double[] out = new double[c.length];
    for (int i = 0; i < c.length; i++) out[i] = c[i] / rows;
    return out;
  }

  public double[] fullState() {
    return v.clone();
  }

  static double rms(double[] a) {
    double s = 0;
    for (double e : a) s += e * e;
    return Math.sqrt(s / a.length);
  }

  private static double sq(double a) {
    return a * a;
  }
}
