package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.ToF64;
import dev.switchc.ir.grad.Grad;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tiny presets' training loss (cross entropy + aux loss + z loss), differentiated with respect
 * to every trained parameter, against central finite differences in f64 on XLA at three random
 * elements of each parameter (eps 1e-5, 1e-5 relative, plus the differences' rounding noise).
 * Covers attention, layer norm, relative position buckets, embeddings, the top-1 and top-2
 * routers with overflowing tokens, and dropout and router jitter (fixed seed, so the noise is
 * the same in every run). With capacity factor 0.5 and min_capacity 1, an expert takes one token
 * of a group of 8 (floor(8 * 0.5 / 4)), so at least half of each group's first choices overflow.
 *
 * <p>Routing decisions are piecewise constant: a step that flipped one (an argmax, or which tokens
 * fit the capacity) would give a finite difference of order jump / 2e-5, far outside the
 * tolerance, so a pass also says no decision flipped at the checked elements; the seeds are fixed.
 */
class GradModelTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "tiny-switch    | ",
      "tiny-switch    | top_k=2;capacity_factor=0.5;min_capacity=1",
      "tiny-switch-lm | capacity_factor=0.5;min_capacity=1;dropout=0.1;router_jitter=0.01"})
  void trainingLossOfATinyPreset(String preset, String sets) {
    List<String> overrides = sets == null ? List.of() : List.of(sets.split(";"));
    Compilation c = Compilation.of(Presets.load(preset, overrides, Optional.empty(), List.of()), Mode.TRAIN);
    ModelSpec s = c.program().spec(ModelSpec.class);
    if (overrides.contains("min_capacity=1")) assertEquals(1, s.expertCapacity(Mode.TRAIN), "one slot per expert and group: tokens overflow");
    Map<String, float[]> params = ParameterInit.init(ParameterInit.of(c.global(), c.dataInputNames()), s.initScale(), 3);
    Map<String, double[]> inputs = new LinkedHashMap<>();
    params.forEach((k, v) -> inputs.put(k, F64.widen(v)));
    inputs.put(ModelIr.INPUTS, ints(ModelNumericsTest.padded(ParameterInit.tokenIds(5, "inputs", s.batch() * s.seq(), s.vocab()), (int) s.batch(), (int) s.seq())));
    if (s.encoderDecoder())
      inputs.put(ModelIr.TARGETS, ints(ModelNumericsTest.padded(ParameterInit.tokenIds(5, "targets", s.batch() * s.decSeq(), s.vocab()), (int) s.batch(), (int) s.decSeq())));
    Func f = ToF64.run(c.global());
    if (f.params().stream().anyMatch(p -> p.name().equals(ModelIr.SEED))) inputs.put(ModelIr.SEED, new double[] {17});
    List<String> wrt = new ArrayList<>(params.keySet());
    assertTrue(wrt.stream().anyMatch(n -> n.contains("router")), "the routers are among the parameters: " + wrt);
    Map<String, double[]> grads = GradCheck.check(f, ModelIr.LOSS, wrt, inputs, new GradCheck.Options(1e-5, 1e-5, 3, 7));
    for (Binding p : f.params())
      if (p.name().contains("router")) assertTrue(GradLayerTest.maxAbs(grads.get(p.name())) > 0, "the router " + p.name() + " learns");
  }

  private static double[] ints(int[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) d[i] = v[i];
    return d;
  }

  /** Autodiff runs on the global program; a per-device program's collectives have no rule. */
  @Test
  void aShardedProgramIsRejected() {
    Compilation c = Compilation.of(Presets.load("tiny-switch"), Mode.TRAIN);
    Func local = c.sharded().local();
    String router = local.params().stream().map(Binding::name).filter(n -> n.contains("router")).findFirst().orElseThrow();
    var e = assertThrows(IllegalArgumentException.class, () -> Grad.run(local, ModelIr.LOSS, List.of(router)));
    assertTrue(e.getMessage().startsWith("autodiff runs on the global program, before sharding; "), e.getMessage());
  }
}
