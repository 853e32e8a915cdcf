package dev.switchc.cli;

import dev.switchc.cli.io.AtomicFile;
import dev.switchc.cli.io.FloatArray;
import dev.switchc.cli.io.Npy;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelParams;
import dev.switchc.frontend.model.ModelProgram;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.SwitchProgram;
import dev.switchc.ir.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchc run SPEC}: compiles the layer, runs it on XLA CPU, prints router statistics and
 * writes the outputs. Every output file is written only after the run succeeded, each atomically.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Compile a spec and run it on XLA CPU.")
final class RunCommand implements Callable<Integer> {
  @Mixin
  SpecOptions specOptions;

  @Spec
  CommandSpec command;

  @Option(names = "--seed", defaultValue = "0", description = "Seed for initial parameters, the random input and a model's training-mode noise (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--params", paramLabel = "P.safetensors", description = "Parameters to use instead of the seeded initialisation.")
  Path params;

  @Option(names = "--save-params", paramLabel = "P.safetensors", description = "Write the parameters used.")
  Path saveParams;

  @Option(names = "--input", paramLabel = "X.npy", description = "A layer's float32 input [batch, seq, d_model] (default: seeded standard normal);"
      + " a model's int32 token ids [batch, seq] (default: seeded uniform ids).")
  Path input;

  @Option(names = "--targets", paramLabel = "T.npy", description = "An encoder-decoder model's int32 target ids [batch, dec_seq] (default: seeded uniform ids).")
  Path targets;

  @Option(names = "--output", paramLabel = "Y.npy", description = "Where to write the layer output y, or a model's logits (default: out/<spec name>/y.npy or logits.npy).")
  Path output;

  @Option(names = "--stats", paramLabel = "S.json", description = "Where to write router statistics, or a model's losses (default: out/<spec name>/stats.json).")
  Path stats;

  @Override
  public Integer call() throws Exception {
    Program loaded = specOptions.load();
    if (loaded instanceof ModelProgram model) return runModel(model);
    if (targets != null) throw new UserInputError("--targets is for encoder-decoder models; a switch_layer takes one --input");
    SwitchProgram program = (SwitchProgram) loaded;
    SwitchLayerSpec spec = program.layer().value();
    String base = specOptions.baseName();
    Path outPath = output != null ? output : Path.of("out", base, "y.npy");
    Path statsPath = stats != null ? stats : Path.of("out", base, "stats.json");
    checkOutputs(outPath, statsPath, saveParams);
    checkInputs(input, params);

    try (LayerRun run = new LayerRun(Compilation.of(program, specOptions.mode()))) {
      Map<String, float[]> weights = params != null ? ParamFiles.load(params, spec) : ParameterInit.init(spec, seed);
      float[] x = input != null ? readInput(input, run.inputShape(SwitchLayerIr.X)) : ParameterInit.normal(seed, "x", spec.tokens() * spec.dModel());
      RunStats.Result result = run.run(weights, x);

      List<String> wrote = new ArrayList<>();
      if (saveParams != null) {
        ParamFiles.save(createParent(saveParams), spec, weights);
        wrote.add("parameters " + saveParams);
      }
      Npy.writeFloats(createParent(outPath), new FloatArray(ParamFiles.sizes(run.inputShape(SwitchLayerIr.X)), result.y()));
      wrote.add("output y " + outPath);
      AtomicFile.writeString(createParent(statsPath), RunStats.json(result));
      wrote.add("stats " + statsPath);
      if (run.compilation().multiDevice())
        command.commandLine().getOut().println("ran the SPMD program for mesh " + program.mesh().value() + " (" + program.mesh().value().devices()
            + " devices) in the CPU emulation of the mesh");
      command.commandLine().getOut().print(RunStats.text(result));
      for (String w : wrote) command.commandLine().getOut().println("wrote " + w);
    }
    return Main.OK;
  }

