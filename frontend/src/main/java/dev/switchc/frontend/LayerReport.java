package dev.switchc.frontend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A Switch layer's run, for its user: router statistics as text and as the stats JSON. */
final class LayerReport {
  private LayerReport() {}

  static RunReport of(SwitchLayerSpec s, Mode mode, Outputs out) {
    float aux = out.floats(SwitchLayerIr.AUX_LOSS)[0], dropped = out.floats(SwitchLayerIr.DROPPED_FRACTION)[0];
    int[] perExpert = out.ints(SwitchLayerIr.TOKENS_PER_EXPERT);
    long capacity = s.expertCapacity(mode), droppedTokens = Math.round((double) dropped * s.tokens());
    String cf = Decimals.text(s.capacityFactor(mode));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode.specName());
    m.put("capacity_factor", cf);
    m.put("tokens", s.tokens());
    m.put("groups", s.groups());
    m.put("group_size", s.groupSize());
    m.put("experts", s.experts());
    m.put("expert_capacity", capacity);
    m.put("aux_loss", aux);
    List<Object> tpe = new ArrayList<>();
    for (int t : perExpert) tpe.add(t);
    m.put("tokens_per_expert", tpe);
    m.put("dropped_fraction", dropped);
    m.put("dropped_tokens", droppedTokens);

    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "switch layer: batch %d x seq %d x d_model %d, d_ff %d, %d experts, %s activations%n",
        s.batch(), s.seq(), s.dModel(), s.dFf(), s.experts(), s.activationDtype().specName()));
    sb.append(String.format(Locale.ROOT, "mode %s: capacity factor %s -> expert capacity %d per group (%d groups of %d tokens)%n",
        mode.specName(), cf, capacity, s.groups(), s.groupSize()));
    sb.append(String.format(Locale.ROOT, "aux_loss          %.6g%n", aux));
    sb.append(String.format(Locale.ROOT, "dropped_fraction  %.6g (%d of %d tokens)%n", dropped, droppedTokens, s.tokens()));
    sb.append("tokens_per_expert ");
    long ideal = Math.max(1, s.tokens() / s.experts());
    int busiest = 0;
    for (int e = 0; e < perExpert.length; e++) {
      if (e > 0) sb.append(e % 8 == 0 ? String.format("%n                  ") : " ");
      sb.append(perExpert[e]);
      busiest = Math.max(busiest, perExpert[e]);
    }
    sb.append(String.format(Locale.ROOT, "%n                  (balanced: %d each; busiest expert %.2fx)%n", ideal, busiest / (double) ideal));
    return new RunReport(sb.toString(), m);
  }
}
