package dev.switchc.tests;

import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.optim.AdamW;
import dev.switchc.tests.reference.AdamWReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * AdamW's IR update, run on XLA in f64 and in f32, against {@link AdamWReference} (the paper's Algorithm 2 in
 * plain loops) for six steps with a constant rate and with linear warm-up over 3 steps then inverse
 * square root decay, weight decay 0.1, parameters, first and second moments compared as {@link OptimizerRun#check} says (1e-10 relative in f64, 1e-6 of the scale in f32) (inputs rounded to f32 for both).
 */
class AdamWTest {
  @ParameterizedTest(name = "{0}, f64 {1}")
  @CsvSource({"CONSTANT, true", "LINEAR_WARMUP_RSQRT, true", "CONSTANT, false", "LINEAR_WARMUP_RSQRT, false"})
  void updatesMatchThePapersAlgorithm(AdamW.Schedule schedule, boolean f64) {
    long warmup = schedule == AdamW.Schedule.CONSTANT ? 0 : 3;
    AdamW opt = AdamW.of(1e-2, 0.1, schedule, warmup);
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("matrix", Shape.of(new Dim("rows", 4), new Dim("cols", 3)));
    shapes.put("vector", Shape.of(new Dim("d", 5)));
    Random r = new Random(7);
    Map<String, double[]> init = new LinkedHashMap<>();
    Map<String, AdamWReference> refs = new LinkedHashMap<>();
    shapes.forEach((name, s) -> {
      double[] x = AdafactorTest.asF32(GradCheck.gaussian(r, (int) s.elements(), 1));
      init.put(name, x);
      refs.put(name, new AdamWReference(x, 1e-2, 0.9, 0.999, 1e-8, 0.1, warmup));
    });
    try (OptimizerRun run = new OptimizerRun(opt, shapes, init, f64)) {
      for (int t = 1; t <= 6; t++) {
        Map<String, double[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) grads.put(e.getKey(), AdafactorTest.asF32(GradCheck.gaussian(r, (int) e.getValue().elements(), t % 2 == 0 ? 3 : 0.5)));
        run.step(t, grads);
        for (String name : shapes.keySet()) {
          AdamWReference ref = refs.get(name);
          ref.step(t, grads.get(name));
          String at = name + " after step " + t;
          OptimizerRun.check(at, run.param(name), ref.x, f64);
          OptimizerRun.check(at + ", m", run.state(name, AdamW.M), ref.m, f64);
          OptimizerRun.check(at + ", v", run.state(name, AdamW.V), ref.v, f64);
        }
      }
    }
  }
}
