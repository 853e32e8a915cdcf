package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.TrainStep;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.Shape;
import dev.switchc.ir.optim.TrainStepFunc;
import dev.switchc.ir.optim.Adafactor;
import dev.switchc.ir.optim.AdamW;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.runtime.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * tiny-switch trained by one compiled program per step (forward, autodiff, optimizer) on one fixed
 * random batch: the training loss must fall, with Adafactor as T5 sets it and with AdamW, and two
 * runs from the same start must give bit-identical parameters.
 */
class TrainStepTest {
  private static final Compilation TINY = Compilation.of(Presets.load("tiny-switch"), Mode.TRAIN);

  private static Map<String, float[]> initialParams() {
    ModelSpec s = TINY.program().spec(ModelSpec.class);
    return ParameterInit.init(ParameterInit.of(TINY.global(), TINY.dataInputNames()), s.initScale(), 3);
  }

  private static Map<String, HostTensor> batch() {
    ModelSpec s = TINY.program().spec(ModelSpec.class);
    Map<String, HostTensor> b = new LinkedHashMap<>();
    b.put(ModelIr.INPUTS, HostTensor.ofInts(TINY.param(ModelIr.INPUTS).value().type(),
        ModelNumericsTest.padded(ParameterInit.tokenIds(5, "inputs", s.batch() * s.seq(), s.vocab()), (int) s.batch(), (int) s.seq())));
    if (s.encoderDecoder())
      b.put(ModelIr.TARGETS, HostTensor.ofInts(TINY.param(ModelIr.TARGETS).value().type(),
          ModelNumericsTest.padded(ParameterInit.tokenIds(5, "targets", s.batch() * s.decSeq(), s.vocab()), (int) s.batch(), (int) s.decSeq())));
    for (Binding p : TINY.global().params())
      if (p.name().equals(ModelIr.SEED)) b.put(ModelIr.SEED, HostTensor.ofInts(p.value().type(), new int[] {17}));
    return b;
  }

