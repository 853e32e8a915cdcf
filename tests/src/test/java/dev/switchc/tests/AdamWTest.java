package dev.switchc.tests;

import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.optim.AdamW;
import dev.switchc.tests.reference.AdamWReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * AdamW's IR update, run in f64 on XLA, against {@link AdamWReference} (the paper's Algorithm 2 in
 * plain loops) for six steps with a constant rate and with linear warm-up over 3 steps then inverse
 * square root decay, weight decay 0.1, parameters, first and second moments compared to 1e-10.
 */
class AdamWTest {
  @ParameterizedTest
  @EnumSource(AdamW.Schedule.class)
  void updatesMatchThePapersAlgorithm(AdamW.Schedule schedule) {
    long warmup = schedule == AdamW.Schedule.CONSTANT ? 0 : 3;
    AdamW opt = AdamW.of(1e-2, 0.1, schedule, warmup);
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("matrix", Shape.of(new Dim("rows", 4), new Dim("cols", 3)));
    shapes.put("vector", Shape.of(new Dim("d", 5)));
    Random r = new Random(7);
    Map<String, double[]> init = new LinkedHashMap<>();
    Map<String, AdamWReference> refs = new LinkedHashMap<>();
    shapes.forEach((name, s) -> {
      double[] x = GradCheck.gaussian(r, (int) s.elements(), 1);
      init.put(name, x);
      refs.put(name, new AdamWReference(x, 1e-2, 0.9, 0.999, 1e-8, 0.1, warmup));
    });
    try (OptimizerRun run = new OptimizerRun(opt, shapes, init)) {
      for (int t = 1; t <= 6; t++) {
        Map<String, double[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) grads.put(e.getKey(), GradCheck.gaussian(r, (int) e.getValue().elements(), t % 2 == 0 ? 3 : 0.5));
        run.step(t, grads);
        for (String name : shapes.keySet()) {
          AdamWReference ref = refs.get(name);
          ref.step(t, grads.get(name));
          String at = name + " after step " + t;
          Compare.close(at, run.param(name), ref.x, 1e-10);
          Compare.close(at + ", m", run.state(name, AdamW.M), ref.m, 1e-10);
          Compare.close(at + ", v", run.state(name, AdamW.V), ref.v, 1e-10);
        }
      }
    }
  }
}
