package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.fail;

import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.Verifier;
import dev.switchc.ir.grad.Grad;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks {@link Grad}'s gradients, run on XLA, against central finite differences of the forward
 * program, run on XLA too: {@code (L(p + eps e_k) - L(p - eps e_k)) / (p_k+ - p_k-)} per element
 * {@code k}, where the denominator is the difference of the inputs actually fed (exact in f64,
 * after rounding in f32). Both programs are the same IR, so the check is of the gradient rules only.
 */
final class GradCheck {
  private GradCheck() {}

  /** The options of a check: step, tolerance, and how many elements per parameter to difference (all when 0). */
  record Options(double eps, double rel, int samples, long seed) {
    static Options exact() {
      return new Options(1e-6, 1e-6, 0, 1);
    }

    Options sampled(int n) {
      return new Options(eps, rel, n, seed);
    }

    Options eps(double e) {
      return new Options(e, rel, samples, seed);
    }

    Options rel(double r) {
      return new Options(eps, r, samples, seed);
    }
  }

  /**
   * Differentiates {@code forward}'s scalar result {@code loss} with respect to {@code wrt} at
   * {@code inputs} (every parameter, as doubles) and compares with finite differences: each
   * checked element within {@code rel * max(|fd|, 1e-3 * largest |fd| of that parameter)} plus the
   * finite differences' rounding noise ({@code 32 ulp(loss) / 2 eps}).
   *
   * @return the autodiff gradients by parameter name, for further checks
   */
  static Map<String, double[]> check(Func forward, String loss, List<String> wrt, Map<String, double[]> inputs, Options opt) {
    Func grad = Verifier.verify(Grad.run(forward, loss, wrt));
    Map<String, double[]> got = new LinkedHashMap<>();
    try (F64.Program g = new F64.Program(grad); F64.Program f = new F64.Program(forward)) {
      Map<String, double[]> out = g.run(inputs);
      double base = f.run(inputs).get(loss)[0];
      double baseAgain = out.get(loss)[0];
      // The same forward ops, but XLA may fuse (and so round) the larger program differently: a few ulps.
      if (Math.abs(base - baseAgain) > 1e-13 * Math.abs(base))
        fail("the gradient program changed the forward loss: " + base + " vs " + baseAgain);
      Random r = new Random(opt.seed());
      for (String p : wrt) {
        double[] ad = out.get(Grad.PREFIX + p);
        got.put(p, ad);
        double[] x = inputs.get(p);
        boolean f32 = forward.param(p).value().dtype() == DType.F32;
        int n = x.length;
        int[] picks = opt.samples() == 0 || opt.samples() >= n ? range(n) : r.ints(0, n).distinct().limit(opt.samples()).toArray();
        // Rounding in the two losses, a few dozen ulps of the loss, divided by the step: the
        // finite differences' own noise, below which no agreement can be asked for.
        double noise = 32 * Math.ulp(Math.abs(base)) / (2 * opt.eps());
        double[] fd = new double[picks.length];
        double scale = 0;
        for (int i = 0; i < picks.length; i++) {
          int k = picks[i];
          double up = x[k] + opt.eps(), down = x[k] - opt.eps();
          if (f32) {
            up = (float) up;
            down = (float) down;
          }
          fd[i] = (lossAt(f, inputs, loss, p, k, up) - lossAt(f, inputs, loss, p, k, down)) / (up - down);
          scale = Math.max(scale, Math.abs(fd[i]));
        }
        for (int i = 0; i < picks.length; i++) {
          int k = picks[i];
          double tol = opt.rel() * Math.max(Math.abs(fd[i]), 1e-3 * scale) + noise;
          if (!(Math.abs(ad[k] - fd[i]) <= tol))
            fail(String.format("d %s / d %s[%d]: autodiff %.12g, finite differences %.12g (|diff| %.3g > %.3g)", loss, p, k, ad[k], fd[i],
                Math.abs(ad[k] - fd[i]), tol));
        }
      }
    }
    return got;
  }

  private static double lossAt(F64.Program f, Map<String, double[]> inputs, String loss, String p, int k, double value) {
    Map<String, double[]> moved = new LinkedHashMap<>(inputs);
    double[] x = inputs.get(p).clone();
    x[k] = value;
    moved.put(p, x);
    return f.run(moved).get(loss)[0];
  }

  private static int[] range(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  static double[] gaussian(Random r, int n, double std) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.nextGaussian() * std;
    return v;
  }
}
