package dev.switchc.tests;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.DType;
import dev.switchc.tests.reference.SwitchReference;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Test layers, their random weights and inputs, and the reference configuration for each. */
final class Cases {
  private Cases() {}

  /** A layer plus the weights and input it is run with. Weights come from java.util.Random, not the code under test. */
  record Case(String name, Located<SwitchLayerSpec> layer, Mode mode, Map<String, float[]> params, float[] x) {
    SwitchLayerSpec spec() {
      return layer.value();
    }

    SwitchReference.Config reference() {
      SwitchLayerSpec s = spec();
      return new SwitchReference.Config((int) s.batch(), (int) s.seq(), (int) s.dModel(), (int) s.dFf(), (int) s.experts(),
          (int) s.groupSize(), s.capacityFactor(mode), s.minCapacity(), s.activation() == Activation.GELU, s.routerAuxLossCoef());
    }

    SwitchReference.Result expected() {
      return SwitchReference.compute(reference(), x, params.get("router/w"), params.get("experts/wi"), params.get("experts/wo"));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static SwitchLayer.Builder layer(long batch, long seq, long dModel, long dFf, long experts, long groupSize) {
    return SwitchLayer.builder().batch(batch).seq(seq).dModel(dModel).dFf(dFf).experts(experts).groupSize(groupSize);
  }

  /**
   * Draws weights and input from {@code seed}. Router weights have std 1/sqrt(d_model) so routing
   * is varied; the draw is repeated with the next seed while any token's top two logits are
   * within 1e-4 of each other, so f32 rounding cannot flip a routing decision and the comparison
   * with the double-precision reference is exact in routing.
   */
  static Case of(String name, SwitchLayer.Builder b, Mode mode, long seed) {
    return of(name, b.build(), mode, seed);
  }

  /** {@link #of(String, SwitchLayer.Builder, Mode, long)} for a layer read from a spec file. */
  static Case of(String name, Located<SwitchLayerSpec> layer, Mode mode, long seed) {
    SwitchLayerSpec s = layer.value();
    for (long attempt = seed; ; attempt++) {
      Random r = new Random(attempt);
      Map<String, float[]> p = new LinkedHashMap<>();
      p.put("router/w", gaussian(r, s.dModel() * s.experts(), 1 / Math.sqrt(s.dModel())));
      p.put("experts/wi", gaussian(r, s.experts() * s.dModel() * s.dFf(), 1 / Math.sqrt(s.dModel())));
      p.put("experts/wo", gaussian(r, s.experts() * s.dFf() * s.dModel(), 1 / Math.sqrt(s.dFf())));
      float[] x = gaussian(r, s.tokens() * s.dModel(), 1);
      if (s.activationDtype() == DType.BF16) for (int i = 0; i < x.length; i++) x[i] = SwitchReference.roundToBf16(x[i]);
      Case c = new Case(name, layer, mode, p, x);
      if (minTopTwoGap(c) > 1e-4) return c;
    }
  }

  static Case of(String name, SwitchLayer.Builder b) {
    return of(name, b, Mode.EVAL, 1);
  }

  private static double minTopTwoGap(Case c) {
    SwitchLayerSpec s = c.spec();
    float[] w = c.params().get("router/w");
    double gap = Double.MAX_VALUE;
    if (s.experts() == 1) return gap;
    for (int t = 0; t < s.tokens(); t++) {
      double best = -Double.MAX_VALUE, second = -Double.MAX_VALUE;
      for (int e = 0; e < s.experts(); e++) {
        double logit = 0;
        for (int d = 0; d < s.dModel(); d++) logit += (double) c.x()[(int) (t * s.dModel() + d)] * w[(int) (d * s.experts() + e)];
        if (logit > best) {
          second = best;
          best = logit;
        } else if (logit > second) second = logit;
      }
      gap = Math.min(gap, best - second);
    }
    return gap;
  }

  static float[] gaussian(Random r, long n, double std) {
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
    return v;
  }

  static BigDecimal dec(String s) {
    return new BigDecimal(s);
  }

  static SwitchLayer.Builder einsum(SwitchLayer.Builder b) {
    return b.dispatch(Dispatch.EINSUM);
  }
}
