package dev.switchc.tests.reference;

/**
 * AdamW written from Loshchilov and Hutter (2019), Algorithm 2, with Adam's bias correction
 * (Kingma and Ba 2015, Algorithm 1), in plain loops: {@code x -= eta_t (mhat / (sqrt(vhat) + eps) + lambda x)}
 * with {@code eta_t = lr} or {@code lr * min(t / w, sqrt(w / t))}.
 */
public final class AdamWReference {
  public final double[] x, m, v;
  final double lr, beta1, beta2, eps, decay;
  final long warmup; // 0: constant rate

  public AdamWReference(double[] x, double lr, double beta1, double beta2, double eps, double decay, long warmup) {
    this.x = x.clone();
    this.m = new double[x.length];
    this.v = new double[x.length];
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.decay = decay;
    this.warmup = warmup;
  }

  public void step(int t, double[] g) {
    double eta = warmup == 0 ? lr : lr * Math.min((double) t / warmup, Math.sqrt((double) warmup / t));
    for (int i = 0; i < x.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      double mHat = m[i] / (1 - Math.pow(beta1, t));
      double vHat = v[i] / (1 - Math.pow(beta2, t));
      x[i] -= eta * (mHat / (Math.sqrt(vHat) + eps) + decay * x[i]);
    }
  }
}
