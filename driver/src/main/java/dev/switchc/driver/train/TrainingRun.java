package dev.switchc.driver.train;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.ParamFiles;
import dev.switchc.driver.TrainStep;
import dev.switchc.driver.UserInputError;
import dev.switchc.driver.data.Batch;
import dev.switchc.driver.data.BatchShape;
import dev.switchc.driver.data.TokenBatches;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.ProgramKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A training run: steps of a compiled {@link TrainStep} on packed batches, a validation every
 * {@code evalEvery} steps (and before the first and after the last), checkpoints, the metrics log
 * and the loss plot.
 *
 * <p>Everything a step consumes is a function of the run's seed and the step number: the batch
 * comes from the data stream at the position the previous step left it, the noise seed from
 * {@link BatchInputs#noiseSeed}. A checkpoint saves that position with the state, so a run resumed
 * from it computes exactly what the uninterrupted run computed.
 *
 * <p>The outputs in {@code outDir} ({@value #METRICS_FILE}, {@value #SVG_FILE}, {@value #PNG_FILE})
 * are rewritten, each file atomically, at every validation and at the end; {@value #PARAMS_FILE} (the
 * parameters, as {@code run --params} takes them) at the end. A stop request ({@code stop}, polled
 * between steps: Ctrl-C) ends the run after the step in progress, with a checkpoint of that step
 * and the outputs.
 */
public final class TrainingRun {
  public static final String METRICS_FILE = "metrics.jsonl", SVG_FILE = "loss.svg", PNG_FILE = "loss.png", PARAMS_FILE = "params.safetensors";
  public static final List<String> OUTPUTS = List.of(METRICS_FILE, SVG_FILE, PNG_FILE, PARAMS_FILE);
  private static final String LOSS = "loss";

  /** How long and how often: steps in all (a resumed run counts the steps before it), and the intervals. */
  public record Settings(int steps, int evalEvery, int checkpointEvery, long seed, Optional<Path> checkpoints, Path outDir) {
    public Settings {
      if (steps < 1 || evalEvery < 1 || checkpointEvery < 1) throw new IllegalArgumentException("steps " + steps + ", every " + evalEvery + "/" + checkpointEvery);
    }
  }

  /** The model: its training step, its train-mode compilation (for the data inputs), its parameters and their kind, and its batch shape. */
  public record Model(TrainStep step, Compilation train, List<ParamSpec> params, ProgramKind<?> kind, BatchShape shape) {}

  /** How a run ended: the last step done, whether a stop request ended it, the last validation loss, training seconds, the last checkpoint. */
  public record Outcome(int step, boolean stopped, double validationLoss, double wallSeconds, Optional<Path> checkpoint) {}

  private final Model model;
  private final Validation validation;
  private final TrainConfig config;
  private final Settings settings;

  public TrainingRun(Model model, Validation validation, TrainConfig config, Settings settings) {
    this.model = model;
    this.validation = validation;
    this.config = config;
    this.settings = settings;
  }

  /**
   * Runs from {@code start} (a fresh state, or a checkpoint's) on {@code batches} (already at the
   * start's data position) until {@code settings.steps()} or a stop request.
   *
   * @param log the metrics so far (a checkpoint's lines, or empty)
   * @param wallBefore training seconds before this process (a checkpoint's)
   */
  public Outcome run(TrainStep.State start, TokenBatches batches, MetricsLog log, double wallBefore, ProgressLine progress, BooleanSupplier stop)
      throws IOException {
    if (start.step() > settings.steps())
      throw new UserInputError("the checkpoint is at step " + start.step() + ", past --steps " + settings.steps() + "; give --steps " + start.step() + " or more");
    long batchTokens = model.shape().batchTokens();
    long t0 = System.nanoTime();
    int first = start.step();
    Optional<Path> checkpoint = Optional.empty();
    double val = lastValidation(log);
    try (TrainStep.Loop loop = model.step().start(start)) {
      if (first == 0 && log.entries().isEmpty()) {
        val = validate(log, loop, 0, wallBefore);
        writeOutputs(log, Optional.empty());
      }
      int step = first;
      boolean stopped = false;
      long rateFrom = t0;
      while (step < settings.steps()) {
        if (stop.getAsBoolean()) {
          stopped = true;
          break;
        }
        long before = System.nanoTime();
        Batch batch = batches.next();
        int s = step + 1;
        Map<String, Double> metrics = loop.step(BatchInputs.of(model.train(), batch, BatchInputs.noiseSeed(settings.seed(), s)));
        step = s;
        long now = System.nanoTime();
        double wall = wallBefore + (now - t0) / 1e9;
        log.add(new MetricsLog.Entry(MetricsLog.Kind.TRAIN, s, s * batchTokens, wall, batchTokens / ((now - before) / 1e9), metrics));
        double loss = metrics.getOrDefault(LOSS, Double.NaN);
        if (!Double.isFinite(loss)) {
          progress.finish();
          writeOutputs(log, Optional.of(loop.state()));
          throw new IllegalStateException("training diverged at step " + s + ": the loss is " + loss + "; the metrics so far are in "
              + settings.outDir().resolve(METRICS_FILE) + " (try another --optimizer, a lower --learning-rate or a longer --warmup-steps)");
        }
        boolean last = s == settings.steps();
        if (s % settings.evalEvery() == 0) val = validate(log, loop, s, wall);
        // A checkpoint holds the lines of the schedule only: the validation that ends a run off the
        // schedule would not be in a longer run's log, which a resume from this checkpoint must equal.
        List<String> scheduled = log.lines();
        if (last && s % settings.evalEvery() != 0) val = validate(log, loop, s, wall);
        // XLA compiles a program when it first runs: the rate and the ETA leave out this process's first step.
        if (s == first + 1) rateFrom = now;
        double perStep = s > first + 1 ? (now - rateFrom) / 1e9 / (s - first - 1) : (now - before) / 1e9;
        progress.update(s, batchTokens / perStep, metrics, val, perStep * (settings.steps() - s));
        if (settings.checkpoints().isPresent() && (s % settings.checkpointEvery() == 0 || last))
          checkpoint = Optional.of(save(loop.state(), batches, scheduled, wall));
        if (s % settings.evalEvery() == 0 && !last) writeOutputs(log, Optional.empty());
      }
      double wall = wallBefore + (System.nanoTime() - t0) / 1e9;
      // Not again if the schedule just saved this step: rewriting a checkpoint in place would briefly leave it under a temporary name.
      boolean saved = checkpoint.isPresent() && checkpoint.get().getFileName().toString().equals(Checkpoint.name(step));
      if (stopped && settings.checkpoints().isPresent() && step > first && !saved) checkpoint = Optional.of(save(loop.state(), batches, log.lines(), wall));
      progress.finish();
      writeOutputs(log, Optional.of(loop.state()));
      return new Outcome(step, stopped, val, wall, checkpoint.or(() -> latest()));
    }
  }

  private Optional<Path> latest() {
    try {
      return settings.checkpoints().isPresent() ? Checkpoint.latest(settings.checkpoints().get()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static double lastValidation(MetricsLog log) {
    double v = Double.NaN;
    for (MetricsLog.Entry e : log.entries()) if (e.kind() == MetricsLog.Kind.VALIDATION) v = e.get(LOSS);
    return v;
  }

  private double validate(MetricsLog log, TrainStep.Loop loop, int step, double wall) {
    Map<String, Double> m = validation.run(loop.state().params());
    log.add(new MetricsLog.Entry(MetricsLog.Kind.VALIDATION, step, step * model.shape().batchTokens(), wall, Double.NaN, m));
    return m.getOrDefault(LOSS, Double.NaN);
  }

  private Path save(TrainStep.State state, TokenBatches batches, List<String> lines, double wall) throws IOException {
    return new Checkpoint(state, batches.position(), wall, lines).save(settings.checkpoints().get(), config, model.params(), model.kind());
  }

  /** The metrics, the plot and (given a state) the parameters, each file atomically. */
  private void writeOutputs(MetricsLog log, Optional<TrainStep.State> state) throws IOException {
    Path dir = settings.outDir();
    List<List<LossPlot.Point>> curves = LossPlot.curves(log.entries(), LOSS);
    try (AtomicFile.Batch files = new AtomicFile.Batch()) {
      files.write(dir.resolve(METRICS_FILE), out -> out.write(log.text().getBytes(StandardCharsets.UTF_8)));
      files.write(dir.resolve(SVG_FILE), out -> out.write(LossPlot.svg(curves.get(0), curves.get(1)).getBytes(StandardCharsets.UTF_8)));
      files.write(dir.resolve(PNG_FILE), LossPlot.png(curves.get(0), curves.get(1)));
      if (state.isPresent()) {
        Map<String, float[]> params = new LinkedHashMap<>();
        state.get().params().forEach((n, t) -> params.put(n, t.floats()));
        files.write(dir.resolve(PARAMS_FILE), ParamFiles.writer(model.params(), params, model.kind()));
      }
      files.commit();
    }
  }
}
