package dev.switchc.frontend;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** A parameter tensor to initialise: its name, named shape and fan-in (0 marks a norm scale, initialised to 1). */
  public record ParamSpec(String name, Shape shape, long fanIn) {}

  /**
   * The trained parameters of {@code f}, read off its IR so that names and shapes cannot drift from
   * the program: every parameter not named in {@code dataInputs}, in argument order.
   */
  public static List<ParamSpec> of(Func f, Set<String> dataInputs) {
    List<ParamSpec> out = new ArrayList<>();
    for (Binding p : f.params())
      if (!dataInputs.contains(p.name())) out.add(new ParamSpec(p.name(), p.value().shape(), fanIn(p.name(), p.value().shape().dims())));
    return List.copyOf(out);
  }

  /**
   * Norms start at 1; the embedding and the relative position tables are drawn with fan-in 1; every
   * matrix with the fan-in of its input side: d_model when that is its first dim (q, k, v, wi, the
   * router, an untied head), else every dim but the last (heads * d_kv for o, d_ff for wo); an
   * expert dim is a batch dim and never counts.
   */
  static long fanIn(String name, List<Dim> dims) {
    if (name.endsWith("norm")) return 0;
    if (name.equals("shared/embedding") || name.endsWith("relative_attention_bias")) return 1;
    List<Dim> in = dims.stream().filter(d -> !d.name().equals("experts")).toList();
    if (in.get(0).name().equals("d_model")) return in.get(0).size();
    long n = 1;
    for (Dim d : in.subList(0, in.size() - 1)) n *= d.size();
    return n;
  }

  /** Row-major values of every parameter, drawn from {@code seed} (each tensor its own stream), sigma = sqrt(initScale / fan_in). */
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
        out.put(p.name(), truncatedNormal(seed, p.name(), n, Math.sqrt(initScale / p.fanIn())));
      }
    }
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
