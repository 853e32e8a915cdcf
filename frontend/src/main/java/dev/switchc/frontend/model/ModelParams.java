package dev.switchc.frontend.model;

import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.ir.Binding;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's trained tensors, read off its IR (so names and shapes cannot drift from the program),
 * and their initialisation: norms start at 1; the embedding and the relative position tables are
 * drawn with fan-in 1; every matrix with the fan-in of its input side (d_model for q, k, v, wi,
 * the router and an untied head; heads * d_kv for o; d_ff for wo), sigma = sqrt(init_scale / fan_in),
 * as the Switch paper's reduced initialisation (section 2.4).
 */
public final class ModelParams {
  private ModelParams() {}

  /** The parameters of {@code program}'s function, in argument order (token inputs excluded). */
  public static List<ParamSpec> of(Func f) {
    List<ParamSpec> out = new ArrayList<>();
    for (Binding p : f.params()) {
      if (ModelIr.DATA_INPUTS.contains(p.name())) continue;
      out.add(new ParamSpec(p.name(), p.value().shape(), fanIn(p.name(), p.value().shape().dims())));
    }
    return List.copyOf(out);
  }

  /** 0 marks a norm scale (initialised to 1). */
  static long fanIn(String name, List<Dim> dims) {
    if (name.endsWith("norm")) return 0;
    if (name.equals("shared/embedding") || name.endsWith("relative_attention_bias")) return 1;
    List<Dim> in = dims.stream().filter(d -> !d.name().equals("experts")).toList();
    if (in.get(0).name().equals("d_model")) return in.get(0).size();
    long n = 1;
    for (Dim d : in.subList(0, in.size() - 1)) n *= d.size();
    return n;
  }

  /** Row-major values of every parameter, drawn from {@code seed} (each tensor its own stream). */
  public static Map<String, float[]> init(List<ParamSpec> params, double initScale, long seed) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ParamSpec p : params) {
      long n = p.shape().elements();
      if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(p.name() + " has " + n + " elements, too many for one array");
      if (p.fanIn() == 0) {
        float[] ones = new float[(int) n];
        java.util.Arrays.fill(ones, 1f);
        out.put(p.name(), ones);
      } else {
        out.put(p.name(), ParameterInit.truncatedNormal(seed, p.name(), n, Math.sqrt(initScale / p.fanIn())));
      }
    }
    return out;
  }
}
