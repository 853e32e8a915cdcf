package dev.switchc.bench;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.TrainStep;
import dev.switchc.driver.data.BatchShape;
import dev.switchc.driver.data.TokenBatches;
import dev.switchc.driver.train.BatchInputs;
import dev.switchc.driver.train.Validation;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.runtime.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One small-scale training run for {@link PaperTrends}: a decoder-only byte model trained on one
 * XLA CPU device by the compiled training step, its validation cross-entropy measured every so
 * many steps on fixed held-out batches by the evaluation program (no noise, eval capacity factor).
 */
final class TrainingRun {
  private TrainingRun() {}

  /** A validation measurement after {@code step} updates, {@code seconds} of training (step time only) into the run. */
  record Point(int step, double seconds, double trainLoss, Map<String, Double> validation) {}

  /** A run's measurements, and its median step time. */
  record Curve(String name, List<Point> points, double medianStepSeconds, double droppedFraction) {
    /** As JSON values (maps and lists). */
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("median_step_seconds", medianStepSeconds);
      m.put("dropped_fraction", Double.isFinite(droppedFraction) ? droppedFraction : "diverged");
      List<Object> pts = new ArrayList<>();
      for (Point p : points) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("step", p.step());
        q.put("seconds", p.seconds());
        if (Double.isFinite(p.trainLoss())) q.put("train_cross_entropy", p.trainLoss());
        q.put("validation_cross_entropy", new LinkedHashMap<>(p.validation()));
        pts.add(q);
      }
      m.put("points", pts);
      return m;
    }

    double finalValidation(String split) {
      return points.get(points.size() - 1).validation().get(split);
    }

    /** Validation loss at {@code seconds} of training, interpolated linearly between measurements (NaN past the run's end). */
    double validationAt(double seconds, String split) {
      for (int i = 1; i < points.size(); i++) {
        Point a = points.get(i - 1), b = points.get(i);
        if (seconds <= b.seconds()) {
          double t = (seconds - a.seconds()) / (b.seconds() - a.seconds());
          return a.validation().get(split) + Math.max(0, t) * (b.validation().get(split) - a.validation().get(split));
        }
      }
      return Double.NaN;
    }
  }

  /**
   * Trains {@code program} for {@code steps} from parameters drawn with {@code seed}, measuring the
   * cross-entropy on the first {@code batches} batches of each of {@code validation}'s splits every
   * {@code every} steps (and at step 0), with the training run's own {@link Validation}.
   */
  static Curve train(String name, Program program, Optimizer optimizer, TokenBatches training, Map<String, TokenBatches> validation, int batches,
      int steps, int every, long seed) {
    Compilation train = Compilation.of(program, Mode.TRAIN), eval = Compilation.of(program, Mode.EVAL);
    ModelSpec s = program.spec(ModelSpec.class);
    Map<String, float[]> init = ParameterInit.init(ParameterInit.of(train.global(), train.dataInputNames()), s.initScale(), seed);
    List<Point> points = new ArrayList<>();
    List<Double> stepSeconds = new ArrayList<>();
    double dropped = 0;
    Map<String, Validation> validations = new LinkedHashMap<>();
    try (TrainStep step = TrainStep.compile(train, ModelIr.LOSS, optimizer)) {
      validation.forEach((split, source) -> validations.put(split, Validation.of(eval, source, batches)));
      TrainStep.State start = step.init(init);
      try (TrainStep.Loop loop = step.start(start)) {
        double seconds = 0;
        points.add(new Point(0, 0, Double.NaN, validate(validations, start.params())));
        for (int i = 1; i <= steps; i++) {
          Map<String, HostTensor> batch = BatchInputs.of(train, training.next(), BatchInputs.noiseSeed(seed, i));
          long t0 = System.nanoTime();
          Map<String, Double> m = loop.step(batch);
          double dt = (System.nanoTime() - t0) / 1e9;
          // The first step includes XLA's compilation of the program: it is counted as long as the second.
          if (i == 2) seconds -= stepSeconds.remove(0);
          seconds += i == 2 ? 2 * dt : dt;
          stepSeconds.add(dt);
          if (!Double.isFinite(m.get(ModelIr.LOSS))) {
            points.add(new Point(i, seconds, m.get(ModelIr.LOSS), Map.of()));
            return new Curve(name, points, median(stepSeconds), Double.NaN); // diverged: the caller reports it
          }
          if (i > steps / 2) dropped += m.getOrDefault(ModelIr.DROPPED_FRACTION, 0.0) / (steps - steps / 2);
          if (i % every == 0 || i == steps) points.add(new Point(i, seconds, m.get(ModelIr.CROSS_ENTROPY), validate(validations, loop.state().params())));
        }
      }
    } finally {
      validations.values().forEach(Validation::close);
    }
    return new Curve(name, points, median(stepSeconds), dropped);
  }

  private static Map<String, Double> validate(Map<String, Validation> validations, Map<String, HostTensor> params) {
    Map<String, Double> out = new LinkedHashMap<>();
    validations.forEach((split, v) -> out.put(split, v.run(params).get(ModelIr.CROSS_ENTROPY)));
    return out;
  }

  static BatchShape shape(ModelSpec s) {
    return BatchShape.decoderOnly((int) s.batch(), (int) s.seq());
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    sorted.sort(null);
    return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
  }
}
