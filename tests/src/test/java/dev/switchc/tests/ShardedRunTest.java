package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.LocatedMesh;
import dev.switchc.frontend.Program;
import dev.switchc.ir.DType;
import dev.switchc.ir.Mesh;
import dev.switchc.lowering.Lower;
import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.cpu.spmd.SpmdProgram;
import dev.switchc.tests.Cases.Case;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The emitted SPMD module, run through the CPU emulation of the mesh (every collective following
 * its own replica groups), equals the single-device program on the same weights and inputs.
 */
class ShardedRunTest {
  static final List<String> MESHES = List.of("data=2", "expert=4", "data=2,expert=2", "data=2,expert=4", "expert=2,model=2", "data=2,expert=2,model=2");

  static Program on(Case c, String mesh) {
    Mesh m = ShardingPassTest.mesh(mesh);
    return new Program(c.layer(), new LocatedMesh(m, c.layer().where().block(), java.util.Map.of(), dev.switchc.ir.RuleOrigin.DSL),
        DefaultLayout.forLayer(m));
  }

  /** One device on XLA CPU; a mesh in the CPU emulation of the mesh (XlaMeshTest compares XLA's partitioner with it). */
  static Runs.Layer run(Program program, Case c) {
    Compilation comp = Compilation.of(program, c.mode());
    return Runs.layer(comp, comp.multiDevice() ? new Backend.Emulation() : new Backend.Xla(), c.params(), c.x());
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String mesh : MESHES) {
      // 8 experts: 2 per device on expert=4, 4 per device on expert=2; tokens overflow at capacity factor 0.5
      out.add(Arguments.of(mesh, "8 experts, overflow", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(0.5).minCapacity(1), DType.F32));
      out.add(Arguments.of(mesh, "8 experts, einsum, gelu", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(1.25).minCapacity(1)
          .dispatch(Dispatch.EINSUM).activation(dev.switchc.frontend.Activation.GELU), DType.F32));
      out.add(Arguments.of(mesh, "bf16", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(1.0).minCapacity(1), DType.BF16));
    }
    // one expert per device
    out.add(Arguments.of("expert=4", "4 experts, 1 per device", Cases.layer(8, 16, 32, 64, 4, 16).capacityFactor(0.75).minCapacity(1), DType.F32));
    out.add(Arguments.of("data=2,expert=4", "4 experts, 1 per device", Cases.layer(8, 16, 32, 64, 4, 16).capacityFactor(0.75).minCapacity(1), DType.F32));
    // axes of size 1 move between dims without a collective (SizeOneMeshAxisTest)
    out.add(Arguments.of("data=2,expert=1", "8 experts, overflow, expert axis of 1", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(0.5).minCapacity(1), DType.F32));
    out.add(Arguments.of("data=1,expert=1,model=2", "8 experts, einsum, two axes of 1", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(1.25).minCapacity(1)
        .dispatch(Dispatch.EINSUM), DType.F32));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1} {3}")
  @MethodSource("cases")
  void shardedEqualsUnsharded(String mesh, String name, SwitchLayer.Builder builder, DType dtype) {
    Case c = Cases.of(name, builder.activationDtype(dtype), Mode.EVAL, 5);
    Runs.Layer single = run(Program.single(c.layer()), c);
    Runs.Layer sharded = run(on(c, mesh), c);
    assertArrayEquals(single.tokensPerExpert(), sharded.tokensPerExpert(), "tokens per expert");
    assertEquals(single.droppedFraction(), sharded.droppedFraction(), "dropped fraction");
    assertEquals(single.auxLoss(), sharded.auxLoss(), 1e-6 * Math.abs(single.auxLoss()), "aux loss");
    if (name.contains("overflow")) assertTrue(single.droppedFraction() > 0, "the case must drop tokens");
    // Only the order of additions differs: a model-split d_ff is summed in two partial sums and an
    // all-reduce, so an element that is a small difference of large terms moves by a few ulps of
    // those terms. Hence: 1e-4 relative per element, and within 1e-6 of the output's scale.
    if (dtype == DType.F32) {
      Compare.close("y", sharded.y(), Compare.toDouble(single.y()), 1e-4);
      Compare.closeToScale("y", sharded.y(), Compare.toDouble(single.y()), 1e-6);
    }
    else Compare.closeToScale("y", sharded.y(), Compare.toDouble(single.y()), Bf16Test.BF16_TOLERANCE);
  }

  /** 'expert' listed first: the default rules put it last among the groups' axes; the numbers are those of one device. */
  @Test
  void expertListedBeforeDataRunsAsOnOneDevice() {
    shardedEqualsUnsharded("expert=2,data=2", "8 experts, overflow", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(0.5).minCapacity(1), DType.F32);
  }

  /**
   * With batch over data only, the reshape to groups over (data, expert) cannot stay local: the
   * pass gathers x, reshapes and slices each device's groups by its partition id. The emulation
   * must follow the all-gather, partition_id and dynamic_slice to get the same numbers.
   */
  @Test
  void reshardingThroughAllGatherAndPartitionSlicesMatches() {
    Case c = Cases.of("reshard", Cases.layer(2, 32, 32, 64, 4, 16).capacityFactor(1.0).minCapacity(1), Mode.EVAL, 9);
    Mesh m = ShardingPassTest.mesh("data=2,expert=2");
    java.util.Map<String, List<String>> rules = new LinkedHashMap<>(DefaultLayout.forLayer(m).rules());
    rules.put("batch", List.of("data"));
    Program program = new Program(c.layer(), new LocatedMesh(m, c.layer().where().block(), java.util.Map.of(), dev.switchc.ir.RuleOrigin.DSL),
        new dev.switchc.ir.Layout(rules, DefaultLayout.forLayer(m).where()));
    Compilation comp = Compilation.of(program, Mode.EVAL);
    List<dev.switchc.ir.plan.CollectiveKind> kinds = comp.plan().collectives().stream().map(dev.switchc.ir.plan.Plan.Collective::kind).toList();
    assertTrue(kinds.contains(dev.switchc.ir.plan.CollectiveKind.ALL_GATHER), kinds.toString());
    assertTrue(comp.spmdText().text().contains("stablehlo.partition_id"));
    Runs.Layer single = run(Program.single(c.layer()), c), sharded = run(program, c);
    assertArrayEquals(single.tokensPerExpert(), sharded.tokensPerExpert());
    Compare.close("y", sharded.y(), Compare.toDouble(single.y()), 1e-5);
  }

  /** Transposed replica groups ([[0,1],[2,3]] -> [[0,2],[1,3]]) pair the wrong devices: the emulation must see it. */
  @Test
  void corruptedReplicaGroupsGiveWrongNumbers() {
    Case c = Cases.of("corrupt", Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(1.0).minCapacity(1), Mode.EVAL, 5);
    Program program = on(c, "data=2,expert=2");
    Compilation comp = Compilation.of(program, Mode.EVAL);
    HloModule good = comp.spmd();
    HloModule bad = transposeAllToAllGroups(good);
    Map<String, HostTensor> inputs = new LinkedHashMap<>();
    for (var p : Lower.signature(comp.global()).inputs())
      inputs.put(p.name(), HostTensor.ofFloats(p.type(), p.name().equals("x") ? c.x() : c.params().get(p.name())));
    float[] want = run(Program.single(c.layer()), c).y();
    try (SpmdProgram ok = SpmdProgram.load(good, Lower.signature(comp.global()));
         SpmdProgram wrong = SpmdProgram.load(bad, Lower.signature(comp.global()))) {
      Compare.close("y with the emitted groups", ok.run(inputs).get("y").floats(), Compare.toDouble(want), 1e-5);
      float[] got = wrong.run(inputs).get("y").floats();
      assertThrows(AssertionError.class, () -> Compare.close("y with transposed groups", got, Compare.toDouble(want), 1e-2));
    }
  }

  static HloModule transposeAllToAllGroups(HloModule m) {
    HloFunc body = m.functions().get(0);
    List<HloOp> ops = new ArrayList<>();
    int changed = 0;
    for (HloOp op : body.body()) {
      if (op instanceof HloOp.AllToAll a) {
        ops.add(new HloOp.AllToAll(a.result(), a.operand(), a.splitDimension(), a.concatDimension(), transpose(a.groups()), a.channel()));
        changed++;
      } else ops.add(op);
    }
    assertEquals(2, changed);
    HloFunc corrupted = new HloFunc(body.name(), body.args(), ops, body.returns());
    return new HloModule(m.name(), m.main(), List.of(corrupted), m.argNames(), m.resultNames(), m.numPartitions(), m.argShardings(), m.resultShardings());
  }

  static List<List<Integer>> transpose(List<List<Integer>> groups) {
    List<List<Integer>> t = new ArrayList<>();
    for (int j = 0; j < groups.get(0).size(); j++) {
      List<Integer> row = new ArrayList<>();
      for (List<Integer> g : groups) row.add(g.get(j));
      t.add(row);
    }
    assertEquals(groups.size(), t.size(), "square groups keep their shape when transposed");
    return t;
  }
}
