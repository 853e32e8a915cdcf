package dev.switchc.cli;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Router statistics of one run, as JSON ({@code --stats}) and as the summary printed for a person. */
public final class RunStats {
  private RunStats() {}

  /** What one run of the layer produced. {@code y} is row-major [batch, seq, d_model]. */
  public record Result(SwitchLayerSpec spec, Mode mode, float[] y, float auxLoss, int[] tokensPerExpert, float droppedFraction) {
    public long expertCapacity() {
      return spec.expertCapacity(mode);
    }

    public long droppedTokens() {
      return Math.round((double) droppedFraction * spec.tokens());
    }
  }

  static String json(Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", r.mode().name().toLowerCase(Locale.ROOT));
    m.put("capacity_factor", decimal(r.spec().capacityFactor(r.mode())));
    m.put("tokens", r.spec().tokens());
    m.put("groups", r.spec().groups());
    m.put("group_size", r.spec().groupSize());
    m.put("experts", r.spec().experts());
    m.put("expert_capacity", r.expertCapacity());
    m.put("aux_loss", r.auxLoss());
    List<Object> tpe = new ArrayList<>();
    for (int t : r.tokensPerExpert()) tpe.add(t);
    m.put("tokens_per_expert", tpe);
    m.put("dropped_fraction", r.droppedFraction());
    m.put("dropped_tokens", r.droppedTokens());
    return Json.write(m);
  }

  static String text(Result r) {
    SwitchLayerSpec s = r.spec();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "switch layer: batch %d x seq %d x d_model %d, d_ff %d, %d experts, %s activations%n",
        s.batch(), s.seq(), s.dModel(), s.dFf(), s.experts(), s.activationDtype().specName()));
    sb.append(String.format(Locale.ROOT, "mode %s: capacity factor %s -> expert capacity %d per group (%d groups of %d tokens)%n",
        r.mode().name().toLowerCase(Locale.ROOT), decimal(s.capacityFactor(r.mode())), r.expertCapacity(), s.groups(), s.groupSize()));
    sb.append(String.format(Locale.ROOT, "aux_loss          %.6g%n", r.auxLoss()));
    sb.append(String.format(Locale.ROOT, "dropped_fraction  %.6g (%d of %d tokens)%n", r.droppedFraction(), r.droppedTokens(), s.tokens()));
    sb.append("tokens_per_expert ");
    int[] t = r.tokensPerExpert();
    long ideal = Math.max(1, s.tokens() / s.experts());
    for (int e = 0; e < t.length; e++) {
      if (e > 0) sb.append(e % 8 == 0 ? String.format("%n                  ") : " ");
      sb.append(t[e]);
    }
    sb.append(String.format(Locale.ROOT, "%n                  (balanced: %d each; busiest expert %.2fx)%n", ideal, max(t) / (double) ideal));
    return sb.toString();
  }

  /** A decimal as people write it: 2.0 rather than 2, 1.25 as is. */
  static String decimal(java.math.BigDecimal d) {
    return d.scale() < 1 ? d.setScale(1).toPlainString() : d.toPlainString();
  }

  private static int max(int[] v) {
    int m = 0;
    for (int x : v) m = Math.max(m, x);
    return m;
  }
}
