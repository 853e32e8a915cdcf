package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.report.PlanJson;
import dev.switchc.driver.report.PlanProto;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.ir.DType;
import dev.switchc.ir.plan.Plan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plan numbers against formulas computed here, independently; golden plans and SPMD modules. */
class PlanTest {
  static final Path EXAMPLE = Path.of("..", "examples", "switch-layer.swc");
  static final Path GOLDEN = Path.of("src/test/resources/golden");

  static Compilation compile(String mesh, String... sets) {
    Program p = Overrides.load(EXAMPLE, List.of(sets), Optional.of(mesh), List.of());
    return Compilation.of(p, Mode.EVAL);
  }

  /**
   * Paper section 5.4: each device sends its tokens for every expert, [E, C, d_model] per group it
   * routes, to the expert's device: (k-1)/k of it leaves the device, and as much comes back.
   */
  @Test
  void allToAllBytesAreTheDispatchTensorPerDirection() {
    long e = 8, c = 32, dModel = 256, groupsPerDevice = 8 / 8, k = 4, f32 = 4; // example: 8 groups of 128, eval cf 2.0 -> C = 32
    Plan plan = compile("data=2,expert=4").plan();
    List<Plan.Collective> a2a = plan.collectives().stream().filter(x -> x.kind() == dev.switchc.ir.plan.CollectiveKind.ALL_TO_ALL).toList();
    assertEquals(2, a2a.size());
    for (Plan.Collective x : a2a) {
      assertEquals(e * groupsPerDevice * c * dModel * f32, x.localBytes(), "E x C x d_model per group, f32");
      assertEquals((k - 1) * x.localBytes() / k, x.bytesSentPerDevice());
      assertEquals(List.of("expert"), x.axes());
      assertEquals(4, x.groupSize());
      assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), x.replicaGroups());
    }
  }

  /** Section 5.2-5.3: with d_ff over model, the second expert matmul's partial sums are all-reduced over model. */
  @Test
  void modelParallelAllReduceBytes() {
    Plan plan = compile("expert=2,model=2").plan();
    List<Plan.Collective> model = plan.collectives().stream().filter(x -> x.axes().equals(List.of("model"))).toList();
    assertEquals(1, model.size());
    // expert outputs per device: [experts/2, all 8 groups (no data axis), C = 32, d_model = 256] f32
    long local = 4L * 8 * 32 * 256 * 4;
    assertEquals(local, model.get(0).localBytes());
    assertEquals(2 * (2 - 1) * local / 2, model.get(0).bytesSentPerDevice(), "ring all-reduce: 2(k-1)/k of the operand");
    assertEquals(DType.F32, model.get(0).dtype());
  }

  @ParameterizedTest
  @ValueSource(strings = {"data=2,expert=4", "expert=2,model=2", "data=2,expert=2,model=2"})
  void perDeviceParameterBytes(String mesh) {
    Plan plan = compile(mesh).plan();
    int expert = mesh.contains("expert=4") ? 4 : 2, model = mesh.contains("model=2") ? 2 : 1;
    long router = 256L * 8 * 4; // replicated
    long experts = 2L * (8 / expert) * 256 * (1024 / model) * 4; // wi and wo, split over expert and model
    assertEquals(router + experts, plan.perDevice().parameterBytes());
    assertEquals(256L * 8 + 2L * 8 * 256 * 1024, plan.parameterCount());
  }

  @Test
  void bf16CollectivesMoveBf16ActivationsAndTheDtypeIsInThePlan() {
    Plan plan = compile("data=2,expert=2,model=2", "activation_dtype=bf16").plan();
    for (Plan.Collective c : plan.collectives())
      if (c.local().shape().rank() > 1) assertEquals(DType.BF16, c.dtype(), c.toString());
    assertTrue(PlanJson.render(plan).contains("\"dtype\": \"bf16\""));
  }

  /** Golden plan JSON and SPMD StableHLO for two small configurations; regenerate with -Dswitchc.updateGolden=true. */
  @ParameterizedTest
  @ValueSource(strings = {"tiny-gather@expert=2", "tiny-einsum-bf16@expert=2,model=2"})
  void goldenPlansAndSpmdModules(String config) throws Exception {
    String name = config.substring(0, config.indexOf('@')), mesh = config.substring(config.indexOf('@') + 1);
    Program p = Overrides.load(name + ".swc", Files.readString(GOLDEN.resolve(name + ".swc")), List.of(), Optional.of(mesh), List.of());
    Compilation c = Compilation.of(p, Mode.EVAL);
    String json = PlanJson.render(c.plan()), module = c.spmdText().text();
    String base = name + "." + mesh.replace(",", "_").replace("=", "");
    if (Boolean.getBoolean("switchc.updateGolden")) {
      Files.writeString(GOLDEN.resolve(base + ".plan.json"), json);
      Files.writeString(GOLDEN.resolve(base + ".spmd.mlir"), module);
    }
    assertEquals(Files.readString(GOLDEN.resolve(base + ".plan.json")), json);
    assertEquals(Files.readString(GOLDEN.resolve(base + ".spmd.mlir")), module);
    assertTrue(module.contains("mhlo.num_partitions = " + p.mesh().value().devices() + " : i32, mhlo.num_replicas = 1 : i32"));
    assertTrue(module.contains("@SPMDFullToShardShape") && module.contains("@SPMDShardToFullShape") && module.contains("{manual}"));
    assertTrue(module.contains("channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>"));
    assertFalse(module.contains("?"), "static shapes only");
    // protobuf: deterministic and parseable back to the same message
    byte[] pb = PlanProto.write(c.plan());
    assertEquals(PlanProto.toProto(c.plan()), dev.switchc.driver.report.proto.Plan.parseFrom(pb));
    assertEquals(java.util.Arrays.toString(pb), java.util.Arrays.toString(PlanProto.write(Compilation.of(p, Mode.EVAL).plan())));
  }
}
