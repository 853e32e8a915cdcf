package dev.switchc.bench;

import dev.switchc.bench.TrainingRun.Curve;
import dev.switchc.driver.data.CorpusSplit;
import dev.switchc.driver.data.FortuneReader;
import dev.switchc.driver.data.TextRecord;
import dev.switchc.driver.data.TokenBatches;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.driver.io.Json;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.spec.SpecFile;
import dev.switchc.ir.optim.Adafactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's comparisons at small scale (issue 12, item 7), on Debian's fortunes as bytes: a
 * decoder-only byte model of about 0.1M dense parameters, trained on one XLA CPU device by the
 * compiled training step with Adafactor as T5 sets it. Not run in CI: {@code bench/paper-trends}.
 *
 * <ul>
 *   <li>{@code experts}: Switch with 2, 4, 8, 16 experts against the FLOP-matched dense model (same
 *       d_ff: top-1 routing sends each token through one expert), validation loss by step and by
 *       training time (figures 1, 4 and 5).
 *   <li>{@code capacity}: capacity factor 1.0, 1.25, 2.0 (train and eval alike): quality, step time
 *       and dropped tokens (table 1).
 *   <li>{@code precision}: bf16 activations with an f32 router against a bf16 router, and init scale
 *       0.1 against 1.0, three seeds each (tables 2 and 3).
 *   <li>{@code multilingual}: seven languages' fortunes mixed, per-language validation loss of Switch
 *       against dense (figure 7).
 * </ul>
 */
public final class PaperTrends {
  private static final Path FORTUNES = Path.of("/usr/share/games/fortunes");
  private static final List<String> LANGUAGES = List.of("en", "de", "es", "it", "pl", "ru", "cs");

  private final int steps, every, validationBatches;
  private final Path out;
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final StringBuilder md = new StringBuilder();

  private PaperTrends(int steps, int every, int validationBatches, Path out) {
    this.steps = steps;
    this.every = every;
    this.validationBatches = validationBatches;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    List<String> a = List.of(args);
    int steps = intArg(a, "--steps", 4000), every = intArg(a, "--every", 250);
    Path out = Path.of(a.contains("--out") ? a.get(a.indexOf("--out") + 1) : "bench/results/trends");
    String only = a.contains("--only") ? a.get(a.indexOf("--only") + 1) : null;
    PaperTrends t = new PaperTrends(steps, every, intArg(a, "--validation-batches", 16), out);
    Files.createDirectories(out);
    if (only == null || only.equals("experts")) t.experts();
    if (only == null || only.equals("capacity")) t.capacity();
    if (only == null || only.equals("precision")) t.precision();
    if (only == null || only.equals("multilingual")) t.multilingual();
    AtomicFile.writeString(out.resolve("results" + (only == null ? "" : "-" + only) + ".json"), Json.write(t.results));
    AtomicFile.writeString(out.resolve("trends" + (only == null ? "" : "-" + only) + ".md"), t.md.toString());
    System.out.print(t.md);
  }

  private static int intArg(List<String> a, String name, int dflt) {
    return a.contains(name) ? Integer.parseInt(a.get(a.indexOf(name) + 1)) : dflt;
  }

  /** The byte model; {@code experts} 0 is the dense model. */
  static Program model(long experts, String extra) {
    String text = String.format(Locale.ROOT, """
        model {
          architecture = decoder_only
          vocab = 258
          d_model = 64
          d_ff = 256
          d_kv = 16
          heads = 4
          layers = 2
          ffn = relu
          experts = %d
          switch_every = 1
          batch = 8
          seq = 64
          group_size = 64
          router_aux_loss_coef = 0.01
          %s
        }
        """, experts, extra);
    return SpecFile.parse("trend.swc", text);
  }

  private record Data(TokenBatches training, Map<String, TokenBatches> validation) {}

  private Data english(Program p, long seed) {
    CorpusSplit split = CorpusSplit.of(FortuneReader.read(FORTUNES).records());
    var shape = TrainingRun.shape(p.spec(ModelSpec.class));
    return new Data(TokenBatches.training("fortunes", split, shape, seed),
        Map.of("en", TokenBatches.validation("fortunes", split, shape)));
  }