  private int runModel(ModelProgram program) throws java.io.IOException {
    ModelSpec spec = program.model().value();
    String base = specOptions.baseName();
    Path outPath = output != null ? output : Path.of("out", base, "logits.npy");
    Path statsPath = stats != null ? stats : Path.of("out", base, "stats.json");
    if (targets != null && !spec.encoderDecoder())
      throw new UserInputError("--targets: a decoder_only model predicts its --input ids shifted by one; it takes no targets");
    checkOutputs(outPath, statsPath, saveParams);
    checkInputs(input, targets, params);
    try (ModelRun run = new ModelRun(Compilation.of(program, specOptions.mode()))) {
      List<ParamSpec> paramSpecs = ModelParams.of(run.compilation().global());
      Map<String, float[]> weights = params != null ? ParamFiles.load(params, paramSpecs, "this model")
          : ModelParams.init(paramSpecs, spec.initScale(), seed);
      int[] ids = tokens(input, ModelIr.INPUTS, run.inputShape(ModelIr.INPUTS), spec.vocab());
      int[] tgt = spec.encoderDecoder() ? tokens(targets, ModelIr.TARGETS, run.inputShape(ModelIr.TARGETS), spec.vocab()) : null;
      ModelRun.Result r = run.run(weights, ids, tgt, (int) seed);

      List<String> wrote = new ArrayList<>();
      if (saveParams != null) {
        ParamFiles.save(createParent(saveParams), paramSpecs, weights, "switchc-model");
        wrote.add("parameters " + saveParams);
      }
      long length = spec.decoderLength();
      Npy.writeFloats(createParent(outPath), new FloatArray(new long[] {spec.batch(), length, spec.vocab()}, r.logits()));
      wrote.add("logits " + outPath);
      Map<String, Object> losses = new java.util.LinkedHashMap<>();
      losses.put("mode", specOptions.mode().name().toLowerCase(java.util.Locale.ROOT));
      losses.put("loss", r.loss());
      losses.put("cross_entropy", r.crossEntropy());
      losses.put("aux_loss", r.auxLoss());
      losses.put("z_loss", r.zLoss());
      AtomicFile.writeString(createParent(statsPath), Json.write(losses));
      wrote.add("losses " + statsPath);
      var out = command.commandLine().getOut();
      if (run.compilation().multiDevice())
        out.println("ran the SPMD program for mesh " + program.mesh().value() + " (" + program.mesh().value().devices()
            + " devices) in the CPU emulation of the mesh");
      if (input == null) out.println("inputs: seeded random token ids (--seed " + seed + "); give your own with --input ids.npy");
      if (spec.encoderDecoder() && targets == null)
        out.println("targets: seeded random token ids (--seed " + seed + "); give your own with --targets t.npy");
      out.println(String.format(java.util.Locale.ROOT, "%s, %d parameters: loss %.6g = cross_entropy %.6g + aux_loss %.6g + z_loss %.6g",
          run.compilation().plan().program(), run.compilation().plan().parameterCount(), r.loss(), r.crossEntropy(), r.auxLoss(), r.zLoss()));
      for (String w : wrote) out.println("wrote " + w);
    }
    return Main.OK;
  }

  /** Token ids from {@code file} (checked against {@code shape}), or seeded ids in [1, vocab) without one. */
  private int[] tokens(Path file, String name, Shape shape, long vocab) throws java.io.IOException {
    if (file == null) return ParameterInit.tokenIds(seed, name, shape.elements(), vocab);
    dev.switchc.cli.io.IntArray a = Npy.readInts(file);
    if (!Arrays.equals(a.shape(), ParamFiles.sizes(shape)))
      throw new UserInputError(file + ": " + name + " has shape " + Arrays.toString(a.shape()) + " but the model needs " + shape
          + "; write an int32 array of that shape, or change batch/seq/dec_seq with --set");
    long length = shape.dims().get(1).size();
    for (int i = 0; i < a.data().length; i++)
      if (a.data()[i] < 0 || a.data()[i] >= vocab)
        throw new UserInputError(file + ": " + name + " holds token id " + a.data()[i] + " at [" + i / length + ", " + i % length + "], outside [0, "
            + vocab + "); token ids index the vocabulary (0 is padding)");
    return a.data();
  }

  /** An input file that is a directory is named as such (reading it would fail with a bare "Is a directory"). */
  private static void checkInputs(Path... inputs) {
    for (Path p : inputs)
      if (p != null && Files.isDirectory(p)) throw new UserInputError(p + " is a directory; give the file to read");
  }

  /**
   * Refuses output paths that cannot be written before anything runs, so that a mistake in one of
   * them leaves none of the outputs behind.
   */
  private static void checkOutputs(Path... outputs) {
    for (Path p : outputs) {
      if (p == null) continue;
      if (Files.isDirectory(p)) throw new UserInputError(p + " is a directory; give a file name for this output, e.g. " + p.resolve("out.npy"));
      for (Path q = p.toAbsolutePath().getParent(); q != null; q = q.getParent())
        if (Files.exists(q) && !Files.isDirectory(q))
          throw new UserInputError(p + ": " + q + " is a file, not a directory; choose another output path");
    }
  }

  private static Path createParent(Path p) throws java.io.IOException {
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    return p;
  }

  private static float[] readInput(Path file, Shape expected) throws java.io.IOException {
    FloatArray a = Npy.readFloats(file);
    if (!Arrays.equals(a.shape(), ParamFiles.sizes(expected)))
      throw new UserInputError(file + ": input has shape " + Arrays.toString(a.shape()) + " but the spec needs " + expected
          + "; write a float32 array of that shape, or change batch/seq/d_model with --set");
    String bad = ParamFiles.firstNonFinite(a.data());
    if (bad != null) throw new UserInputError(file + ": input holds " + bad + "; the layer's input must be finite numbers");
    return a.data();
  }
}
