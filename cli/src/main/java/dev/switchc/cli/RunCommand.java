package dev.switchc.cli;

import dev.switchc.cli.io.AtomicFile;
import dev.switchc.cli.io.FloatArray;
import dev.switchc.cli.io.Npy;
import dev.switchc.frontend.ParameterInit;
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

  @Option(names = "--seed", defaultValue = "0", description = "Seed for initial parameters and the random input (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--params", paramLabel = "P.safetensors", description = "Parameters to use instead of the seeded initialisation.")
  Path params;

  @Option(names = "--save-params", paramLabel = "P.safetensors", description = "Write the parameters used.")
  Path saveParams;

  @Option(names = "--input", paramLabel = "X.npy", description = "float32 input of shape [batch, seq, d_model] (default: seeded standard normal).")
  Path input;

  @Option(names = "--output", paramLabel = "Y.npy", description = "Where to write the layer output (default: out/<spec name>/y.npy).")
  Path output;

  @Option(names = "--stats", paramLabel = "S.json", description = "Where to write router statistics (default: out/<spec name>/stats.json).")
  Path stats;

  @Override
  public Integer call() throws Exception {
    SwitchProgram program = specOptions.load();
    SwitchLayerSpec spec = program.layer().value();
    String base = specOptions.spec.getFileName().toString().replaceFirst("\\.swc$", "");
    Path outPath = output != null ? output : Path.of("out", base, "y.npy");
    Path statsPath = stats != null ? stats : Path.of("out", base, "stats.json");

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
