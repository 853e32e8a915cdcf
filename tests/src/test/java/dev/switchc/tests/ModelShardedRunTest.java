package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.ProgramRun;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiny models sharded over three meshes (data; data x expert; data x expert x model) give what
 * the same model gives on one device: the SPMD module runs through the CPU emulation of the mesh,
 * every collective computed from its own replica groups.
 */
class ModelShardedRunTest {
  record Case(String preset, List<String> sets, String mesh) {
    @Override
    public String toString() {
      return preset + (sets.isEmpty() ? "" : " " + sets) + " on " + mesh;
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (String mesh : List.of("data=2", "data=2,expert=2", "data=2,expert=2,model=2")) {
      cases.add(new Case("tiny-switch", List.of(), mesh));
      cases.add(new Case("tiny-switch-lm", List.of(), mesh));
    }
    cases.add(new Case("tiny-dense", List.of(), "data=2,model=2"));
    cases.add(new Case("tiny-switch", List.of("top_k=2", "capacity_factor=1.0", "min_capacity=1", "switch_every=1"), "data=2,expert=2,model=2"));
    cases.add(new Case("tiny-switch-lm", List.of("ffn=geglu", "dispatch=einsum", "experts=4"), "expert=4"));
    return cases;
  }

  /**
   * Training-mode noise is drawn from global coordinates: the sharded program draws the numbers of
   * the unsharded one, including over split batch, heads, d_ff and experts.
   */
  static List<Case> trainingCases() {
    return cases().stream().filter(c -> c.preset().equals("tiny-switch") && c.sets().isEmpty()).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trainingCases")
  void trainingNoiseIsTheSameOnEveryMesh(Case c) {
    List<String> noise = List.of("dropout=0.1", "expert_dropout=0.4", "router_jitter=0.05");
    Program sharded = (Program) Presets.load(c.preset(), noise, Optional.of(c.mesh()), List.of());
    ModelSpec s = sharded.spec(ModelSpec.class);
    try (ProgramRun one = ProgramRun.load(Compilation.of(Program.single(sharded.definition()), Mode.TRAIN));
        ProgramRun many = ProgramRun.load(Compilation.of(sharded, Mode.TRAIN), new Backend.Emulation())) {
      Map<String, float[]> params = one.initialParameters(3);
      int[] inputs = ParameterInit.tokenIds(5, "inputs", s.batch() * s.seq(), s.vocab());
      int[] targets = ParameterInit.tokenIds(5, "targets", s.batch() * s.decSeq(), s.vocab());
      Runs.Model expected = Runs.model(one, params, inputs, targets, 42), actual = Runs.model(many, params, inputs, targets, 42);
      double[] reference = new double[expected.logits().length];
      for (int i = 0; i < reference.length; i++) reference[i] = expected.logits()[i];
      Compare.closeToScale(c + " (training noise): logits", actual.logits(), reference, 1e-5);
      assertEquals(expected.loss(), actual.loss(), 1e-5 * Math.abs(expected.loss()), c + ": loss");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shardedRunEqualsTheSingleDeviceRun(Case c) {
    Program sharded = (Program) Presets.load(c.preset(), c.sets(), Optional.of(c.mesh()), List.of());
    Program single = Program.single(sharded.definition());
    ModelSpec s = sharded.spec(ModelSpec.class);
    Compilation shardedC = Compilation.of(sharded, Mode.EVAL);
    assertTrue(shardedC.multiDevice(), c + ": must run on several devices");
    if (c.mesh().contains("expert")) {
      List<Plan.Collective> a2a = shardedC.plan().collectives().stream().filter(x -> x.kind() == dev.switchc.ir.plan.CollectiveKind.ALL_TO_ALL).toList();
      long sparse = java.util.stream.LongStream.range(0, s.encoderLayers()).filter(s::isSwitch).count()
          + java.util.stream.LongStream.range(0, s.decoderLayers()).filter(s::isSwitch).count();
      assertEquals(2 * sparse, a2a.size(), c + ": one all-to-all each way per Switch layer");
    }
    try (ProgramRun one = ProgramRun.load(Compilation.of(single, Mode.EVAL)); ProgramRun many = ProgramRun.load(shardedC, new Backend.Emulation())) {
      ModelNumericsTest.Data data = ModelNumericsTest.Data.of(one, s, 3, 5);
      Map<String, float[]> params = data.params();
      int[] inputs = data.inputs(), targets = data.targets();
      Runs.Model expected = Runs.model(one, params, inputs, targets);
      Runs.Model actual = Runs.model(many, params, inputs, targets);
      double[] reference = new double[expected.logits().length];
      for (int i = 0; i < reference.length; i++) reference[i] = expected.logits()[i];
      // Sums split over devices add in another order: equal to f32 rounding, not bitwise.
      Compare.closeToScale(c + ": logits", actual.logits(), reference, 1e-5);
      assertEquals(expected.crossEntropy(), actual.crossEntropy(), 1e-5 * Math.abs(expected.crossEntropy()), c + ": cross_entropy");
      assertEquals(expected.auxLoss(), actual.auxLoss(), 1e-6 + 1e-5 * expected.auxLoss(), c + ": aux_loss");
      assertEquals(expected.zLoss(), actual.zLoss(), 1e-6 + 1e-5 * expected.zLoss(), c + ": z_loss");
    }
  }
}
