package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.GradientProgram;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.Binding;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.plan.CollectiveKind;
import dev.switchc.ir.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tiny-switch's training step (cross entropy + aux + z loss; capacity factor 0.5 and min_capacity 1,
 * so tokens overflow; dropout and router jitter on, from a fixed seed): the gradient with respect
 * to every parameter, sharded by the same pass and run in the emulation and through XLA's
 * partitioner, equals the unsharded step on one device (f32, every result within 1e-5 of its
 * scale). The backward's collectives follow the layouts: each router's gradient is all-reduced
 * over the batch-like axes (data and expert) with d_model x experts x 4 bytes; an expert weight's
 * gradient never over expert (the weight is split on it, and its expert has every group of its
 * tokens after the dispatch); each forward all-to-all has a backward one in the reverse direction.
 */
class ShardedGradModelTest {
  static final double FRACTION = 1e-5;
  static final List<String> SETS = List.of("capacity_factor=0.5", "min_capacity=1", "dropout=0.1", "router_jitter=0.01");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"data=2", "data=2,expert=2", "expert=2,model=2"})
  void shardedStepEqualsTheStepOnOneDevice(String mesh) {
    Program sharded = Presets.load("tiny-switch", SETS, Optional.of(mesh), List.of());
    Compilation forward = Compilation.of(sharded, Mode.TRAIN);
    Compilation one = Compilation.of(Program.single(sharded.definition()), Mode.TRAIN).gradientStep(), many = forward.gradientStep();
    ModelSpec s = sharded.spec(ModelSpec.class);
    assertEquals(1, s.expertCapacity(Mode.TRAIN), "one slot per expert and group: tokens overflow");

    Map<String, float[]> floats = XlaMeshTest.randomEverywhere(ParameterInit.init(ParameterInit.of(forward.global(), forward.dataInputNames()), s.initScale(), 3), 17);
    Map<String, int[]> ints = new LinkedHashMap<>();
    ints.put(ModelIr.INPUTS, ModelNumericsTest.padded(ParameterInit.tokenIds(5, "inputs", s.batch() * s.seq(), s.vocab()), (int) s.batch(), (int) s.seq()));
    ints.put(ModelIr.TARGETS, ModelNumericsTest.padded(ParameterInit.tokenIds(5, "targets", s.batch() * s.decSeq(), s.vocab()), (int) s.batch(), (int) s.decSeq()));
    ints.put(ModelIr.SEED, new int[] {42});
    Map<String, float[]> want = StepRuns.floats(one, new Backend.Xla(), floats, ints);
    assertEquals(floats.keySet().stream().map(GradientProgram::gradientOf).toList(),
        want.keySet().stream().filter(n -> n.startsWith(GradientProgram.gradientOf(""))).toList(), "a gradient for every parameter");
    for (String p : floats.keySet())
      if (p.contains("router")) assertTrue(GradLayerTest.maxAbs(Compare.toDouble(want.get(GradientProgram.gradientOf(p)))) > 0, "the router " + p + " learns");
    for (Backend backend : List.of(new Backend.Emulation(), new Backend.Xla())) {
      Map<String, float[]> got = StepRuns.floats(many, backend, floats, ints);
      assertEquals(want.keySet(), got.keySet());
      for (String name : want.keySet())
        Compare.closeToScale(mesh + " " + backend + " " + name, got.get(name), Compare.toDouble(want.get(name)), FRACTION);
    }
    assertBackwardCollectives(mesh, s, forward, many);
  }

  static void assertBackwardCollectives(String mesh, ModelSpec s, Compilation forward, Compilation step) {
    Mesh m = ShardingPassTest.mesh(mesh);
    List<Plan.Collective> all = step.plan().collectives(), fwd = forward.plan().collectives();
    assertEquals(fwd, all.subList(0, fwd.size()), "the step begins with the forward, whose collectives are unchanged");
    List<Plan.Collective> backward = all.subList(fwd.size(), all.size());
    assertEquals(ShardedGradLayerTest.backwardAllToAllOperands(fwd), ShardedGradLayerTest.allToAllOperands(backward),
        "one backward all-to-all per forward one, in the reverse direction, layers last to first");
    if (ShardedGradLayerTest.size(m, "expert") > 1) assertFalse(ShardedGradLayerTest.allToAllOperands(backward).isEmpty());

    List<String> batchAxes = new ArrayList<>();
    for (String axis : List.of("data", "expert")) if (ShardedGradLayerTest.size(m, axis) > 1) batchAxes.add(axis);
    long switchLayers = LongStream.range(0, s.encoderLayers()).filter(s::isSwitch).count() + LongStream.range(0, s.decoderLayers()).filter(s::isSwitch).count();
    long routerBytes = s.dModel() * s.experts() * 4;
    assertEquals(switchLayers, backward.stream().filter(c -> c.kind() == CollectiveKind.ALL_REDUCE && c.axes().equals(batchAxes) && c.localBytes() == routerBytes
        && c.local().shape().rank() == 2).count(), "one router gradient all-reduce per Switch layer, over " + batchAxes);

    // The embedding's gradient scatters every token's cotangent into the replicated table: partial
    // sums over the tokens' axes, completed by an all-reduce over the batch-like axes.
    Binding embedding = step.sharded().local().results().stream().filter(r -> r.name().equals(GradientProgram.gradientOf("shared/embedding"))).findFirst().orElseThrow();
    assertTrue(backward.stream().anyMatch(c -> c.kind() == CollectiveKind.ALL_REDUCE && c.local().equals(embedding.value().type()) && c.axes().equals(batchAxes)),
        "the embedding gradient is all-reduced over " + batchAxes);

    // The expert weights' gradients: their per-device types, which no all-reduce over expert may have.
    for (Binding r : step.sharded().local().results())
      if (r.name().startsWith(GradientProgram.gradientOf("")) && r.name().contains("experts/w")) {
        Plan.Tensor t = step.plan().tensors().stream().filter(x -> x.name().equals(r.name())).findFirst().orElseThrow();
        assertEquals(ShardedGradLayerTest.size(m, "expert") > 1 ? List.of("expert") : List.of(), t.split().getOrDefault("experts", List.of()), r.name() + " is split on expert");
        for (Plan.Collective c : backward)
          if (c.kind() == CollectiveKind.ALL_REDUCE && c.local().equals(r.value().type()))
            assertEquals(List.of("data"), c.axes(), "an expert weight's gradient is all-reduced over data only: " + c);
      }
  }

  /** XLA's partitioned training step of tiny-switch runs exactly the collectives its plan lists, the backward's included. */
  @Test
  void xlaRunsExactlyThePlansCollectivesOfTheStep() {
    Program p = Presets.load("tiny-switch", SETS, Optional.of("data=2,expert=2"), List.of());
    XlaCollectivesTest.assertXlaRunsExactlyThePlansCollectives(Compilation.of(p, Mode.TRAIN).gradientStep());
  }
}
