package dev.switchc.cli;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.TrainStep;
import dev.switchc.driver.UserInputError;
import dev.switchc.driver.data.BatchShape;
import dev.switchc.driver.data.ByteTokens;
import dev.switchc.driver.data.Corpus;
import dev.switchc.driver.data.CorpusSplit;
import dev.switchc.driver.data.FortuneReader;
import dev.switchc.driver.data.TokenBatches;
import dev.switchc.driver.io.OutputPaths;
import dev.switchc.driver.io.OutputPaths.Named;
import dev.switchc.driver.train.Checkpoint;
import dev.switchc.driver.train.MetricsLog;
import dev.switchc.driver.train.ProgressLine;
import dev.switchc.driver.train.TrainConfig;
import dev.switchc.driver.train.TrainingRun;
import dev.switchc.driver.train.Validation;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.frontend.spec.ProgramSource;
import dev.switchc.ir.optim.Adafactor;
import dev.switchc.ir.optim.AdamW;
import dev.switchc.ir.optim.Optimizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchc train SPEC|--preset NAME --data PATH --steps N}: trains a model on a fortune
 * corpus with the compiled training step ({@link TrainStep}), validating, checkpointing and writing
 * the metrics and loss curves ({@link TrainingRun}). Every input and output is checked before
 * anything is compiled.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model on a text corpus (fortune format, byte tokens) with the compiled"
    + " training step, sharded over the mesh by XLA's partitioner: progress line, validation loss, checkpoints and --resume, metrics.jsonl and loss.svg/loss.png.")
