package dev.switchc.bench;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.io.Json;
import dev.switchc.driver.ProgramRun;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.DefaultLayout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.StableHlo;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.HostTensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark harness: every comparison first checks that both sides compute the same numbers,
 * then times them interleaved and reports medians and ratios (never single absolute times alone).
 * {@code --quick} runs tiny sizes (the smoke test); {@code --out DIR} writes results.json,
 * results.md and chart.svg.
 */
public final class BenchMain {
  private final boolean quick;
  /** The one benchmark to run ({@code --only NAME}), or null for all. */
  private final String only;
  private final List<Map<String, Object>> rows = new ArrayList<>();
  private final StringBuilder md = new StringBuilder();

  private BenchMain(boolean quick, String only) {
    this.quick = quick;
    this.only = only;
  }

  private boolean runs(String benchmark) {
    return only == null || only.equals(benchmark);
  }

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int o = List.of(args).indexOf("--out");
    Path out = Path.of(o >= 0 ? args[o + 1] : "out/bench");
    int n = List.of(args).indexOf("--only");
    BenchMain b = new BenchMain(quick, n >= 0 ? args[n + 1] : null);
    b.runAll();
    Files.createDirectories(out);
    AtomicFile.writeString(out.resolve("results.json"), Json.write(b.rows));
    AtomicFile.writeString(out.resolve("results.md"), b.md.toString());
    AtomicFile.writeString(out.resolve("chart.svg"), Chart.ratios(b.rows));
    System.out.print(b.md);
    System.out.println("wrote " + out.resolve("results.json") + ", " + out.resolve("results.md") + ", " + out.resolve("chart.svg"));
  }

  /** The rows produced so far (for the smoke test). */
  static List<Map<String, Object>> runQuick() {
    BenchMain b = new BenchMain(true, null);
    b.runAll();
    return b.rows;
  }

  private void runAll() {
    md.append("| benchmark | configuration | A | B | median A | median B | B / A | check |\n|---|---|---|---|---|---|---|---|\n");
    int rounds = quick ? 3 : 7;
    long d = quick ? 64 : 512, f = quick ? 128 : 2048;
    if (runs("peer"))
      for (long s : quick ? List.of(256L) : List.of(1024L, 4096L, 16384L))
        for (long e : quick ? List.of(8L) : List.of(8L, 32L, 128L))
          for (String cf : quick ? List.of("1.0") : List.of("1.0", "1.25")) peer(s, e, d, f, cf, s == 16384 ? 3 : rounds);
    if (runs("dispatch")) for (long s : quick ? List.of(256L) : List.of(1024L, 4096L)) dispatch(s, 8, d, f, rounds);
    if (runs("switch vs dense")) for (String cf : List.of("1.0", "1.25", "2.0")) switchVsDense(quick ? 256 : 4096, 8, d, f, cf, rounds);
    if (runs("roofline")) roofline(quick ? 256 : 2048, quick ? 256 : 4096, 8, d, f, rounds); // 2048^3: large enough for XLA's matmul to reach its rate
    if (runs("compile")) {
      compile(quick ? 64 : 2048);
      compilePresets();
    }
    if (runs("overhead")) overhead(quick ? 200 : 2000);
    if (runs("mesh")) for (long tokens : quick ? List.of(256L) : List.of(1024L, 8192L)) mesh(tokens, 8, d, f, rounds);
    if (runs("train")) train(quick ? 64 : 1024, d, f, rounds);
    goals();
  }

  private static Located<SwitchLayerSpec> layer(long tokens, long experts, long d, long f, String cf, Dispatch dispatch) {
    return SwitchLayer.builder().batch(1).seq(tokens).dModel(d).dFf(f).experts(experts).groupSize(tokens)
        .capacityFactor(Double.parseDouble(cf)).minCapacity(4).dispatch(dispatch).build();
  }

  private void row(String bench, String config, String a, String b, Interleaved t, String check) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("benchmark", bench);
    r.put("configuration", config);
    r.put("a", a);
    r.put("b", b);
    r.put("median_a_ms", t.medianA() * 1e3);
    r.put("median_b_ms", t.medianB() * 1e3);
    r.put("ratio_b_over_a", t.ratio());
    r.put("rounds", t.rounds());
    r.put("check", check);
    rows.add(r);
    String line = String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f ms | %.2f ms | %.2f | %s |%n", bench, config, a, b, t.medianA() * 1e3, t.medianB() * 1e3, t.ratio(), check);
    md.append(line);
    if (!quick) System.err.print(line); // progress: a full run takes minutes
  }

  /** Largest |a - b| relative to the scale of b; the check every comparison makes before timing. */
  static double error(float[] a, float[] b) {
    double scale = 0, err = 0;
    for (int i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      err = Math.max(err, Math.abs(a[i] - b[i]));
    }
    return scale == 0 ? err : err / scale;
  }

  private static String checked(float[] a, float[] b) {
    double e = error(a, b);
    if (!(e <= 1e-4)) throw new IllegalStateException("the two sides disagree: relative error " + e);
    return String.format(Locale.ROOT, "same output (max err %.1e of scale)", e);
  }

  private void peer(long tokens, long experts, long d, long f, String cf, int rounds) {
    Located<SwitchLayerSpec> l = layer(tokens, experts, d, f, cf, Dispatch.GATHER);
    SwitchLayerSpec s = l.value();
    float[] x = ParameterInit.normal(1, "x", tokens * d);
    // Both sides keep their weights in native tensors and feed only the tokens per call.
    try (BoundLayer ours = new BoundLayer(l);
         TfOpsPeer peerGraph = new TfOpsPeer(1, tokens, d, experts, s.expertCapacity(Mode.EVAL));
         TfOpsPeer.Bound peer = peerGraph.new Bound(ours.params, experts, f)) {
      String check = checked(peer.run(x), ours.run(x));
      Interleaved t = Interleaved.time(() -> ours.run(x), () -> peer.run(x), 1, rounds);
      row("peer", String.format(Locale.ROOT, "S=%d E=%d d=%d f=%d cf=%s", tokens, experts, d, f, cf), "switchc (gather, XLA)", "TF Java ops (one-hot einsum)", t, check);
    }
  }

  private void dispatch(long tokens, long experts, long d, long f, int rounds) {
    Located<SwitchLayerSpec> g = layer(tokens, experts, d, f, "1.25", Dispatch.GATHER), e = layer(tokens, experts, d, f, "1.25", Dispatch.EINSUM);
    float[] x = ParameterInit.normal(1, "x", tokens * d);
    try (BoundLayer a = new BoundLayer(g); BoundLayer b = new BoundLayer(e)) {
      String check = checked(b.run(x), a.run(x));
      row("dispatch", String.format(Locale.ROOT, "S=%d E=%d cf=1.25", tokens, experts), "gather", "einsum",
          Interleaved.time(() -> a.run(x), () -> b.run(x), 1, rounds), check);
    }
  }

  /**
   * The same SPMD module on the same mesh (data=2, expert=4: batch over both, experts over expert,
   * two all-to-alls and three all-reduces), through XLA's SPMD partitioner on 8 XLA CPU devices and
   * through switchc's emulation of the mesh; parameters resident on both.
   */
  private void mesh(long tokens, long experts, long d, long f, int rounds) {
    Located<SwitchLayerSpec> l = SwitchLayer.builder().batch(8).seq(tokens / 8).dModel(d).dFf(f).experts(experts).groupSize(tokens / 8)
        .capacityFactor(1.25).minCapacity(4).build();
    Program program = Program.of(l).mesh("data", 2).mesh("expert", 4).build();
    float[] x = ParameterInit.normal(1, "x", tokens * d);
    try (BoundLayer emulated = new BoundLayer(program, new Backend.Emulation()); BoundLayer xla = new BoundLayer(program, new Backend.Xla())) {
      String check = checked(xla.run(x), emulated.run(x));
      row("mesh", String.format(Locale.ROOT, "data=2,expert=4 (8 devices) tokens=%d E=%d d=%d f=%d cf=1.25", tokens, experts, d, f),
          "switchc emulation of the mesh", "XLA SPMD partitioner, 8 XLA CPU devices", Interleaved.time(() -> emulated.run(x), () -> xla.run(x), 1, rounds), check);
    }
  }

  /**
   * One training step (forward, gradient, Adafactor) against one forward pass of the same
   * train-mode program, both on one XLA CPU device through PJRT with the parameters (and the
   * optimizer state) resident: tiny-switch, and a Switch layer of {@code tokens} tokens in two
   * groups (a layer's loss is {@code sum(y * cotangent)} plus its aux losses, the cotangent fed with
   * x). Then what residency saves (the same step with a host round trip of the state), and the mesh's cost: the same step on data=2 (2 XLA CPU devices, on this machine's 2
   * cores) against one device; both must report the same loss on their first step.
   */
  private void train(long tokens, long d, long f, int rounds) {
    Located<SwitchLayerSpec> l = SwitchLayer.builder().batch(2).seq(tokens / 2).dModel(d).dFf(f).experts(8).groupSize(tokens / 2)
        .capacityFactor(1.25).minCapacity(4).build();
    String layer = String.format(Locale.ROOT, "Switch layer tokens=%d E=8 d=%d f=%d cf=1.25", tokens, d, f);
    train(layer, Program.single(l), Program.of(l).mesh("data", 2).build(), "loss", tokens, rounds);
    if (quick) return;
    dev.switchc.frontend.model.ModelSpec tiny = dev.switchc.frontend.model.Presets.load("tiny-switch").spec(dev.switchc.frontend.model.ModelSpec.class);
    train("tiny-switch (batch " + tiny.batch() + " x seq " + tiny.seq() + ")", Program.single(dev.switchc.frontend.model.Presets.load("tiny-switch").definition()),
        dev.switchc.frontend.model.Presets.load("tiny-switch", List.of(), java.util.Optional.of("data=2"), List.of()), dev.switchc.frontend.model.ModelIr.LOSS,
        tiny.batch() * tiny.seq(), rounds);
  }

  private void train(String what, Program one, Program two, String loss, long tokens, int rounds) {
    try (TrainBench a = new TrainBench(one, loss); TrainBench b = new TrainBench(two, loss)) {
      double la = a.step().get(loss), lb = b.step().get(loss);
      if (!(Math.abs(la - lb) <= 1e-4 * Math.max(1, Math.abs(la)))) throw new IllegalStateException(what + ": the first step's loss is " + la + " on one device, " + lb + " on data=2");
      String check = String.format(Locale.ROOT, "same first-step loss (%.6g, %.6g)", la, lb);
      Interleaved fs = Interleaved.time(a::forward, a::step, 2, rounds);
      row("train", String.format(Locale.ROOT, "%s, one device: step %.0f tokens/s", what, tokens / fs.medianB()), "forward (train mode)", "training step (Adafactor)", fs,
          "PJRT, 1 XLA CPU device, parameters and state resident");
      row("train", what + ", one device: residency", "step, state resident", "step, state through the host", Interleaved.time(a::step, a::roundTrip, 2, rounds),
          "PJRT, 1 XLA CPU device; B uploads and downloads every parameter and slot");
      Interleaved mesh = Interleaved.time(a::step, b::step, 2, rounds);
      row("train", String.format(Locale.ROOT, "%s, data=2: step %.0f tokens/s", what, tokens / mesh.medianB()), "step on one device", "step on data=2 (2 XLA CPU devices)", mesh, check);
    }
  }

  private void switchVsDense(long tokens, long experts, long d, long f, String cf, int rounds) {
    Located<SwitchLayerSpec> l = layer(tokens, experts, d, f, cf, Dispatch.GATHER);
    float[] x = ParameterInit.normal(1, "x", tokens * d);
    CompiledModule dense = Programs.denseFfn(tokens, d, f);
    Map<String, HostTensor> in = Map.of("x", HostTensor.ofFloats(dense.signature().inputs().get(0).type(), x));
    try (BoundLayer sw = new BoundLayer(l); CpuProgram dn = CpuProgram.load(dense);
         CpuProgram.Kept kept = dn.keep(denseWeights(dense, sw.params, d, f))) {
      row("switch vs dense", String.format(Locale.ROOT, "tokens=%d E=%d cf=%s", tokens, experts, cf), "dense FFN", "Switch FFN",
          Interleaved.time(() -> dn.run(kept, in), () -> sw.run(x), 1, rounds), "FLOP-matched (same d_model, d_ff)");
    }
  }

  private void roofline(long n, long tokens, long experts, long d, long f, int rounds) {
    CompiledModule mm = Programs.matmul(n);
    float[] a = ParameterInit.normal(2, "a", n * n), b = ParameterInit.normal(2, "b", n * n);
    Map<String, HostTensor> in = new LinkedHashMap<>();
    in.put("a", HostTensor.ofFloats(mm.signature().inputs().get(0).type(), a));
    in.put("b", HostTensor.ofFloats(mm.signature().inputs().get(1).type(), b));
    Located<SwitchLayerSpec> l = layer(tokens, experts, d, f, "1.0", Dispatch.GATHER);
    float[] x = ParameterInit.normal(1, "x", tokens * d);
    try (CpuProgram p = CpuProgram.load(mm); BoundLayer sw = new BoundLayer(l)) {
      Interleaved t = Interleaved.time(() -> p.run(in), () -> sw.run(x), 1, rounds);
      double peak = 2.0 * n * n * n / t.medianA() / 1e9;
      double useful = 4.0 * tokens * d * f / t.medianB() / 1e9; // each token through its expert: two d x f matmuls
      row("roofline", String.format(Locale.ROOT, "matmul %d^3: %.1f GFLOP/s; Switch tokens=%d: %.1f GFLOP/s useful = %.0f%% of peak",
          n, peak, tokens, useful, 100 * useful / peak), "matmul", "Switch layer", t, "useful FLOPs: 4 x tokens x d_model x d_ff");
      usefulFraction = useful / peak;
    }
  }

  /**
   * Every preset (Switch-C on 2048 devices among them) from its spec to the plan and the SPMD
   * StableHLO text: the median of three runs after a warm-up, and the heap's peak during one.
   */
  private void compilePresets() {
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    for (String name : quick ? List.of("tiny-switch", "switch-base-8") : dev.switchc.frontend.model.Presets.NAMES) {
      Runnable once = () -> Compilation.of(dev.switchc.frontend.model.Presets.load(name), Mode.EVAL).spmdText().text();
      once.run();
      double[] ms = new double[3];
      long peak = 0;
      for (int i = 0; i < ms.length; i++) {
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long t0 = System.nanoTime();
        once.run();
        ms[i] = (System.nanoTime() - t0) / 1e6;
        peak = Math.max(peak, heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum());
      }
      java.util.Arrays.sort(ms);
      Compilation c = Compilation.of(dev.switchc.frontend.model.Presets.load(name), Mode.EVAL);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("benchmark", "compile");
      r.put("configuration", name + " on " + c.plan().mesh());
      r.put("milliseconds", ms[1]);
      r.put("heap_peak_bytes", peak);
      r.put("parameters", c.plan().parameterCount());
      rows.add(r);
      md.append(String.format(Locale.ROOT, "| compile | %s on %s (%d devices), %,d parameters | spec to plan + SPMD StableHLO | | %.0f ms | | | JVM heap peak %.1f MiB (median of 3, warm JVM) |%n",
          name, c.plan().mesh(), c.plan().mesh().devices(), c.plan().parameterCount(), ms[1], peak / 1048576.0));
    }
  }

  private double usefulFraction = Double.NaN;

  /** The goals, each with what this run measured: reported, never asserted. */
  private void goals() {
    md.append("\n| goal | measured | met |\n|---|---|---|\n");
    for (Map<String, Object> r : List.copyOf(rows)) {
      String config = String.valueOf(r.get("configuration"));
      if (r.get("benchmark").equals("peer") && config.startsWith("S=4096 E=32 "))
        goal("switchc at least 3x faster than the TF Java ops peer (" + config + ")", (Double) r.get("ratio_b_over_a"), 3, true, "%.2fx");
      if (r.get("benchmark").equals("switch vs dense") && config.endsWith("cf=1.0"))
        goal("Switch / dense time at most 1.25 at capacity factor 1.0", (Double) r.get("ratio_b_over_a"), 1.25, false, "%.2f");
      if (r.get("benchmark").equals("compile") && config.startsWith("switch-c ")) {
        goal("Switch-C to plan + StableHLO in at most 2 s", (Double) r.get("milliseconds") / 1e3, 2, false, "%.2f s");
        goal("Switch-C to plan + StableHLO in at most 1 GB of heap", ((Number) r.get("heap_peak_bytes")).doubleValue() / (1 << 30), 1, false, "%.2f GiB");
      }
    }
    for (Map<String, Object> r : List.copyOf(rows))
      if (r.get("benchmark").equals("train") && String.valueOf(r.get("configuration")).contains("one device: step"))
        goal("training step at most 3.5x the forward on one device (" + String.valueOf(r.get("configuration")).replaceAll(", one device.*", "") + ")",
            (Double) r.get("ratio_b_over_a"), 3.5, false, "%.2fx");
    if (!Double.isNaN(usefulFraction)) goal("Switch layer's useful FLOPs at least 70% of the matmul peak", usefulFraction * 100, 70, true, "%.0f%%");
  }

  private void goal(String what, double measured, double bound, boolean atLeast, String format) {
    boolean met = atLeast ? measured >= bound : measured <= bound;
    md.append("| ").append(what).append(" | ").append(String.format(Locale.ROOT, format, measured)).append(" | ").append(met ? "yes" : "no").append(" |\n");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("benchmark", "goal");
    r.put("configuration", what);
    r.put("measured", measured);
    r.put("met", met);
    rows.add(r);
  }

  private void compile(int experts) {
    Mesh mesh = Mesh.of(new MeshAxis("expert", experts));
    Located<SwitchLayerSpec> l = SwitchLayer.builder().batch(experts).seq(512).dModel(1024).dFf(4096).experts(experts).groupSize(512).build();
    Program program = Program.of(l).mesh("expert", experts).build();
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long t0 = System.nanoTime();
    Compilation c = Compilation.of(program, Mode.EVAL);
    String text = StableHlo.compileSpmd(c.sharded()).text();
    double ms = (System.nanoTime() - t0) / 1e6;
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum(); // whole JVM heap, an upper bound
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("benchmark", "compile");
    r.put("configuration", "Switch layer, " + experts + " experts on expert=" + experts);
    r.put("milliseconds", ms);
    r.put("heap_peak_bytes", peak);
    r.put("module_lines", text.lines().count());
    r.put("plan_collectives", c.plan().collectives().size());
    rows.add(r);
    md.append(String.format(Locale.ROOT, "| compile | %s experts on expert=%s | spec to plan + SPMD StableHLO | | %.0f ms | | | JVM heap peak %.1f MiB, %d lines |%n",
        experts, experts, ms, peak / 1048576.0, text.lines().count()));
  }

  private void overhead(int calls) {
    CompiledModule tiny = Programs.tiny();
    try (CpuProgram p = CpuProgram.load(tiny); BareCall bare = new BareCall(tiny)) {
      Map<String, HostTensor> in = new LinkedHashMap<>();
      in.put("a", HostTensor.f32(dev.switchc.ir.Shape.SCALAR, new float[] {1}));
      in.put("b", HostTensor.f32(dev.switchc.ir.Shape.SCALAR, new float[] {2}));
      if (p.run(in).get("c").floats()[0] != 3 || bare.run(1, 2) != 3) throw new IllegalStateException("1 + 2 != 3");
      Interleaved t = Interleaved.time(() -> {
        for (int i = 0; i < calls; i++) bare.run(1, 2);
      }, () -> {
        for (int i = 0; i < calls; i++) p.run(in);
      }, 1, quick ? 3 : 7);
      row("overhead", calls + " calls of a scalar add", "bare XlaCallModule session", "switchc CpuProgram", t, "both give 3");
    }
  }

  /** The dense FFN's weights: the first expert's, so both sides of "switch vs dense" multiply the same numbers. */
  private static Map<String, HostTensor> denseWeights(CompiledModule dense, Map<String, float[]> params, long d, long f) {
    Map<String, HostTensor> weights = new LinkedHashMap<>();
    weights.put("wi", HostTensor.ofFloats(dense.signature().inputs().get(1).type(), java.util.Arrays.copyOf(params.get("experts/wi"), (int) (d * f))));
    weights.put("wo", HostTensor.ofFloats(dense.signature().inputs().get(2).type(), java.util.Arrays.copyOf(params.get("experts/wo"), (int) (d * f))));
    return weights;
  }

  /** A Switch layer (one device unless the program has a mesh) with its seeded parameters (seed 1) kept in native memory: each run feeds only x. */
  private static final class BoundLayer implements AutoCloseable {
    final ProgramRun run;
    final Map<String, float[]> params;
    final ProgramRun.Bound bound;

    BoundLayer(Located<SwitchLayerSpec> layer) {
      this(Program.single(layer), new Backend.Xla());
    }

    BoundLayer(Program program, Backend backend) {
      run = ProgramRun.load(Compilation.of(program, Mode.EVAL), backend);
      params = run.initialParameters(1);
      bound = run.bind(params);
    }

    /** y for input x ([batch, seq, d_model], row-major). */
    float[] run(float[] x) {
      return bound.run(Map.of("x", run.input("x", x))).floats("y");
    }

    @Override
    public void close() {
      bound.close();
      run.close();
    }
  }
}
