package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.cli.Main;
import dev.switchc.driver.io.FloatArray;
import dev.switchc.driver.io.Json;
import dev.switchc.driver.io.Npy;
import dev.switchc.driver.io.Safetensors;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.lowering.StableHlo;
import dev.switchc.tests.reference.SwitchReference;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchc run} and {@code switchc compile} as a user drives them, on the canonical example. */
class CliTest {
  static final Path EXAMPLE = Path.of("..", "examples", "switch-layer.swc");
  /** Small enough to be quick, with overflowing tokens (capacity factor 0.5). */
  static final List<String> SMALL = List.of("--set", "batch=2", "--set", "seq=32", "--set", "d_model=32", "--set", "d_ff=64",
      "--set", "experts=4", "--set", "group_size=32", "--set", "capacity_factor=0.5", "--set", "min_capacity=1");

  @TempDir
  static Path dir;

  record Outcome(int status, String out, String err) {}

  static Outcome cli(List<String> args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString());
  }

  static List<String> args(Object... parts) {
    List<String> a = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof List<?> l) for (Object o : l) a.add(o.toString());
      else a.add(p.toString());
    }
    return a;
  }

  static Path input;

  @BeforeAll
  static void writeInput() throws Exception {
    input = dir.resolve("x.npy");
    float[] x = new float[2 * 32 * 32];
    Random r = new Random(42);
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    Npy.writeFloats(input, new long[] {2, 32, 32}, x);
  }

  @Test
  void runWritesOutputsThatMatchTheReference() throws Exception {
    Path params = dir.resolve("p.safetensors"), y = dir.resolve("y.npy"), stats = dir.resolve("s.json");
    Outcome o = cli(args("run", EXAMPLE, SMALL, "--seed", 5, "--save-params", params, "--input", input, "--output", y, "--stats", stats));
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("aux_loss") && o.out().contains("wrote output y " + y), o.out());

    Map<String, FloatArray> p = Safetensors.read(params).tensors();
    assertArrayEquals(new long[] {32, 4}, p.get("router/w").shape());
    assertArrayEquals(new long[] {4, 32, 64}, p.get("experts/wi").shape());
    assertArrayEquals(new long[] {4, 64, 32}, p.get("experts/wo").shape());
    SwitchReference.Result want = SwitchReference.compute(
        new SwitchReference.Config(2, 32, 32, 64, 4, 32, new BigDecimal("0.5"), 1, false, 0.01),
        Npy.readFloats(input).data(), p.get("router/w").data(), p.get("experts/wi").data(), p.get("experts/wo").data());
    FloatArray got = Npy.readFloats(y);
    assertArrayEquals(new long[] {2, 32, 32}, got.shape());
    Compare.close("y.npy", got.data(), want.y(), 1e-4);

    @SuppressWarnings("unchecked")
    Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(stats));
    assertEquals(want.auxLoss(), ((Number) s.get("aux_loss")).doubleValue(), 1e-5 * want.auxLoss());
    assertEquals(want.droppedFraction(), ((Number) s.get("dropped_fraction")).doubleValue(), 1e-7);
    assertTrue(want.droppedFraction() > 0, "capacity factor 0.5 must overflow");
    assertEquals(want.expertCapacity(), ((Number) s.get("expert_capacity")).longValue());
    assertEquals(2L, ((Number) s.get("groups")).longValue());
    List<?> tpe = (List<?>) s.get("tokens_per_expert");
    for (int e = 0; e < 4; e++) assertEquals(want.tokensPerExpert()[e], ((Number) tpe.get(e)).longValue());

    // The saved parameters, read back, reproduce the output exactly.
    Path y2 = dir.resolve("y2.npy");
    Outcome again = cli(args("run", EXAMPLE, SMALL, "--params", params, "--input", input, "--output", y2, "--stats", dir.resolve("s2.json")));
    assertEquals(0, again.status(), again.err());
    assertArrayEquals(got.data(), Npy.readFloats(y2).data());
  }

  @Test
  void seededInitialisationIsDeterministicAndFollowsTheSeed() throws Exception {
    Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors"), c = dir.resolve("c.safetensors");
    for (Object[] run : new Object[][] {{a, 1}, {b, 1}, {c, 2}})
      assertEquals(0, cli(args("run", EXAMPLE, SMALL, "--seed", run[1], "--save-params", run[0], "--output", dir.resolve("y.npy"), "--stats", dir.resolve("s.json"))).status());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
    // sigma = sqrt(init_scale / fan_in) = sqrt(0.1 / 32), cut at 2 sigma.
    float[] w = Safetensors.read(a).tensors().get("experts/wi").data();
    double sigma = Math.sqrt(0.1 / 32), sq = 0;
    for (float v : w) {
      assertTrue(Math.abs(v) <= 2 * sigma + 1e-7, "truncated at 2 sigma");
      sq += v * v;
    }
    double std = Math.sqrt(sq / w.length); // a normal cut at 2 sigma has std 0.8796 sigma
    assertEquals(0.8796 * sigma, std, 0.03 * sigma);
  }

  @Test
  void trainModeUsesTheTrainCapacityFactor() throws Exception {
    Path stats = dir.resolve("train.json");
    Outcome o = cli(args("run", EXAMPLE, SMALL, "--set", "train_capacity_factor=2.0", "--train", "--output", dir.resolve("t.npy"), "--stats", stats));
    assertEquals(0, o.status(), o.err());
    @SuppressWarnings("unchecked")
    Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(stats));
    assertEquals("train", s.get("mode"));
    assertEquals(16L, ((Number) s.get("expert_capacity")).longValue()); // floor(32 * 2.0 / 4)
  }

  @Test
  void parameterFileWithMissingOrMisshapenTensorsIsAClearError() throws Exception {
    Path missing = dir.resolve("missing.safetensors"), wrong = dir.resolve("wrong.safetensors"), y = dir.resolve("never.npy");
    Map<String, FloatArray> t = new LinkedHashMap<>();
    t.put("router/w", new FloatArray(new long[] {32, 4}, new float[128]));
    t.put("experts/wi", new FloatArray(new long[] {4, 32, 64}, new float[4 * 32 * 64]));
    Safetensors.write(missing, t, Map.of());
    t.put("experts/wo", new FloatArray(new long[] {4, 32, 64}, new float[4 * 32 * 64]));
    Safetensors.write(wrong, t, Map.of());

    Outcome o = cli(args("run", EXAMPLE, SMALL, "--params", missing, "--output", y));
    assertEquals(2, o.status());
    assertEquals("error: " + missing + ": missing tensor 'experts/wo'; the spec needs shape [experts=4, d_ff=64, d_model=32]\n", o.err());
    o = cli(args("run", EXAMPLE, SMALL, "--params", wrong, "--output", y));
    assertEquals(2, o.status());
    assertEquals("error: " + wrong + ": tensor 'experts/wo' has shape [4, 32, 64] but the spec needs [experts=4, d_ff=64, d_model=32];"
        + " regenerate the file with --save-params for this spec, or fix the spec's sizes\n", o.err());
    assertFalse(Files.exists(y), "no output may be written when the run fails");
  }

  @Test
  void inputOfTheWrongShapeIsAClearError() throws Exception {
    Path bad = dir.resolve("bad-x.npy"), y = dir.resolve("never2.npy");
    Npy.writeFloats(bad, new long[] {2, 16, 32}, new float[2 * 16 * 32]);
    Outcome o = cli(args("run", EXAMPLE, SMALL, "--input", bad, "--output", y));
    assertEquals(2, o.status());
    assertEquals("error: " + bad + ": input has shape [2, 16, 32] but the spec needs [batch=2, seq=32, d_model=32];"
        + " write a float32 array of that shape, or change batch/seq/d_model with --set\n", o.err());
    assertFalse(Files.exists(y));
  }

  @Test
  void nonFiniteInputsAndParametersAreRefused() throws Exception {
    Path nan = dir.resolve("nan.npy"), y = dir.resolve("never3.npy");
    float[] x = new float[2 * 32 * 32];
    x[7] = Float.NaN;
    Npy.writeFloats(nan, new long[] {2, 32, 32}, x);
    Outcome o = cli(args("run", EXAMPLE, SMALL, "--input", nan, "--output", y));
    assertEquals(2, o.status());
    assertEquals("error: " + nan + ": input holds NaN at element 7; the layer's input must be finite numbers\n", o.err());
    Path inf = dir.resolve("inf.safetensors");
    Map<String, FloatArray> t = new LinkedHashMap<>();
    float[] router = new float[128];
    router[3] = Float.POSITIVE_INFINITY;
    t.put("router/w", new FloatArray(new long[] {32, 4}, router));
    t.put("experts/wi", new FloatArray(new long[] {4, 32, 64}, new float[4 * 32 * 64]));
    t.put("experts/wo", new FloatArray(new long[] {4, 64, 32}, new float[4 * 64 * 32]));
    Safetensors.write(inf, t, Map.of());
    o = cli(args("run", EXAMPLE, SMALL, "--params", inf, "--output", y));
    assertEquals(2, o.status());
    assertEquals("error: " + inf + ": tensor 'router/w' holds Infinity at element 3; parameters must be finite numbers\n", o.err());
    assertFalse(Files.exists(y));
  }

  @Test
  void specErrorsAreOneLinePerProblemWithStatus2() {
    Outcome o = cli(args("run", EXAMPLE, "--set", "experts=0", "--set", "group_size=100"));
    assertEquals(2, o.status());
    assertEquals("--set experts=0: error: experts=0: must be at least 1; expected a positive integer\n", o.err());
    o = cli(args("run", EXAMPLE, "--set", "group_size=100"));
    assertEquals(2, o.status());
    assertEquals("--set group_size=100: error: group_size = 100 does not divide batch * seq = 8 * 128 = 1024;"
        + " every group must be full: use a divisor of 1024 such as 64\n", o.err());
    o = cli(args("run", dir.resolve("nope.swc")));
    assertEquals(2, o.status());
    assertTrue(o.err().startsWith(dir.resolve("nope.swc") + ": error: cannot read spec file"), o.err());
    o = cli(args("run", EXAMPLE, "--bogus"));
    assertEquals(2, o.status());
    assertTrue(o.err().startsWith("switchc: error: Unknown option: '--bogus'"), o.err());
  }

  @Test
  void aLayerTooLargeForThisMachineIsRefusedBeforeAnythingIsAllocated() {
    Outcome o = cli(args("run", EXAMPLE, "--set", "min_capacity=100000000", "--output", dir.resolve("huge.npy")));
    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().startsWith("error: this run needs about "), o.err());
    assertTrue(o.err().contains("expert_capacity=100000000"), o.err());
    assertFalse(Files.exists(dir.resolve("huge.npy")));
  }

  @Test
  void runOnAMeshGivesTheSingleDeviceOutput() throws Exception {
    Path single = dir.resolve("single.npy"), sharded = dir.resolve("sharded.npy");
    Outcome a = cli(args("run", EXAMPLE, SMALL, "--input", input, "--output", single, "--stats", dir.resolve("a.json")));
    Outcome b = cli(args("run", EXAMPLE, SMALL, "--mesh", "expert=2", "--input", input, "--output", sharded, "--stats", dir.resolve("b.json")));
    assertEquals(0, a.status(), a.err());
    assertEquals(0, b.status(), b.err());
    assertTrue(b.out().startsWith("ran the SPMD program for mesh expert=2 (2 devices) through XLA's SPMD partitioner on 2 XLA CPU devices"), b.out());
    Compare.close("sharded y.npy", Npy.readFloats(sharded).data(), Compare.toDouble(Npy.readFloats(single).data()), 1e-5);
    Outcome e = cli(args("run", EXAMPLE, SMALL, "--mesh", "expert=2", "--emulate", "--input", input, "--output", dir.resolve("emulated.npy"),
        "--stats", dir.resolve("e.json")));
    assertEquals(0, e.status(), e.err());
    assertTrue(e.out().startsWith("ran the SPMD program for mesh expert=2 (2 devices) in switchc's CPU emulation of the mesh"), e.out());
    Compare.closeToScale("emulated y.npy", Npy.readFloats(dir.resolve("emulated.npy")).data(), Compare.toDouble(Npy.readFloats(sharded).data()), 1e-6);
  }

  @Test
  void planAndCompileForTpu() throws Exception {
    Outcome text = cli(args("plan", EXAMPLE, "--mesh", "data=2,expert=4"));
    assertEquals(0, text.status(), text.err());
    assertTrue(text.out().startsWith("sharding plan: switch_layer on mesh data=2,expert=4 (8 devices)"), text.out());
    assertTrue(text.out().contains("all_to_all  expert"), text.out());
    Path html = dir.resolve("p.html");
    assertEquals(0, cli(args("plan", EXAMPLE, "--mesh", "data=2,expert=4", "--format", "html", "-o", html)).status());
    assertTrue(Files.readString(html).contains("class=\"device-cell\""));
    assertEquals(2, cli(args("plan", EXAMPLE, "--format", "proto")).status(), "proto needs -o");
    Path out = dir.resolve("tpu");
    Outcome c = cli(args("compile", EXAMPLE, "--mesh", "data=2,expert=4", "--target", "tpu", "-o", out));
    assertEquals(0, c.status(), c.err());
    for (String f : List.of("module.mlir", "plan.json", "plan.pb", "ir.txt", "summary.txt")) assertTrue(Files.exists(out.resolve(f)), f);
    assertTrue(Files.readString(out.resolve("module.mlir")).contains("mhlo.num_partitions = 8 : i32"));
    assertEquals(dev.switchc.driver.report.proto.Plan.parseFrom(Files.readAllBytes(out.resolve("plan.pb"))).getMesh().getDevices(), 8);
    Outcome bad = cli(args("plan", EXAMPLE, "--mesh", "data=2,expert=3"));
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains("cannot shard dim"), bad.err());
  }

  @Test
  void compileWritesTheModuleAndASummary() throws Exception {
    Path out = dir.resolve("compiled");
    Outcome o = cli(args("compile", EXAMPLE, SMALL, "-o", out));
    assertEquals(0, o.status(), o.err());
    String expected = StableHlo.compile(SwitchLayerIr.build(Overrides.load(EXAMPLE, SMALL.stream().filter(s -> !s.equals("--set")).toList(), java.util.Optional.empty(), List.of()).definition(dev.switchc.frontend.SwitchLayerSpec.class), Mode.EVAL)).text();
    assertEquals(expected, Files.readString(out.resolve("module.mlir")));
    assertTrue(Files.readString(out.resolve("summary.txt")).contains("expert capacity 4 per group"), Files.readString(out.resolve("summary.txt")));
  }
}
