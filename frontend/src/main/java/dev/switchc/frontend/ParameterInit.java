package dev.switchc.frontend;

import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic initial parameters (paper section 2.4, "smaller parameter initialization"):
 * truncated normal, mean 0, sigma = sqrt(init_scale / fan_in), redrawn beyond 2 sigma. Each
 * tensor has its own stream derived from the seed and its name, so adding a parameter never
 * changes the others. Box-Muller over {@link SplittableRandom#nextDouble()} keeps the numbers
 * identical across JDK versions.
 */
public final class ParameterInit {
  private ParameterInit() {}

  /** A parameter tensor to initialise: its name, named shape and fan-in. */
  public record ParamSpec(String name, Shape shape, long fanIn) {}

  /** The parameters of {@code layer}, in the order of the compiled function's arguments. */
  public static List<ParamSpec> params(SwitchLayerSpec s) {
    Dim dModel = new Dim("d_model", s.dModel()), dFf = new Dim("d_ff", s.dFf()), experts = new Dim("experts", s.experts());
    List<ParamSpec> out = new java.util.ArrayList<>();
    out.add(new ParamSpec(SwitchLayerIr.ROUTER_W, Shape.of(dModel, experts), s.dModel()));
    for (String wi : s.activation().gated() ? List.of(SwitchLayerIr.EXPERTS_WI + "_0", SwitchLayerIr.EXPERTS_WI + "_1") : List.of(SwitchLayerIr.EXPERTS_WI))
      out.add(new ParamSpec(wi, Shape.of(experts, dModel, dFf), s.dModel()));
    out.add(new ParamSpec(SwitchLayerIr.EXPERTS_WO, Shape.of(experts, dFf, dModel), s.dFf()));
    return List.copyOf(out);
  }

  /** Row-major values of every parameter of {@code s}, keyed by name in argument order. */
  public static Map<String, float[]> init(SwitchLayerSpec s, long seed) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ParamSpec p : params(s)) out.put(p.name(), truncatedNormal(seed, p.name(), p.shape().elements(), Math.sqrt(s.initScale() / p.fanIn())));
    return out;
  }

  /** {@code n} draws of N(0, sigma^2) cut at 2 sigma, from the stream of ({@code seed}, {@code stream}). */
  public static float[] truncatedNormal(long seed, String stream, long n, double sigma) {
    float[] v = new float[Math.toIntExact(n)];
    SplittableRandom r = stream(seed, stream);
    for (int i = 0; i < v.length; i++) {
      double z;
      do z = gaussian(r); while (Math.abs(z) > 2);
      v[i] = (float) (z * sigma);
    }
    return v;
  }

  /** {@code n} standard normal draws (not truncated), for example input activations. */
  public static float[] normal(long seed, String stream, long n) {
    float[] v = new float[Math.toIntExact(n)];
    SplittableRandom r = stream(seed, stream);
    for (int i = 0; i < v.length; i++) v[i] = (float) gaussian(r);
    return v;
  }

  /** {@code n} token ids uniform in [1, vocab) (never padding), or all 0 when the vocabulary is {0}, e.g. example model inputs. */
  public static int[] tokenIds(long seed, String stream, long n, long vocab) {
    int[] v = new int[Math.toIntExact(n)];
    SplittableRandom r = stream(seed, stream);
    for (int i = 0; i < v.length; i++) v[i] = vocab < 2 ? 0 : 1 + (int) r.nextLong(vocab - 1);
    return v;
  }

  private static SplittableRandom stream(long seed, String name) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
