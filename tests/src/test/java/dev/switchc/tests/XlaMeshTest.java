package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.ProgramRun;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.DType;
import dev.switchc.lowering.Lower;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.cpu.spmd.SpmdProgram;
import dev.switchc.runtime.tpu.CpuClient;
import dev.switchc.runtime.tpu.PjrtProgram;
import dev.switchc.tests.Cases.Case;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * XLA's SPMD partitioner, running the SPMD module on N XLA CPU devices with XLA's collectives,
 * gives what switchc's emulation of the mesh gives (each tested against the single-device program
 * and plain Java elsewhere): layers on the six meshes of the sharding tests and whole models, in
 * evaluation and training, f32 and bf16. Floats within 1e-6 of the output's scale, integers exact.
 */
class XlaMeshTest {
  static final double FRACTION = 1e-6;

  static Stream<Arguments> layers() {
    List<Arguments> out = new ArrayList<>();
    for (String mesh : ShardedRunTest.MESHES)
      for (Mode mode : Mode.values())
        for (DType dtype : List.of(DType.F32, DType.BF16)) out.add(Arguments.of(mesh, mode, dtype));
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("layers")
  void aLayerOnXlaEqualsTheEmulation(String mesh, Mode mode, DType dtype) {
    // 8 experts, capacity factor 0.5 in training (tokens dropped) and 1.25 in evaluation.
    SwitchLayer.Builder b = Cases.layer(8, 16, 32, 64, 8, 16).trainCapacityFactor(0.5).evalCapacityFactor(1.25).minCapacity(1).activationDtype(dtype);
    Case c = Cases.of(mesh + " " + mode + " " + dtype, b, mode, 11);
    Compilation comp = Compilation.of(ShardedRunTest.on(c, mesh), mode);
    Runs.Layer xla = Runs.layer(comp, new Backend.Xla(), c.params(), c.x());
    Runs.Layer emulated = Runs.layer(comp, new Backend.Emulation(), c.params(), c.x());
    assertArrayEquals(emulated.tokensPerExpert(), xla.tokensPerExpert(), "tokens per expert");
    assertEquals(emulated.droppedFraction(), xla.droppedFraction(), "dropped fraction");
    if (mode == Mode.TRAIN) assertTrue(xla.droppedFraction() > 0, "capacity factor 0.5 must drop tokens");
    assertEquals(emulated.auxLoss(), xla.auxLoss(), FRACTION * Math.abs(emulated.auxLoss()), "aux loss");
    Compare.closeToScale("y", xla.y(), Compare.toDouble(emulated.y()), FRACTION);
  }

  record ModelCase(String preset, String mesh, Mode mode, DType dtype) {
    @Override
    public String toString() {
      return preset + " on " + mesh + " " + mode + " " + dtype;
    }
  }

  static List<ModelCase> models() {
    List<ModelCase> out = new ArrayList<>();
    for (String[] pm : new String[][] {{"tiny-switch", "data=2,expert=2,model=2"}, {"tiny-switch-lm", "data=2,expert=2"}, {"tiny-dense", "data=2,model=2"}})
      for (Mode mode : Mode.values())
        for (DType dtype : List.of(DType.F32, DType.BF16)) out.add(new ModelCase(pm[0], pm[1], mode, dtype));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aModelOnXlaEqualsTheEmulation(ModelCase c) {
    List<String> sets = new ArrayList<>(List.of("activation_dtype=" + (c.dtype() == DType.BF16 ? "bf16" : "f32")));
    if (c.mode() == Mode.TRAIN) {
      sets.add("dropout=0.1");
      if (!c.preset().equals("tiny-dense")) sets.addAll(List.of("expert_dropout=0.4", "router_jitter=0.05"));
    }
    Program program = Presets.load(c.preset(), sets, Optional.of(c.mesh()), List.of());
    ModelSpec s = program.spec(ModelSpec.class);
    Compilation comp = Compilation.of(program, c.mode());
    try (ProgramRun xla = ProgramRun.load(comp, new Backend.Xla()); ProgramRun emulated = ProgramRun.load(comp, new Backend.Emulation())) {
      ModelNumericsTest.Data data = ModelNumericsTest.Data.of(xla, s, 3, 5);
      Map<String, float[]> params = randomEverywhere(data.params(), 17);
      Runs.Model want = Runs.model(emulated, params, data.inputs(), data.targets(), 42);
      Runs.Model got = Runs.model(xla, params, data.inputs(), data.targets(), 42);
      Compare.closeToScale(c + ": logits", got.logits(), Compare.toDouble(want.logits()), FRACTION);
      assertEquals(want.crossEntropy(), got.crossEntropy(), FRACTION * Math.abs(want.crossEntropy()), "cross entropy");
      assertEquals(want.auxLoss(), got.auxLoss(), FRACTION * Math.abs(want.auxLoss()), "aux loss");
      assertEquals(want.zLoss(), got.zLoss(), FRACTION * Math.abs(want.zLoss()), "z loss");
    }
  }

  /** Every parameter random: the seeded init gives constant norm scales, which would hide a scale applied to the wrong slice. */
  static Map<String, float[]> randomEverywhere(Map<String, float[]> params, long seed) {
    Random r = new Random(seed);
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : params.entrySet()) {
      float[] v = e.getValue().clone();
      boolean constant = true;
      for (float x : v) constant &= x == v[0];
      if (constant) for (int i = 0; i < v.length; i++) v[i] = (float) (1 + 0.3 * r.nextGaussian());
      out.put(e.getKey(), v);
    }
    return out;
  }

  /** The comparisons above mean something only if each backend is the runtime it names. */
  @Test
  void eachBackendLoadsTheRuntimeItNames() {
    Case c = Cases.of("backends", Cases.layer(8, 16, 32, 64, 8, 16), Mode.EVAL, 5);
    Compilation mesh = Compilation.of(ShardedRunTest.on(c, "data=2,expert=2"), Mode.EVAL);
    Compilation single = Compilation.of(Program.single(c.layer()), Mode.EVAL);
    try (Executable xla = new Backend.Xla().load(mesh); Executable emulated = new Backend.Emulation().load(mesh);
        Executable one = new Backend.Xla().load(single)) {
      assertInstanceOf(PjrtProgram.class, xla, "a mesh on XLA runs through XLA's partitioner");
      assertInstanceOf(SpmdProgram.class, emulated);
      assertInstanceOf(CpuProgram.class, one, "one device runs through XlaCallModule");
    }
  }

  /** All-to-all groups transposed ([[0,1],[2,3]] to [[0,2],[1,3]]): XLA runs the module as written, and the numbers are wrong. */
  @Test
  void transposedReplicaGroupsGiveWrongNumbersOnXla() {
    Case c = Cases.of("corrupt", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(1.0).minCapacity(1), Mode.EVAL, 5);
    Compilation comp = Compilation.of(ShardedRunTest.on(c, "data=2,expert=2"), Mode.EVAL);
    HloModule good = comp.spmd(), bad = ShardedRunTest.transposeAllToAllGroups(good);
    Map<String, HostTensor> inputs = new LinkedHashMap<>();
    for (var p : Lower.signature(comp.global()).inputs())
      inputs.put(p.name(), HostTensor.ofFloats(p.type(), p.name().equals("x") ? c.x() : c.params().get(p.name())));
    double[] want = c.expected().y();
    try (PjrtProgram ok = PjrtProgram.compile(CpuClient.create(4), true, good, Lower.signature(comp.global()));
        PjrtProgram wrong = PjrtProgram.compile(CpuClient.create(4), true, bad, Lower.signature(comp.global()))) {
      Compare.close("y with the emitted groups", ok.run(inputs).get("y").floats(), want, 1e-4);
      float[] got = wrong.run(inputs).get("y").floats();
      assertThrows(AssertionError.class, () -> Compare.close("y with transposed groups", got, want, 1e-2));
    }
  }
}