final class TrainCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "Spec file with a model block; or use --preset.")
  Path spec;

  @Option(names = "--preset", paramLabel = "NAME", description = "A model preset instead of a spec file, e.g. tiny-switch or tiny-switch-lm.")
  String preset;

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a spec field, e.g. --set experts=8.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--mesh", paramLabel = "AXES", description = "The device mesh to train on, e.g. data=2,expert=2 (default: the spec's own mesh;"
      + " data=1 for one device): the step sharded by XLA's SPMD partitioner over as many XLA CPU devices.")
  String mesh;

  @Option(names = "--emulate", description = "Run the sharded step in switchc's CPU emulation of the mesh (the tests' oracle) instead of XLA's partitioner.")
  boolean emulate;

  @Option(names = "--data", required = true, paramLabel = "PATH", description = "The corpus: a fortune file or a directory of them, e.g. /usr/share/games/fortunes.")
  Path data;

  @Option(names = "--steps", required = true, paramLabel = "N", description = "Train until step N (a resumed run counts the steps before it).")
  int steps;

  enum OptimizerName { adafactor, adamw }

  @Option(names = "--optimizer", defaultValue = "adafactor", paramLabel = "adafactor|adamw",
      description = "adafactor (default): T5's settings, relative step size min(1e-2, 1/sqrt(t)); adamw: --learning-rate, --warmup-steps, --weight-decay.")
  OptimizerName optimizer;

  @Option(names = "--learning-rate", paramLabel = "LR", description = "AdamW's peak learning rate (default 1e-3).")
  Double learningRate;

  @Option(names = "--warmup-steps", paramLabel = "W", description = "AdamW: linear warm-up to the peak over W steps, then 1/sqrt decay (default 100).")
  Integer warmupSteps;

  @Option(names = "--weight-decay", paramLabel = "WD", description = "AdamW's decoupled weight decay (default 0.01).")
  Double weightDecay;

  @Option(names = "--eval-every", defaultValue = "50", paramLabel = "K", description = "Validate every K steps, and at the start and the end (default ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(names = "--eval-batches", defaultValue = "8", paramLabel = "M", description = "Held-out batches per validation: the first M of the validation split (default ${DEFAULT-VALUE}).")
  int evalBatches;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial parameters, the data order and the per-step noise (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--checkpoint", paramLabel = "DIR", description = "Write checkpoints to DIR (one step-N directory, the newest kept).")
  Path checkpoint;

  @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "K", description = "Checkpoint every K steps, at the end and when stopped (default ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --checkpoint DIR, exactly as if the run had not stopped.")
  boolean resume;

  @Option(names = {"-o", "--output"}, paramLabel = "OUTDIR", description = "Where to write metrics.jsonl, loss.svg, loss.png and params.safetensors (default out/<spec name>/train).")
  Path outDir;

  @Spec
  CommandSpec command;

  @Override
  public Integer call() throws IOException {
    checkCounts();
    if (resume && checkpoint == null) throw new UserInputError("--resume continues the newest checkpoint in --checkpoint DIR: give --checkpoint");
    PrintWriter out = command.commandLine().getOut();

    // The model, with a vocabulary large enough for byte tokens.
    ProgramSource source = source(sets);
    ModelSpec model = model(source);
    String vocabNote = "";
    if (model.vocab() < ByteTokens.VOCAB) {
      if (sets.stream().anyMatch(s -> s.strip().matches("vocab\\s*=.*")))
        throw new UserInputError("--set vocab=" + model.vocab() + ": smaller than the byte-level tokens' " + ByteTokens.VOCAB + " (256 bytes and 2 specials);"
            + " give --set vocab=" + ByteTokens.VOCAB + " or more, or leave vocab out and train sets it");
      vocabNote = " (vocab " + model.vocab() + " raised to " + ByteTokens.VOCAB + " for byte tokens)";
      List<String> withVocab = new ArrayList<>(sets);
      withVocab.add("vocab=" + ByteTokens.VOCAB);
      source = source(withVocab);
      model = model(source);
    }
    Program program = source.load();
    BatchShape shape = new BatchShape(Math.toIntExact(model.batch()), Math.toIntExact(model.seq()), model.encoderDecoder() ? Math.toIntExact(model.decSeq()) : 0);

    // The data: every bad-data error before anything is compiled.
    Corpus corpus = FortuneReader.read(data);
    CorpusSplit split = CorpusSplit.of(corpus.records());
    TokenBatches training = TokenBatches.training(data.toString(), split, shape, seed);
    TokenBatches held = TokenBatches.validation(data.toString(), split, shape);

    Optimizer opt = optimizer();
    TrainConfig config = TrainConfig.of(source, opt.toString(), seed, data.toString(), split, evalEvery, evalBatches);

    // Every output, and the checkpoint to resume, before any work.
    Path dir = outDir != null ? outDir : Path.of("out", preset != null ? preset : SpecOptions.baseName(spec.toString()), "train");
    List<Named> outputs = TrainingRun.OUTPUTS.stream().map(f -> new Named("-o", dir.resolve(f))).toList();
    OutputPaths.check(outputs, List.of(new Named("spec", spec), new Named("--data", data)));
    Optional<Path> resumeFrom = Optional.empty();
    if (checkpoint != null) {
      if (OutputPaths.target(checkpoint).equals(OutputPaths.target(dir)))
        throw new UserInputError("--checkpoint " + checkpoint + ": the same directory as -o " + dir + "; checkpoints need a directory of their own");
      OutputPaths.checkDirectory(new Named("--checkpoint", checkpoint));
      Checkpoint.checkDirectory(checkpoint);
      Optional<Path> latest = Checkpoint.latest(checkpoint);
      if (resume && latest.isEmpty())
        throw new UserInputError("--resume: --checkpoint " + checkpoint + " holds no checkpoint yet; run without --resume to start one");
      if (!resume && latest.isPresent())
        throw new UserInputError("--checkpoint " + checkpoint + ": holds the checkpoint " + latest.get().getFileName() + " of an earlier run; give --resume to"
            + " continue it, or another directory to start afresh");
      if (resume) {
        Checkpoint.Meta meta = Checkpoint.meta(latest.get(), config);
        if (meta.step() > steps)
          throw new UserInputError("--steps " + steps + ": the checkpoint " + latest.get() + " is already at step " + meta.step() + "; give --steps " + meta.step() + " or more");
        resumeFrom = latest;
      }
    }

    NativeLogs.apply();
    long t0 = System.nanoTime();
    Compilation train = Compilation.of(program, Mode.TRAIN);
    List<ParameterInit.ParamSpec> params = ParameterInit.of(train.global(), train.dataInputNames());
    Backend backend = emulate ? new Backend.Emulation() : new Backend.Xla();
    try (TrainStep step = TrainStep.compile(train, ModelIr.LOSS, opt, backend);
        Validation validation = Validation.of(Compilation.of(program, Mode.EVAL), held, evalBatches)) {
      double compileSeconds = (System.nanoTime() - t0) / 1e9;
      TrainStep.State fresh = step.init(ParameterInit.init(params, model.initScale(), seed));
      TrainStep.State start = fresh;
      MetricsLog log = new MetricsLog();
      double wallBefore = 0;
      if (resumeFrom.isPresent()) {
        Checkpoint c = Checkpoint.load(resumeFrom.get(), config, params, program.spec().kind(), fresh);
        start = c.state();
        training.seek(c.data());
        log = MetricsLog.of(c.metrics());
        wallBefore = c.wallSeconds();
      }

      long count = params.stream().mapToLong(p -> p.shape().elements()).sum();
      int devices = program.mesh().value().devices();
      out.printf(Locale.ROOT, "train %s: %s, %,d parameters%s; %s%n", preset != null ? preset : spec,
          model.architecture().toString().toLowerCase(Locale.ROOT), count, vocabNote, devices == 1 ? "one XLA CPU device"
              : "mesh " + program.mesh().value() + ": the step sharded over " + devices + (emulate ? " devices in switchc's emulation of the mesh"
                  : " XLA CPU devices by XLA's SPMD partitioner, parameters and optimizer state resident on them"));
      out.printf(Locale.ROOT, "data %s: %d records, %d for training, %d held out; batches %s, %d tokens; validation on the first %d held-out batches%n",
          data, corpus.records().size(), split.train().size(), split.validation().size(), shape, shape.batchTokens(), evalBatches);
      out.printf(Locale.ROOT, "optimizer %s; seed %d; built the training step and the eval program in %.1f s (XLA compiles each on its first run)%n", describe(opt), seed, compileSeconds);
      if (resumeFrom.isPresent()) out.println("resuming from " + resumeFrom.get() + " (step " + start.step() + ", data " + training.position() + ")");

      TrainingRun.Settings settings = new TrainingRun.Settings(steps, evalEvery, checkpointEvery, seed, Optional.ofNullable(checkpoint), dir);
      TrainingRun run = new TrainingRun(new TrainingRun.Model(step, train, params, program.spec().kind(), shape), validation, config, settings);
      ProgressLine progress = new ProgressLine(out, System.console() != null, evalEvery, steps);
      TrainingRun.Outcome outcome;
      int firstStep = start.step();
      try (StopSignals stop = StopSignals.install()) {
        outcome = run.run(start, training, log, wallBefore, progress, stop);
        if (outcome.stopped()) {
          out.printf(Locale.ROOT, "stopped by a signal after step %d%s%n", outcome.step(),
              outcome.checkpoint().map(p -> "; resume with --resume --checkpoint " + checkpoint + " (newest: " + p.getFileName() + ")").orElse(""));
          report(out, outcome, firstStep, dir, shape);
          return stop.status();
        }
      }
      report(out, outcome, firstStep, dir, shape);
      return Main.OK;
    }
  }

  private void report(PrintWriter out, TrainingRun.Outcome o, int firstStep, Path dir, BatchShape shape) {
    out.printf(Locale.ROOT, "trained steps %d to %d; validation loss %.4f; %.1f s of training in all%n", firstStep + 1, o.step(), o.validationLoss(), o.wallSeconds());
    out.println("wrote metrics " + dir.resolve(TrainingRun.METRICS_FILE) + ", loss curves " + dir.resolve(TrainingRun.SVG_FILE) + " and "
        + dir.resolve(TrainingRun.PNG_FILE) + ", parameters " + dir.resolve(TrainingRun.PARAMS_FILE));
    o.checkpoint().ifPresent(p -> out.println("checkpoint " + p));
  }

  private void checkCounts() {
    if (steps < 1) throw new UserInputError("--steps " + steps + ": must be at least 1");
    if (evalEvery < 1) throw new UserInputError("--eval-every " + evalEvery + ": must be at least 1");
    if (evalBatches < 1) throw new UserInputError("--eval-batches " + evalBatches + ": must be at least 1");
    if (checkpointEvery < 1) throw new UserInputError("--checkpoint-every " + checkpointEvery + ": must be at least 1");
  }

  private ProgramSource source(List<String> overrides) {
    if ((spec == null) == (preset == null))
      throw new UserInputError(spec == null ? "give the model to train: a spec file or --preset NAME (" + String.join(", ", Presets.NAMES) + ")"
          : "give a spec file or --preset, not both");
    return preset != null ? ProgramSource.ofPreset(preset, overrides, Optional.ofNullable(mesh), List.of())
        : ProgramSource.ofFile(spec, overrides, Optional.ofNullable(mesh), List.of());
  }

  private ModelSpec model(ProgramSource source) {
    if (!(source.load().spec() instanceof ModelSpec m))
      throw new UserInputError((preset != null ? preset : spec.toString()) + " is a layer, not a model: training on text needs a model block (e.g. --preset tiny-switch)");
    return m;
  }

  private Optimizer optimizer() {
    if (optimizer == OptimizerName.adafactor) {
      if (learningRate != null || warmupSteps != null || weightDecay != null)
        throw new UserInputError("--learning-rate, --warmup-steps and --weight-decay set AdamW; Adafactor's step size is relative"
            + " (T5's min(1e-2, 1/sqrt(t))): give --optimizer adamw to use them");
      return Adafactor.t5();
    }
    double lr = learningRate != null ? learningRate : 1e-3;
    int warmup = warmupSteps != null ? warmupSteps : 100;
    double wd = weightDecay != null ? weightDecay : 0.01;
    if (!(lr > 0) || !Double.isFinite(lr)) throw new UserInputError("--learning-rate " + lr + ": must be a positive number, e.g. 1e-3");
    if (warmup < 1) throw new UserInputError("--warmup-steps " + warmup + ": must be at least 1");
    if (!(wd >= 0) || !Double.isFinite(wd)) throw new UserInputError("--weight-decay " + wd + ": must be a number >= 0, e.g. 0.01");
    return AdamW.of(lr, wd, AdamW.Schedule.LINEAR_WARMUP_RSQRT, warmup);
  }

  private static String describe(Optimizer o) {
    if (o instanceof AdamW a)
      return "adamw (learning rate " + a.learningRate() + ", warm-up " + a.warmupSteps() + " steps then 1/sqrt, weight decay " + a.weightDecay() + ")";
    return "adafactor (T5's settings: decay 0.8, clipping 1.0, relative step min(1e-2, 1/sqrt(t)))";
  }
}