  private Curve run(String name, Program p, long seed) {
    Data d = english(p, seed);
    Curve c = TrainingRun.train(name, p, Adafactor.t5(), d.training(), d.validation(), validationBatches, steps, every, seed);
    System.err.printf(Locale.ROOT, "%s: validation %.4f, %.1f ms/step%n", name, c.finalValidation("en"), c.medianStepSeconds() * 1e3);
    return c;
  }

  private void experts() throws Exception {
    List<Curve> curves = new ArrayList<>();
    curves.add(run("dense", model(0, ""), 1));
    for (long e : new long[] {2, 4, 8, 16}) curves.add(run("switch-" + e, model(e, ""), 1));
    double minTime = curves.stream().mapToDouble(c -> c.points().get(c.points().size() - 1).seconds()).min().orElseThrow();
    md.append("## Switch against the FLOP-matched dense model\n\n")
        .append(String.format(Locale.ROOT, "| model | val. loss at step %d | val. loss at %.0f s | median step | dropped |\n|---|---|---|---|---|\n", steps, minTime));
    for (Curve c : curves)
      md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.1f ms | %.3f |%n", c.name(), c.finalValidation("en"), c.validationAt(minTime, "en"),
          c.medianStepSeconds() * 1e3, c.droppedFraction()));
    md.append('\n');
    results.put("experts", curves.stream().map(Curve::json).toList());
    plot("experts-by-step.svg", "Validation loss by step (fortunes, bytes)", "step", curves, false);
    plot("experts-by-time.svg", "Validation loss by training time", "seconds of training steps", curves, true);
  }

  private void capacity() throws Exception {
    List<Curve> curves = new ArrayList<>();
    for (String cf : List.of("1.0", "1.25", "2.0")) curves.add(run("capacity " + cf, model(8, "capacity_factor = " + cf + "\n  min_capacity = 1"), 1));
    md.append("## Capacity factor (8 experts)\n\n| capacity factor | val. loss at step ").append(steps)
        .append(" | median step | dropped (train, 2nd half) |\n|---|---|---|---|\n");
    for (Curve c : curves)
      md.append(String.format(Locale.ROOT, "| %s | %.4f | %.1f ms | %.3f |%n", c.name().substring(9), c.finalValidation("en"), c.medianStepSeconds() * 1e3,
          c.droppedFraction()));
    md.append('\n');
    results.put("capacity", curves.stream().map(Curve::json).toList());
    plot("capacity-by-step.svg", "Capacity factor: validation loss by step (8 experts)", "step", curves, false);
  }

  private void precision() throws Exception {
    Map<String, String> configs = new LinkedHashMap<>();
    configs.put("bf16 activations, f32 router", "activation_dtype = bf16\n  router_dtype = f32");
    configs.put("bf16 activations, bf16 router", "activation_dtype = bf16\n  router_dtype = bf16");
    configs.put("init scale 0.1", "init_scale = 0.1");
    configs.put("init scale 1.0", "init_scale = 1.0");
    md.append("## Router precision and initialisation scale (8 experts, three seeds)\n\n")
        .append("| configuration | val. loss, seeds 1 2 3 | mean | std | diverged |\n|---|---|---|---|---|\n");
    Map<String, List<Curve>> all = new LinkedHashMap<>();
    for (var e : configs.entrySet()) {
      List<Curve> seeds = new ArrayList<>();
      for (long seed = 1; seed <= 3; seed++) seeds.add(run(e.getKey() + " seed " + seed, model(8, e.getValue()), seed));
      all.put(e.getKey(), seeds);
      results.put("precision/" + e.getKey(), seeds.stream().map(Curve::json).toList());
      double[] v = seeds.stream().mapToDouble(c -> c.points().size() > 1 && !c.points().get(c.points().size() - 1).validation().isEmpty()
          ? c.finalValidation("en") : Double.NaN).toArray();
      double mean = 0, sq = 0;
      int n = 0;
      for (double x : v) if (Double.isFinite(x)) { mean += x; n++; }
      mean /= Math.max(1, n);
      for (double x : v) if (Double.isFinite(x)) sq += (x - mean) * (x - mean);
      md.append(String.format(Locale.ROOT, "| %s | %.4f %.4f %.4f | %.4f | %.4f | %d of 3 |%n", e.getKey(), v[0], v[1], v[2], mean,
          Math.sqrt(sq / Math.max(1, n - 1)), 3 - n));
    }
    md.append('\n');
    List<Curve> firstSeed = all.values().stream().map(l -> l.get(0)).toList();
    plot("precision-by-step.svg", "Router precision and init scale (seed 1)", "step", firstSeed, false);
  }

  private void multilingual() throws Exception {
    List<TextRecord> train = new ArrayList<>();
    Map<String, CorpusSplit> perLanguage = new LinkedHashMap<>();
    for (String lang : LANGUAGES) {
      CorpusSplit s = CorpusSplit.of(FortuneReader.read(lang.equals("en") ? FORTUNES : FORTUNES.resolve(lang)).records());
      perLanguage.put(lang, s);
      train.addAll(s.train());
    }
    CorpusSplit mixed = new CorpusSplit(train, perLanguage.get("en").validation());
    List<Curve> curves = new ArrayList<>();
    for (long e : new long[] {0, 8}) {
      Program p = model(e, "");
      var shape = TrainingRun.shape(p.spec(ModelSpec.class));
      Map<String, TokenBatches> validation = new LinkedHashMap<>();
      perLanguage.forEach((lang, s) -> validation.put(lang, TokenBatches.validation("fortunes/" + lang, s, shape)));
      Curve c = TrainingRun.train(e == 0 ? "dense" : "switch-8", p, Adafactor.t5(), TokenBatches.training("fortunes (7 languages)", mixed, shape, 1),
          validation, validationBatches, steps, every, 1);
      System.err.printf(Locale.ROOT, "multilingual %s: %s%n", c.name(), c.points().get(c.points().size() - 1).validation());
      curves.add(c);
    }
    md.append("## Multilingual (seven languages mixed): validation loss per language at step ").append(steps)
        .append("\n\n| language | dense | switch-8 | switch - dense |\n|---|---|---|---|\n");
    for (String lang : LANGUAGES) {
      double d = curves.get(0).finalValidation(lang), s = curves.get(1).finalValidation(lang);
      md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %+.4f |%n", lang, d, s, s - d));
    }
    md.append('\n');
    results.put("multilingual", curves.stream().map(Curve::json).toList());
    List<LineChart.Series> series = new ArrayList<>();
    for (Curve c : curves) {
      double[] x = new double[LANGUAGES.size()], y = new double[LANGUAGES.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = i;
        y[i] = c.finalValidation(LANGUAGES.get(i));
      }
      series.add(new LineChart.Series(c.name(), x, y));
    }
    AtomicFile.writeString(out.resolve("multilingual.svg"),
        LineChart.svg("Validation loss per language at step " + steps, "language: " + String.join(" ", LANGUAGES), "validation cross-entropy", series));
  }

  private void plot(String file, String title, String xLabel, List<Curve> curves, boolean byTime) throws Exception {
    List<LineChart.Series> series = new ArrayList<>();
    for (Curve c : curves) {
      // From the first measurement after step 0: the initial loss (ln 258 = 5.55) would flatten the curves.
      List<TrainingRun.Point> pts = c.points().stream().filter(p -> p.step() > 0 && !p.validation().isEmpty()).toList();
      double[] x = new double[pts.size()], y = new double[pts.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = byTime ? pts.get(i).seconds() : pts.get(i).step();
        y[i] = pts.get(i).validation().get("en");
      }
      series.add(new LineChart.Series(c.name(), x, y));
    }
    AtomicFile.writeString(out.resolve(file), LineChart.svg(title, xLabel, "validation cross-entropy (nats/byte)", series));
  }
}
