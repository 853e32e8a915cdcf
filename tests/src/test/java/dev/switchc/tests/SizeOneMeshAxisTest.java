package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.LocatedMesh;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.IrPrinter;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.RuleOrigin;
import dev.switchc.ir.plan.Plan;
import dev.switchc.tests.Cases.Case;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11, defect 1: a mesh axis of size 1 crashed the sharding pass (an all-to-all "over" a
 * one-device group, which the verifier rightly refuses as all_to_all_c3). A size-1 axis splits
 * nothing, so it must give exactly the per-device program of the mesh without it: no collective,
 * slice or device coordinate over it, the same plan collectives, the same numbers.
 */
class SizeOneMeshAxisTest {
  /** The example layer (8 experts, 8 groups of 128 tokens, d_model 256, d_ff 1024, eval capacity 32). */
  @Test
  void expertAxisOfSizeOneIsAMeshOfOneDeviceAndItsPlanHasNoCollectives() {
    Compilation c = PlanTest.compile("expert=1");
    Plan plan = c.plan();
    assertEquals(1, plan.mesh().devices());
    assertEquals(List.of(), plan.collectives(), "nothing crosses a one-device group");
    assertEquals(256L * 8 * 4 + 2L * 8 * 256 * 1024 * 4, plan.perDevice().parameterBytes(), "every parameter whole on the one device");
    assertEquals(List.of("expert"), plan.rules().stream().filter(r -> r.dim().equals("experts")).findFirst().orElseThrow().axes(),
        "the plan shows the rule as written");
    assertTrue(dev.switchc.driver.report.PlanText.render(plan).startsWith("sharding plan: switch_layer on mesh expert=1 (1 device)\n"));
  }

  /** The example with a size-1 axis added gives the per-device program and plan collectives of the mesh without it. */
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(delimiter = ';', value = {"data=2,expert=1;data=2", "data=1,expert=2;expert=2", "data=2,model=1,expert=2;data=2,expert=2",
      "expert=2,model=1;expert=2", "expert=1,model=2;model=2"})
  void expertAxisOfSizeOneIsAMeshLikeTheMeshWithoutIt(String withOne, String without) {
    Compilation a = PlanTest.compile(withOne), b = PlanTest.compile(without);
    assertEquals(IrPrinter.print(b.sharded().local()), IrPrinter.print(a.sharded().local()));
    assertEquals(collectives(b.plan()), collectives(a.plan()));
    assertEquals(b.plan().perDevice(), a.plan().perDevice());
    String spmd = a.spmdText().text();
    assertEquals(body(b.spmdText().text()), body(spmd), "the same @shmap_body");
    assertTrue(spmd.contains("mhlo.num_partitions = " + a.program().mesh().value().devices() + " : i32"));
    assertFalse(spmd.contains("?"), "static shapes only");
  }

  /** What a collective is, without its source line (the two programs come from the same file, so those agree too). */
  private static List<String> collectives(Plan p) {
    return p.collectives().stream().map(x -> x.kind() + " " + x.axes() + " " + x.local() + " " + x.bytesSentPerDevice() + " " + x.replicaGroups()).toList();
  }

  private static String body(String module) {
    return module.substring(module.indexOf("func.func private @shmap_body"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"expert=1", "data=2,expert=1", "data=1,expert=2", "data=2,expert=2,model=1", "expert=1,model=2"})
  void expertAxisOfSizeOneRunsLikeOneDevice(String mesh) {
    Case c = Cases.of("size-1 axis", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(0.5).minCapacity(1), Mode.EVAL, 5);
    Mesh m = ShardingPassTest.mesh(mesh);
    Program program = new Program(c.layer(), new LocatedMesh(m, c.layer().where().block(), Map.of(), RuleOrigin.DSL), DefaultLayout.forLayer(m));
    Runs.Layer single = ShardedRunTest.run(Program.single(c.layer()), c);
    Runs.Layer emulated = Runs.layer(Compilation.of(program, Mode.EVAL), new Backend.Emulation(), c.params(), c.x());
    assertArrayEquals(single.tokensPerExpert(), emulated.tokensPerExpert(), "tokens per expert");
    assertEquals(single.droppedFraction(), emulated.droppedFraction(), "dropped fraction");
    assertTrue(single.droppedFraction() > 0, "the case must drop tokens");
    assertEquals(single.auxLoss(), emulated.auxLoss(), 1e-6 * Math.abs(single.auxLoss()), "aux loss");
    Compare.close("y", emulated.y(), Compare.toDouble(single.y()), 1e-4);
    Compare.closeToScale("y", emulated.y(), Compare.toDouble(single.y()), 1e-6);
    if (m.devices() > 1) {
      Runs.Layer xla = Runs.layer(Compilation.of(program, Mode.EVAL), new Backend.Xla(), c.params(), c.x());
      assertArrayEquals(emulated.tokensPerExpert(), xla.tokensPerExpert(), "XLA's partitioner: tokens per expert");
      Compare.closeToScale("y on XLA's partitioner", xla.y(), Compare.toDouble(emulated.y()), XlaMeshTest.FRACTION);
    }
  }

  /** A whole model (both all-to-alls of every Switch layer) on a mesh whose expert axis has size 1. */
  @Test
  void expertAxisOfSizeOneInAWholeModel() {
    Program sharded = (Program) Presets.load("tiny-switch", List.of(), Optional.of("data=2,expert=1"), List.of());
    Compilation c = Compilation.of(sharded, Mode.EVAL);
    assertTrue(c.plan().collectives().stream().noneMatch(x -> x.axes().contains("expert")), "no collective over the size-1 axis");
    Runs.assertModelRunsAsOnOneDevice(c);
  }
}
