package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.cli.Main;
import dev.switchc.driver.ProgramRun;
import dev.switchc.driver.io.FloatArray;
import dev.switchc.driver.io.Json;
import dev.switchc.driver.io.Npy;
import dev.switchc.driver.io.Safetensors;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.Dim;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole models through {@code switchc plan|run|compile --preset NAME}, in process through
 * {@link Main#run}, as a user drives them: the Switch-C plan, runs of the tiny models on their
 * emulated meshes, token-id and parameter files, and every user mistake exiting with status 2, a
 * one-line message, no stack trace and no output file.
 */
class ModelCliTest {
  static final Path LAYER_SPEC = Path.of("..", "examples", "switch-layer.swc");
  /** tiny-switch and tiny-switch-lm (examples/presets): vocab 64, batch 4, seq 16, dec_seq 8. */
  static final int VOCAB = 64, BATCH = 4, SEQ = 16, DEC_SEQ = 8;

  @TempDir
  static Path dir;

  record Outcome(int status, String out, String err) {}

  static Outcome cli(Object... parts) {
    List<String> args = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> l) for (Object o : l) args.add(o.toString());
      else args.add(p.toString());
    }
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString());
  }

  static Map<?, ?> json(Path file) throws Exception {
    return (Map<?, ?>) Json.parse(Files.readString(file));
  }

  static double number(Map<?, ?> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  // ---------------------------------------------------------------- plan

  /** Table 9/10: Switch-C, 2048 experts in every FFN of 15 + 15 layers, one expert per core. */
  @Test
  void planSwitchCAsText() {
    Outcome o = cli("plan", "--preset", "switch-c");
    assertEquals(0, o.status(), o.err());
    assertEquals("", o.err());
    String text = o.out();
    assertTrue(text.startsWith("sharding plan: switch_transformer on mesh expert=2048 (2048 devices)\n"), text.substring(0, 200));
    assertTrue(text.contains("(all devices: 1571308972448 parameters, "), "parameter total");

    // Collectives: one all-to-all each way for each of the 30 Switch layers (switch_every = 1).
    List<String> lines = text.lines().toList();
    int collectives = lines.indexOf("collectives");
    assertTrue(collectives > 0, "a collectives section");
    List<String> a2a = lines.subList(collectives + 1, lines.size()).stream().filter(l -> l.startsWith("  all_to_all")).toList();
    assertEquals(2 * 30, a2a.size());
    for (String l : a2a) assertTrue(l.startsWith("  all_to_all  expert  2048   bf16"), l);

    // Parameters by layer: shared, then each stack's own tables and its 15 layers in program order.
    int byLayer = java.util.stream.IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith("parameters by layer")).findFirst().orElse(-1);
    assertTrue(byLayer > 0, "a 'parameters by layer' section");
    List<String> names = new ArrayList<>();
    for (String l : lines.subList(byLayer + 2, lines.size())) {
      if (l.isBlank()) break;
      names.add(l.trim().split("\\s+")[0]);
    }
    List<String> want = new ArrayList<>(List.of("shared", "encoder"));
    for (int i = 0; i < 15; i++) want.add(String.format("encoder/layer_%03d", i));
    want.add("decoder");
    for (int i = 0; i < 15; i++) want.add(String.format("decoder/layer_%03d", i));
    want.add("lm_head");
    assertEquals(want, names);
    // An encoder layer, from the paper's sizes: attention q, k, v, o (32 heads x 64 = 2048 wide),
    // two norms, 2048 experts of wi and wo, the router.
    long dModel = 2080, inner = 32 * 64, dFf = 6144, experts = 2048;
    long encoderLayer = 4 * dModel * inner + 2 * dModel + experts * 2 * dModel * dFf + dModel * experts;
    String row = lines.get(byLayer + 2 + 2);
    assertTrue(row.matches("  encoder/layer_000 +" + encoderLayer + " .*"), row + " (expected " + encoderLayer + " parameters)");
  }

  @Test
  void planSwitchCAsJsonHasTheTotalAndItsSubtotalsByLayer() throws Exception {
    Path file = dir.resolve("switch-c.json");
    Outcome o = cli("plan", "--preset", "switch-c", "--format", "json", "-o", file);
    assertEquals(0, o.status(), o.err());
    assertEquals("wrote json plan to " + file + "\n", o.out());
    Map<?, ?> plan = json(file);
    assertEquals(2048L, ((Map<?, ?>) plan.get("mesh")).get("devices"));
    Map<?, ?> parameters = (Map<?, ?>) plan.get("parameters");
    assertEquals(1571308972448L, parameters.get("total"));
    List<?> byLayer = (List<?>) parameters.get("by_layer");
    assertEquals(2 + 2 * 15 + 1, byLayer.size(), "shared, encoder, decoder and 30 layers");
    long sum = 0, bytes = 0;
    for (Object e : byLayer) {
      sum += ((Number) ((Map<?, ?>) e).get("parameters")).longValue();
      bytes += ((Number) ((Map<?, ?>) e).get("bytes")).longValue();
    }
    assertEquals(1571308972448L, sum, "by_layer adds up to the total");
    assertEquals(((Number) parameters.get("total_bytes")).longValue(), bytes);
    assertEquals(4 * 1571308972448L, bytes, "f32 parameters");
  }

  // ---------------------------------------------------------------- run

  /** A run's logits and losses, memoised: several tests compare against the default runs. */
  record RunResult(FloatArray logits, Map<?, ?> stats, String out) {}

  static final Map<List<String>, RunResult> RUNS = new java.util.concurrent.ConcurrentHashMap<>();
  static int runCounter;

  static synchronized RunResult run(String preset, Object... extra) throws Exception {
    List<String> key = new ArrayList<>(List.of(preset));
    for (Object e : extra) key.add(e.toString());
    RunResult cached = RUNS.get(key);
    if (cached != null) return cached;
    Path logits = dir.resolve("run" + runCounter + "-logits.npy"), stats = dir.resolve("run" + runCounter + "-stats.json");
    runCounter++;
    Outcome o = cli("run", "--preset", preset, List.of(extra), "--output", logits, "--stats", stats);
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("wrote output logits " + logits + "\n") && o.out().contains("wrote stats " + stats + "\n"), o.out());
    RunResult r = new RunResult(Npy.readFloats(logits), json(stats), o.out());
    RUNS.put(key, r);
    return r;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-switch", "tiny-switch-lm"})
  void runWritesLogitsAndLossesThatAddUp(String preset) throws Exception {
    RunResult r = run(preset);
    long length = preset.equals("tiny-switch") ? DEC_SEQ : SEQ; // encoder-decoder logits are over the targets
    assertArrayEquals(new long[] {BATCH, length, VOCAB}, r.logits().shape());
    assertTrue(r.out().startsWith("ran the SPMD program for mesh data=2,expert=2 (4 devices) through XLA's SPMD partitioner on 4 XLA CPU devices, with XLA's collectives\n"), r.out());
    assertEquals("eval", r.stats().get("mode"));
    double loss = number(r.stats(), "loss"), ce = number(r.stats(), "cross_entropy"), aux = number(r.stats(), "aux_loss"), z = number(r.stats(), "z_loss");
    assertEquals(ce + aux + z, loss, 2e-6 * Math.abs(loss), "loss = cross_entropy + aux_loss + z_loss");
    assertTrue(ce > 1 && ce < 20, "cross entropy of a random model over 64 ids: " + ce);
    assertTrue(aux > 0 && z > 0, "both Switch losses are on (router_aux_loss_coef 0.01, router_z_loss_coef 0.001)");
    for (float v : r.logits().data()) assertTrue(Float.isFinite(v));
  }

  @Test
  void aOneDeviceMeshGivesTheLogitsOfTheMesh() throws Exception {
    RunResult mesh = run("tiny-switch"), one = run("tiny-switch", "--mesh", "data=1");
    assertFalse(one.out().contains("ran the SPMD program"), "data=1 is one device: " + one.out());
    Compare.closeToScale("logits on data=1 vs data=2,expert=2", one.logits().data(), Compare.toDouble(mesh.logits().data()), 1e-5);
    for (String k : List.of("loss", "cross_entropy", "aux_loss", "z_loss"))
      assertEquals(number(mesh.stats(), k), number(one.stats(), k), 1e-5 * Math.abs(number(mesh.stats(), k)) + 1e-7, k);
  }

  /** Random ids in [0, vocab) with the tail of every row padding (0), as a real batch. */
  static int[] ids(long seed, int rows, int cols, int padded) {
    Random r = new Random(seed);
    int[] ids = new int[rows * cols];
    for (int b = 0; b < rows; b++)
      for (int t = 0; t < cols; t++) ids[b * cols + t] = t >= cols - padded * (b % 2) ? 0 : 1 + r.nextInt(VOCAB - 1);
    return ids;
  }

  /** The T5 cross entropy of {@code logits [batch, length, vocab]} against {@code targets}: mean over ids != 0 of lse - logit[target]. */
  static double crossEntropy(float[] logits, int[] targets) {
    double sum = 0;
    int count = 0;
    for (int p = 0; p < targets.length; p++) {
      if (targets[p] == 0) continue;
      double max = Double.NEGATIVE_INFINITY, s = 0;
      for (int v = 0; v < VOCAB; v++) max = Math.max(max, logits[p * VOCAB + v]);
      for (int v = 0; v < VOCAB; v++) s += Math.exp(logits[p * VOCAB + v] - max);
      sum += max + Math.log(s) - logits[p * VOCAB + targets[p]];
      count++;
    }
    return sum / Math.max(1, count);
  }

  /** tiny-switch ids (with padding) written as int32 .npy files once, for the runs that read them. */
  static int[] inputs, targets;
  static Path inputsFile, targetsFile;

  @BeforeAll
  static void writeIds() throws Exception {
    inputs = ids(1, BATCH, SEQ, 5);
    targets = ids(2, BATCH, DEC_SEQ, 3);
    inputsFile = dir.resolve("inputs.npy");
    targetsFile = dir.resolve("targets.npy");
    Npy.writeInts(inputsFile, new long[] {BATCH, SEQ}, inputs);
    Npy.writeInts(targetsFile, new long[] {BATCH, DEC_SEQ}, targets);
  }

  @Test
  void inputAndTargetFilesAreTheIdsTheModelRuns() throws Exception {
    RunResult a = run("tiny-switch", "--input", inputsFile, "--targets", targetsFile);
    // The cross entropy in the stats is that of the written logits, read as [batch, dec_seq, vocab],
    // against the file's targets (padding excluded).
    double ce = number(a.stats(), "cross_entropy");
    assertEquals(crossEntropy(a.logits().data(), targets), ce, 1e-5 * ce);
    assertFalse(Arrays.equals(a.logits().data(), run("tiny-switch").logits().data()), "the default (seeded) ids give other logits");

    // The same arrays run again (through the library: seed 0 parameters, the preset's mesh) give the same numbers.
    Program program = Presets.load("tiny-switch");
    try (ProgramRun lib = ProgramRun.load(Compilation.of(program, Mode.EVAL))) {
      ModelSpec s = program.spec(ModelSpec.class);
      Runs.Model r = Runs.model(lib, lib.initialParameters(0), inputs, targets);
      assertEquals(r.loss(), (float) number(a.stats(), "loss"));
      assertEquals(r.crossEntropy(), (float) ce);
      assertEquals(r.auxLoss(), (float) number(a.stats(), "aux_loss"));
      assertEquals(r.zLoss(), (float) number(a.stats(), "z_loss"));
      assertArrayEquals(r.logits(), a.logits().data());
    }

    // Decoder-only: the input is also the target.
    int[] lm = ids(4, BATCH, SEQ, 4);
    Path lmIn = dir.resolve("lm-inputs.npy");
    Npy.writeInts(lmIn, new long[] {BATCH, SEQ}, lm);
    RunResult d = run("tiny-switch-lm", "--input", lmIn);
    assertArrayEquals(new long[] {BATCH, SEQ, VOCAB}, d.logits().shape());
    assertEquals(crossEntropy(d.logits().data(), lm), number(d.stats(), "cross_entropy"), 1e-5 * number(d.stats(), "cross_entropy"));
  }

  @Test
  void savedParametersReproduceTheLogitsExactly() throws Exception {
    Path params = dir.resolve("tiny-switch.safetensors");
    RunResult saved = run("tiny-switch", "--seed", 5, "--input", inputsFile, "--targets", targetsFile, "--save-params", params);
    assertTrue(saved.out().contains("wrote parameters " + params + "\n"), saved.out());

    // The file holds every parameter of the model, f32, with the paper's shapes.
    Map<String, FloatArray> t = Safetensors.read(params).tensors();
    assertEquals(49, t.size(), t.keySet().toString());
    assertArrayEquals(new long[] {VOCAB, 32}, t.get("shared/embedding").shape());
    assertArrayEquals(new long[] {4, 32, 64}, t.get("encoder/layer_001/ffn/experts/wi").shape());
    assertArrayEquals(new long[] {4, 64, 32}, t.get("decoder/layer_001/ffn/experts/wo").shape());
    assertArrayEquals(new long[] {32, 64}, t.get("decoder/layer_000/ffn/wi").shape());
    // tiny-switch: d_model 32, d_ff 64, 4 heads of 8, 4 experts, 2 + 2 layers (layer 1 sparse), 32 buckets.
    long d = 32, ff = 64, attn = 4 * d * 32, e = 4, bias = 32 * 4;
    long dense = 2 * d * ff, sparse = e * 2 * d * ff + d * e;
    long encoder = bias + (attn + 2 * d + dense) + (attn + 2 * d + sparse) + d;
    long decoder = bias + (2 * attn + 3 * d + dense) + (2 * attn + 3 * d + sparse) + d;
    long total = VOCAB * d + encoder + decoder;
    assertEquals(total, t.values().stream().mapToLong(a -> a.data().length).sum());
    assertTrue(saved.out().contains(total + " parameters"), saved.out());

    // Seed 5's parameters are not seed 0's (same ids) ...
    RunResult seed0 = run("tiny-switch", "--input", inputsFile, "--targets", targetsFile);
    assertFalse(Arrays.equals(saved.logits().data(), seed0.logits().data()), "seed 5 draws other parameters than seed 0");
    // ... and with --params another seed runs the file's: bit for bit the same logits and losses.
    RunResult again = run("tiny-switch", "--seed", 0, "--input", inputsFile, "--targets", targetsFile, "--params", params);
    assertArrayEquals(saved.logits().data(), again.logits().data());
    assertEquals(saved.stats(), again.stats());
  }

  // ---------------------------------------------------------------- user errors

  /** Runs {@code args} expecting status 2 and exactly {@code message} (or, if it ends with "...", a message starting with it); nothing written. */
  static void userError(String message, Object... args) throws Exception {
    Path out = Files.createTempDirectory(dir, "never");
    Path logits = out.resolve("logits.npy"), stats = out.resolve("stats.json"), saved = out.resolve("p.safetensors");
    Outcome o = cli(List.of(args), "--output", logits, "--stats", stats, "--save-params", saved);
    assertEquals(2, o.status(), o.err());
    if (message.endsWith("...")) assertTrue(o.err().startsWith(message.substring(0, message.length() - 3)), o.err());
    else assertEquals(message + "\n", o.err());
    assertEquals(1, o.err().lines().count(), "one line: " + o.err());
    assertFalse(o.err().contains("\tat ") || o.err().contains("Exception"), "no stack trace: " + o.err());
    assertEquals("", o.out());
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of(), files.toList(), "no output file may be written");
    }
  }

  /** Sizes valid one by one but too large together, or a directory given as a file: exit 2 with a message, never a crash. */
  @Test
  void extremeSizesAndDirectoriesGiveMessages() throws Exception {
    Outcome huge = cli("plan", "--preset", "tiny-switch", "--set", "capacity_factor=1e30");
    assertEquals(0, huge.status(), huge.err()); // the capacity is then the whole group
    assertTrue(huge.out().contains("expert_capacity: 8 per group of 8 tokens"), huge.out());
    Outcome overflow = cli("plan", "--preset", "switch-c", "--set", "experts=2147483647", "--mesh", "data=1");
    assertEquals(2, overflow.status(), overflow.err());
    assertTrue(overflow.err().startsWith("error: the program's sizes are too large to count in 64 bits"), overflow.err());
    Outcome deep = cli("plan", "--preset", "tiny-switch", "--set", "layers=100000");
    assertEquals(2, deep.status(), deep.err());
    assertEquals("--set layers=100000: error: layers=100000: must be at most 1024 layers per stack (the deepest published T5/Switch stacks"
        + " have 24 to 48)\n", deep.err());
    userError("error: " + dir + " is a directory, not a regular file; give the file to read", "run", "--preset", "tiny-switch-lm", "--input", dir);
  }

  /** An output that cannot be written is refused before the run, so none of the other outputs appears. */
  @Test
  void unwritableOutputsAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path out = Files.createTempDirectory(dir, "outputs");
    Path saved = out.resolve("p.safetensors"), stats = out.resolve("stats.json");
    Outcome o = cli(List.of("run", "--preset", "tiny-switch", "--save-params", saved, "--stats", stats, "--output", out));
    assertEquals(2, o.status(), o.err());
    assertEquals("error: --output " + out + ": a directory, not a regular file; switchc writes its outputs only to regular files: give a file name inside it, e.g. "
        + out.resolve("out.npy") + "\n", o.err());
    Path file = out.resolve("plain-file");
    Files.writeString(file, "x");
    o = cli(List.of("run", "--preset", "tiny-switch", "--save-params", saved, "--stats", stats, "--output", file.resolve("y.npy")));
    assertEquals(2, o.status(), o.err());
    assertEquals("error: --output " + file.resolve("y.npy") + ": " + file + " is a regular file, not a directory; choose another output path\n", o.err());
    o = cli(List.of("compile", "--preset", "tiny-switch", "-o", file));
    assertEquals(2, o.status(), o.err());
    assertEquals("error: -o " + file + ": a regular file, not a directory; give a directory for the outputs\n", o.err());
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of(file), files.toList(), "nothing but the test's own file");
    }
  }

  @Test
  void tokenIdsOutsideTheVocabulary() throws Exception {
    int[] ids = ids(21, BATCH, SEQ, 0);
    ids[1 * SEQ + 3] = VOCAB;
    Path big = dir.resolve("big.npy");
    Npy.writeInts(big, new long[] {BATCH, SEQ}, ids);
    userError("error: " + big + ": inputs holds token id 64 at [1, 3], outside [0, 64); token ids index the vocabulary (0 is padding)",
        "run", "--preset", "tiny-switch", "--input", big);
    ids[1 * SEQ + 3] = 5;
    ids[2 * SEQ + 5] = -1;
    Path negative = dir.resolve("negative.npy");
    Npy.writeInts(negative, new long[] {BATCH, SEQ}, ids);
    userError("error: " + negative + ": inputs holds token id -1 at [2, 5], outside [0, 64); token ids index the vocabulary (0 is padding)",
        "run", "--preset", "tiny-switch-lm", "--input", negative);
    int[] targets = ids(22, BATCH, DEC_SEQ, 0);
    targets[BATCH * DEC_SEQ - 1] = 1000;
    Path badTargets = dir.resolve("bad-targets.npy");
    Npy.writeInts(badTargets, new long[] {BATCH, DEC_SEQ}, targets);
    userError("error: " + badTargets + ": targets holds token id 1000 at [3, 7], outside [0, 64); token ids index the vocabulary (0 is padding)",
        "run", "--preset", "tiny-switch", "--targets", badTargets);
  }

  @Test
  void inputOfTheWrongShape() throws Exception {
    Path wrong = dir.resolve("wrong-shape.npy");
    Npy.writeInts(wrong, new long[] {BATCH, DEC_SEQ}, new int[BATCH * DEC_SEQ]);
    userError("error: " + wrong + ": inputs has shape [4, 8] but the model needs [batch=4, seq=16];"
        + " write an int32 array of that shape, or change batch/seq/dec_seq with --set", "run", "--preset", "tiny-switch", "--input", wrong);
    Path flat = dir.resolve("flat.npy");
    Npy.writeInts(flat, new long[] {BATCH * SEQ}, new int[BATCH * SEQ]);
    userError("error: " + flat + ": targets has shape [64] but the model needs [batch=4, dec_seq=8];"
        + " write an int32 array of that shape, or change batch/seq/dec_seq with --set", "run", "--preset", "tiny-switch", "--targets", flat);
  }

  @Test
  void targetsForADecoderOnlyModel() throws Exception {
    Path tg = dir.resolve("lm-targets.npy");
    Npy.writeInts(tg, new long[] {BATCH, SEQ}, ids(31, BATCH, SEQ, 0));
    userError("error: --targets: this model takes no targets; give only --input",
        "run", "--preset", "tiny-switch-lm", "--targets", tg);
  }

  @Test
  void unknownPresetSuggestsTheNearestName() throws Exception {
    String presets = "presets: " + String.join(", ", Presets.NAMES);
    assertTrue(presets.contains("switch-base-128") && presets.contains("tiny-switch-lm"), presets);
    userError("--preset switch-bse-128: error: unknown preset 'switch-bse-128'; did you mean 'switch-base-128'? " + presets,
        "run", "--preset", "switch-bse-128");
    userError("--preset tiny-swich: error: unknown preset 'tiny-swich'; did you mean 'tiny-switch'? " + presets,
        "run", "--preset", "tiny-swich");
    Outcome plan = cli("plan", "--preset", "switch-bse-128");
    assertEquals(2, plan.status());
    assertTrue(plan.err().startsWith("--preset switch-bse-128: error: unknown preset"), plan.err());
  }

  @Test
  void aSpecFileAndAPresetOrNeither() throws Exception {
    userError("error: give a spec file or --preset, not both", "run", LAYER_SPEC, "--preset", "tiny-switch");
    userError("error: give a spec file (e.g. examples/switch-layer.swc) or --preset NAME (" + String.join(", ", Presets.NAMES) + ")", "run");
    Path out = dir.resolve("never-compiled");
    Outcome c = cli("compile", LAYER_SPEC, "--preset", "tiny-switch", "-o", out);
    assertEquals(2, c.status());
    assertEquals("error: give a spec file or --preset, not both\n", c.err());
    assertFalse(Files.exists(out));
  }

  /**
   * Dropout rates are fractions in [0, 1). (Training-mode dropout itself, {@code --train --set
   * dropout=0.1}, used to be refused because switchc drew no random numbers; the model now takes a
   * noise seed in training mode (README "Noise"), so that is no longer a user error.)
   */
  @Test
  void dropoutRatesOutsideZeroToOne() throws Exception {
    userError("--set dropout=1: error: dropout=1: must be below 1; expected a fraction in [0, 1) such as 0.1",
        "run", "--preset", "tiny-switch", "--train", "--set", "dropout=1");
    userError("--set dropout=-0.1: error: dropout=-0.1: must be >= 0; expected a fraction in [0, 1) such as 0.1",
        "run", "--preset", "tiny-switch", "--set", "dropout=-0.1");
    userError("--set expert_dropout=1.5: error: expert_dropout=1.5: must be below 1; expected a fraction in [0, 1) such as 0.1",
        "run", "--preset", "tiny-switch-lm", "--train", "--set", "expert_dropout=1.5");
    Outcome eval = cli("plan", "--preset", "tiny-switch", "--set", "dropout=0.1");
    assertEquals(0, eval.status(), eval.err());
  }

  @Test
  void parameterFileMissingATensorOrWithAMisshapenOne() throws Exception {
    // A complete file for tiny-switch (zeros), then one without a tensor and one with a transposed one.
    Compilation tiny = Compilation.of(Presets.load("tiny-switch"), Mode.EVAL);
    List<ParamSpec> specs = ParameterInit.of(tiny.global(), tiny.dataInputNames());
    Map<String, FloatArray> full = new LinkedHashMap<>();
    for (ParamSpec p : specs)
      full.put(p.name(), new FloatArray(p.shape().dims().stream().mapToLong(Dim::size).toArray(), new float[(int) p.shape().elements()]));
    Map<String, FloatArray> missing = new LinkedHashMap<>(full);
    assertTrue(missing.remove("encoder/layer_001/ffn/experts/wo") != null);
    Path missingFile = dir.resolve("missing.safetensors");
    Safetensors.write(missingFile, missing, Map.of());
    userError("error: " + missingFile + ": missing tensor 'encoder/layer_001/ffn/experts/wo'; the spec needs shape [experts=4, d_ff=64, d_model=32]",
        "run", "--preset", "tiny-switch", "--params", missingFile);

    Map<String, FloatArray> wrong = new LinkedHashMap<>(full);
    wrong.put("decoder/layer_001/ffn/experts/wi", new FloatArray(new long[] {4, 64, 32}, new float[4 * 64 * 32]));
    Path wrongFile = dir.resolve("misshapen.safetensors");
    Safetensors.write(wrongFile, wrong, Map.of());
    userError("error: " + wrongFile + ": tensor 'decoder/layer_001/ffn/experts/wi' has shape [4, 64, 32] but the spec needs"
        + " [experts=4, d_model=32, d_ff=64]; regenerate the file with --save-params for this spec, or fix the spec's sizes",
        "run", "--preset", "tiny-switch", "--params", wrongFile);
  }

  @Test
  void groupSizeThatDoesNotDivideTheTokens() throws Exception {
    userError("--set group_size=7: error: group_size = 7 does not divide batch * seq = 4 * 16 = 64 or batch * dec_seq = 4 * 8 = 32;"
        + " every routing group must be full: use a common divisor of batch * seq = 64 and batch * dec_seq = 32 such as 4",
        "run", "--preset", "tiny-switch", "--set", "group_size=7");
  }

  // ---------------------------------------------------------------- compile

  @Test
  void compileWritesTheSpmdModuleThePlanAndASummary() throws Exception {
    Path out = dir.resolve("compiled-tiny-switch");
    Outcome o = cli("compile", "--preset", "tiny-switch", "-o", out);
    assertEquals(0, o.status(), o.err());
    for (String f : List.of("module.mlir", "ir.txt", "plan.json", "plan.pb", "summary.txt")) assertTrue(Files.exists(out.resolve(f)), f);
    String module = Files.readString(out.resolve("module.mlir"));
    assertTrue(module.contains("@shmap_body"), "the per-device body");
    assertTrue(module.contains("mhlo.num_partitions = 4 : i32"), "data=2,expert=2");
    assertTrue(module.contains("all_to_all"));
    Map<?, ?> plan = json(out.resolve("plan.json"));
    assertEquals("switch_transformer", plan.get("program"));
    assertEquals(68480L, ((Map<?, ?>) plan.get("parameters")).get("total"));
    var pb = dev.switchc.driver.report.proto.Plan.parseFrom(Files.readAllBytes(out.resolve("plan.pb")));
    assertEquals(4, pb.getMesh().getDevices());
    String summary = Files.readString(out.resolve("summary.txt"));
    assertTrue(summary.startsWith("model switch_transformer, 68480 parameters\n"), summary);
    assertTrue(summary.contains("SPMD module for mesh data=2,expert=2 (4 devices)"), summary);
    assertTrue(summary.contains("  logits: f32[batch=4, dec_seq=8, vocab=64]\n"), summary);
    assertTrue(summary.contains("  expert_capacity: 4 per group of 8 tokens\n"), summary); // floor(8 * 2.0 / 4)
    assertEquals(summary, o.out().substring(0, summary.length()), "the summary is also printed");
  }
}