  /** The loss before each of {@code steps} updates, and the final state. */
  private static List<Double> train(TrainStep program, int steps, List<TrainStep.State> last) {
    TrainStep.State state = program.init(initialParams());
    Map<String, HostTensor> batch = batch();
    List<Double> losses = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      TrainStep.Result r = program.run(state, batch);
      losses.add(r.metrics().get(ModelIr.LOSS));
      assertTrue(r.metrics().keySet().containsAll(List.of(ModelIr.CROSS_ENTROPY, ModelIr.AUX_LOSS, ModelIr.Z_LOSS, ModelIr.DROPPED_FRACTION)),
          r.metrics().toString());
      assertRoutingCounts(r.metrics());
      state = r.next();
    }
    last.add(state);
    return losses;
  }

  private static List<Double> lossCurve(Optimizer optimizer, int steps) {
    try (TrainStep program = TrainStep.compile(TINY, ModelIr.LOSS, optimizer)) {
      List<Double> losses = train(program, steps, new ArrayList<>());
      System.out.println(optimizer + " loss: " + losses);
      return losses;
    }
  }

  /** Per Switch layer, the step's tokens per expert (metrics NAME/LAYER/E) count every token of the layer once. */
  private static void assertRoutingCounts(Map<String, Double> metrics) {
    ModelSpec s = TINY.program().spec(ModelSpec.class);
    Map<String, Double> perLayer = new LinkedHashMap<>();
    for (var e : metrics.entrySet())
      if (e.getKey().startsWith(ModelIr.TOKENS_PER_EXPERT + "/"))
        perLayer.merge(e.getKey().substring(0, e.getKey().lastIndexOf('/')), e.getValue(), Double::sum);
    assertTrue(!perLayer.isEmpty(), "tokens per expert among " + metrics.keySet());
    for (var e : perLayer.entrySet())
      assertEquals(s.batch() * (e.getKey().contains("encoder") ? s.seq() : s.decSeq()), e.getValue(), 0, e.getKey());
  }

  /**
   * Table 2's ablation as an option: a bf16 router (bf16 activations beside it) compiles into the
   * step, its gradient flows through the casts, and the loss falls as with the f32 router.
   */
  @Test
  void bf16RouterTrains() {
    Compilation bf16 = Compilation.of(Presets.load("tiny-switch", List.of("router_dtype=bf16", "activation_dtype=bf16"), java.util.Optional.empty(),
        List.of()), Mode.TRAIN);
    try (TrainStep program = TrainStep.compile(bf16, ModelIr.LOSS, Adafactor.t5())) {
      assertTrue(program.func().body().stream().anyMatch(op -> op.out().dtype() == dev.switchc.ir.DType.BF16
          && op.out().shape().has("experts_unsplit")), "the router computes in bf16");
      TrainStep.State state = program.init(initialParams());
      List<Double> losses = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        TrainStep.Result r = program.run(state, batch());
        losses.add(r.metrics().get(ModelIr.LOSS));
        state = r.next();
      }
      assertTrue(losses.get(19) < 0.3 * losses.get(0), "loss " + losses);
    }
  }

  @Test
  void adafactorLowersTheLoss() {
    List<Double> l = lossCurve(Adafactor.t5(), 30);
    assertTrue(l.get(29) < 0.1 * l.get(0), "loss " + l);
  }

  @Test
  void adamWLowersTheLoss() {
    List<Double> l = lossCurve(AdamW.of(1e-2, 0.01, AdamW.Schedule.LINEAR_WARMUP_RSQRT, 5), 30);
    assertTrue(l.get(29) < 0.1 * l.get(0), "loss " + l);
  }

  /** The program's state inputs: an expert weight [experts, d_model, d_ff] keeps row and column statistics per expert. */
  @Test
  void adafactorStateOfAnExpertWeightIsFactoredPerExpert() {
    Func f = TrainStepFunc.build(TINY.global(), ModelIr.LOSS, List.of(expertWeight()), Adafactor.t5());
    Shape w = TINY.param(expertWeight()).value().shape();
    assertEquals(List.of("experts", "d_model", "d_ff"), w.names());
    assertEquals(w.without(List.of("d_ff")), f.param(TrainStepFunc.state(expertWeight(), Adafactor.ROW)).value().shape());
    assertEquals(w.without(List.of("d_model")), f.param(TrainStepFunc.state(expertWeight(), Adafactor.COL)).value().shape());
    assertEquals(w, f.results().stream().filter(r -> r.name().equals(TrainStepFunc.NEW_PARAM + expertWeight())).findFirst().orElseThrow().value().shape());
  }

  private static String expertWeight() {
    return TINY.global().params().stream().map(Binding::name).filter(n -> n.contains("wi") && TINY.param(n).value().shape().has("experts")).findFirst().orElseThrow();
  }

  @Test
  void twoRunsGiveBitIdenticalParameters() {
    try (TrainStep program = TrainStep.compile(TINY, ModelIr.LOSS, Adafactor.t5())) {
      List<TrainStep.State> a = new ArrayList<>(), b = new ArrayList<>();
      List<Double> la = train(program, 5, a), lb = train(program, 5, b);
      assertEquals(la, lb);
      TrainStep.State sa = a.get(0), sb = b.get(0);
      assertEquals(sa.params().keySet(), sb.params().keySet());
      for (String name : sa.params().keySet()) assertArrayEquals(sa.params().get(name).floats(), sb.params().get(name).floats(), name);
      for (String name : sa.optimizer().keySet()) assertArrayEquals(sa.optimizer().get(name).floats(), sb.optimizer().get(name).floats(), name);
      for (String name : sa.params().keySet())
        assertTrue(!java.util.Arrays.equals(sa.params().get(name).floats(), initialParams().get(name)), name + " moved");
    }
  }
}
