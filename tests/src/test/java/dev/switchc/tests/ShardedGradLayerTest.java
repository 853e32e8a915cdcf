package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.GradientProgram;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.plan.CollectiveKind;
import dev.switchc.ir.plan.Plan;
import dev.switchc.tests.Cases.Case;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Switch layer's training step (train mode, top-1, capacity factor 0.5 so tokens overflow):
 * its gradient program, sharded by the same pass as the forward, run in switchc's emulation of the
 * mesh and through XLA's SPMD partitioner, equals the unsharded gradient program on one device
 * (f32, every result within 1e-5 of its scale), and its plan has exactly the collectives the
 * layouts call for.
 *
 * <p>Why those collectives. With the default rules a token's groups are split over every
 * batch-like axis (data and expert) and the experts over expert; d_ff over model. The router
 * weight is replicated and its gradient sums over every token, so it is all-reduced over data and
 * expert. An expert weight's gradient sums over the tokens its expert received: after the
 * dispatch all-to-all a device holds every group of its experts along expert (group is whole
 * there), so the sum is local along expert and only data (groups still split) needs an all-reduce.
 * The backward of the combine all-to-all (experts to groups) is an all-to-all from groups back to
 * experts, and the backward of the dispatch one takes the input's cotangent back to the groups: two
 * more all-to-alls, in the reverse directions. On model, d_ff is split: the input cotangent
 * contracts d_ff (with wi), a partial sum completed by an all-reduce over model, as the forward's
 * contraction with wo is.
 */
class ShardedGradLayerTest {
  static final double FRACTION = 1e-5;

  static final long BATCH = 8, SEQ = 16, D_MODEL = 32, D_FF = 64, EXPERTS = 8, GROUP = 16, F32 = 4;

  static SwitchLayer.Builder layer() {
    return Cases.layer(BATCH, SEQ, D_MODEL, D_FF, EXPERTS, GROUP).trainCapacityFactor(0.5).minCapacity(1);
  }

  static Case overflowing() {
    Case c = Cases.of("overflow", layer(), Mode.TRAIN, 5);
    assertTrue(c.expected().droppedFraction() > 0, "capacity factor 0.5 must drop tokens");
    return c;
  }

