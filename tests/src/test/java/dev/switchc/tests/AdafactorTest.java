package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.optim.Adafactor;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.tests.reference.AdafactorReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adafactor's IR update, run in f64 on XLA, against {@link AdafactorReference} (the paper's
 * algorithms in plain loops) over steps 1, 2, 3, 4 and 20,000, carrying parameters and state:
 * an expert weight factored per expert, a matrix factored, and two vectors unfactored, one so
 * small that the parameter scale is epsilon2's floor. Gradient scales 1, 30, 0.01, 1, 1 make
 * update clipping act at some steps and not at others (checked on the reference). Tolerance 1e-10
 * relative in f64 (to the tensor's scale for elements near zero) and 1e-6 of the tensor's scale in f32; inputs are
 * rounded to f32 for both, so the f32 run differs from the reference by its arithmetic only.
 */
class AdafactorTest {
  private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

  static {
    SHAPES.put("experts", Shape.of(new Dim("experts", 2), new Dim("rows", 3), new Dim("cols", 4)));
    SHAPES.put("matrix", Shape.of(new Dim("rows", 5), new Dim("cols", 3)));
    SHAPES.put("tiny_vector", Shape.of(new Dim("d", 6)));
    SHAPES.put("vector", Shape.of(new Dim("d", 7)));
  }

  @ParameterizedTest(name = "f64 {0}")
  @ValueSource(booleans = {true, false})
  void updatesMatchThePapersAlgorithms(boolean f64) {
    Random r = new Random(42);
    Map<String, double[]> init = new LinkedHashMap<>();
    Map<String, AdafactorReference> refs = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : SHAPES.entrySet()) {
      double std = e.getKey().equals("tiny_vector") ? 1e-4 : 1;
      double[] x = asF32(GradCheck.gaussian(r, (int) e.getValue().elements(), std));
      init.put(e.getKey(), x);
      List<Dim> d = e.getValue().dims();
      refs.put(e.getKey(), switch (d.size()) {
        case 3 -> new AdafactorReference(x, (int) d.get(0).size(), (int) d.get(1).size(), (int) d.get(2).size());
        case 2 -> new AdafactorReference(x, 1, (int) d.get(0).size(), (int) d.get(1).size());
        default -> new AdafactorReference(x, 1, 0, 0);
      });
    }
    int[] steps = {1, 2, 3, 4, 20_000};
    double[] gradScale = {1, 30, 0.01, 1, 1};
    Map<String, Boolean> clipped = new LinkedHashMap<>(), unclipped = new LinkedHashMap<>();
    try (OptimizerRun run = new OptimizerRun(Adafactor.t5(), SHAPES, init, f64)) {
      for (int s = 0; s < steps.length; s++) {
        Map<String, double[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : SHAPES.entrySet()) grads.put(e.getKey(), asF32(GradCheck.gaussian(r, (int) e.getValue().elements(), gradScale[s])));
        run.step(steps[s], grads);
        for (String name : SHAPES.keySet()) {
          AdafactorReference ref = refs.get(name);
          ref.step(steps[s], grads.get(name));
          String at = name + " after step " + steps[s];
          OptimizerRun.check(at, run.param(name), ref.x, f64);
          if (SHAPES.get(name).rank() >= 2) {
            OptimizerRun.check(at + ", row statistic", run.state(name, Adafactor.ROW), ref.rowState(), f64);
            OptimizerRun.check(at + ", column statistic", run.state(name, Adafactor.COL), ref.colState(), f64);
          } else {
            OptimizerRun.check(at + ", second moment", run.state(name, Adafactor.FULL), ref.fullState(), f64);
          }
          (ref.lastClip > 1 ? clipped : unclipped).put(name, true);
        }
      }
    }
    assertEquals(SHAPES.keySet(), clipped.keySet(), "clipping acted on every parameter at some step");
    assertEquals(SHAPES.keySet(), unclipped.keySet(), "and left every parameter alone at some step");
  }

  /** {@code v} rounded to f32, so that both programs and the reference start from the same values. */
  static double[] asF32(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
    return out;
  }

  /** Static state shapes: row and column statistics per expert for rank >= 2, the full moment below. */
  @Test
  void stateIsFactoredOverTheLastTwoDims() {
    Adafactor a = Adafactor.t5();
    List<Optimizer.Slot> expert = a.slots(new TensorType(DType.F32, SHAPES.get("experts")));
    assertEquals(List.of(new Optimizer.Slot(Adafactor.ROW, new TensorType(DType.F32, Shape.of(new Dim("experts", 2), new Dim("rows", 3)))),
        new Optimizer.Slot(Adafactor.COL, new TensorType(DType.F32, Shape.of(new Dim("experts", 2), new Dim("cols", 4))))), expert);
    TensorType vector = new TensorType(DType.F32, SHAPES.get("vector"));
    assertEquals(List.of(new Optimizer.Slot(Adafactor.FULL, vector)), a.slots(vector));
    assertTrue(a.slots(new TensorType(DType.F32, Shape.SCALAR)).get(0).type().shape().rank() == 0);
  }
}