  static Compilation step(Program p) {
    return Compilation.of(p, Mode.TRAIN).gradientStep();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"data=2", "expert=2", "data=2,expert=2", "expert=2,model=2"})
  void shardedStepEqualsTheStepOnOneDevice(String mesh) {
    Case c = overflowing();
    Compilation one = step(Program.single(c.layer())), many = step(ShardedRunTest.on(c, mesh));
    Map<String, float[]> floats = new LinkedHashMap<>(c.params());
    floats.put("x", c.x());
    floats.put(GradientProgram.COTANGENT + "y", Cases.gaussian(new Random(3), BATCH * SEQ * D_MODEL, 1));
    Map<String, float[]> want = StepRuns.floats(one, new Backend.Xla(), floats, Map.of());
    for (String p : List.of("router/w", "experts/wi", "experts/wo", "x"))
      assertTrue(GradLayerTest.maxAbs(Compare.toDouble(want.get(GradientProgram.gradientOf(p)))) > 1e-3, "the gradient of " + p + " is not zero");
    for (Backend backend : List.of(new Backend.Emulation(), new Backend.Xla())) {
      Map<String, float[]> got = StepRuns.floats(many, backend, floats, Map.of());
      assertEquals(want.keySet(), got.keySet());
      for (String name : want.keySet())
        Compare.closeToScale(mesh + " " + backend + " " + name, got.get(name), Compare.toDouble(want.get(name)), FRACTION);
    }
    assertBackwardCollectives(mesh, many);
  }

  /** What each mesh's backward must communicate (see the class comment), by kind, axes and bytes per device. */
  static void assertBackwardCollectives(String mesh, Compilation step) {
    Mesh m = ShardingPassTest.mesh(mesh);
    long data = size(m, "data"), expert = size(m, "expert"), model = size(m, "model");
    Compilation forward = Compilation.of(step.program(), Mode.TRAIN);
    List<Plan.Collective> all = step.plan().collectives(), fwd = forward.plan().collectives();
    assertEquals(fwd, all.subList(0, fwd.size()), "the step begins with the forward, whose collectives are unchanged");
    List<String> want = new ArrayList<>();
    List<String> batchAxes = new ArrayList<>();
    if (data > 1) batchAxes.add("data");
    if (expert > 1) batchAxes.add("expert");
    long groupsPerDevice = BATCH * SEQ / GROUP / (data * expert), capacity = 1;
    if (expert > 1) {
      // [experts, groups/(data*expert), capacity, d_model] per device before each all-to-all; the model all-reduce is of the same size
      long tokensBytes = EXPERTS * groupsPerDevice * capacity * D_MODEL * F32;
      want.add(line(CollectiveKind.ALL_TO_ALL, List.of("expert"), tokensBytes));
      if (model > 1) want.add(line(CollectiveKind.ALL_REDUCE, List.of("model"), tokensBytes));
      want.add(line(CollectiveKind.ALL_TO_ALL, List.of("expert"), tokensBytes));
    }
    long expertWeightBytes = EXPERTS / expert * D_MODEL * D_FF / model * F32;
    if (data > 1) {
      want.add(line(CollectiveKind.ALL_REDUCE, List.of("data"), expertWeightBytes));
      want.add(line(CollectiveKind.ALL_REDUCE, List.of("data"), expertWeightBytes));
    }
    want.add(line(CollectiveKind.ALL_REDUCE, batchAxes, D_MODEL * EXPERTS * F32));
    List<Plan.Collective> backward = all.subList(fwd.size(), all.size());
    // Program order interleaves the weight gradients' all-reduces with the all-to-alls: compare as multisets.
    List<String> got = backward.stream().map(c -> line(c.kind(), c.axes(), c.localBytes())).sorted().toList();
    assertEquals(want.stream().sorted().toList(), got, "the backward's collectives on " + mesh);
    // Reverse directions: the combine's backward (first) sends from the groups' layout, as the
    // dispatch did; the dispatch's backward sends from the experts' layout, as the combine did.
    assertEquals(backwardAllToAllOperands(fwd), allToAllOperands(backward), "the backward all-to-alls reverse the forward ones");
  }

  /**
   * The operands the backward's all-to-alls must have, given the forward's: each Switch layer's
   * dispatch and combine pair, layers in reverse order (the backward runs the layers last to
   * first), and within a pair the combine's backward (from the groups' layout, as the dispatch
   * sent) before the dispatch's (from the experts' layout, as the combine sent).
   */
  static List<dev.switchc.ir.TensorType> backwardAllToAllOperands(List<Plan.Collective> forward) {
    List<dev.switchc.ir.TensorType> f = allToAllOperands(forward), out = new ArrayList<>();
    assertEquals(0, f.size() % 2, "a dispatch and a combine per Switch layer");
    for (int i = f.size() - 2; i >= 0; i -= 2) out.addAll(f.subList(i, i + 2));
    return out;
  }

  static List<dev.switchc.ir.TensorType> allToAllOperands(List<Plan.Collective> cs) {
    return cs.stream().filter(c -> c.kind() == CollectiveKind.ALL_TO_ALL).map(Plan.Collective::local).toList();
  }

  static String line(CollectiveKind kind, List<String> axes, long bytes) {
    return kind.spelling() + " over " + String.join("+", axes) + ", " + bytes + " bytes per device";
  }

  static long size(Mesh m, String axis) {
    return m.axes().stream().filter(a -> a.name().equals(axis)).mapToLong(a -> a.size()).findFirst().orElse(1);
  }

  /** XLA's partitioned gradient program runs exactly the collectives the step's plan lists. */
  @Test
  void xlaRunsExactlyThePlansCollectivesOfTheStep() {
    XlaCollectivesTest.assertXlaRunsExactlyThePlansCollectives(step(ShardedRunTest.on(overflowing(), "data=2,expert=2")));
  }
}
