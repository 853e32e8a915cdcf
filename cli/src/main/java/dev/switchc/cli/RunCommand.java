package dev.switchc.cli;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.ExecutableDir;
import dev.switchc.driver.PluginLocation;
import dev.switchc.driver.DataInputs;
import dev.switchc.driver.ParamFiles;
import dev.switchc.driver.ProgramRun;
import dev.switchc.driver.RunMemory;
import dev.switchc.driver.UserInputError;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.driver.io.OutputPaths;
import dev.switchc.driver.io.OutputPaths.Named;
import java.nio.charset.StandardCharsets;
import dev.switchc.driver.io.FloatArray;
import dev.switchc.driver.io.Npy;
import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.RunReport;
import dev.switchc.ir.TensorType;
import dev.switchc.driver.io.Json;
import dev.switchc.runtime.HostTensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchc run SPEC}: compiles the program, runs it on a {@link Backend}, prints what it produced and
 * writes the outputs. Every output file is written only after the run succeeded, each atomically.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Compile a spec and run it: on XLA CPU (a mesh on as many XLA CPU devices,"
    + " partitioned by XLA), on a PJRT plugin, or in switchc's emulation of the mesh.")
final class RunCommand implements Callable<Integer> {
  @Mixin
  SpecOptions specOptions;

  @Option(names = "--target", defaultValue = "cpu", paramLabel = "cpu|tpu", description = "cpu (default): XLA CPU; a mesh runs on as many XLA CPU devices"
      + " through XLA's SPMD partitioner. tpu: the devices of a PJRT plugin (see --plugin).")
  CompileCommand.Target target;

  @Mixin
  PluginOption pluginOption;

  @Option(names = "--emulate", description = "Run a mesh in switchc's CPU emulation of the mesh instead of XLA's partitioner (the tests' independent oracle).")
  boolean emulate;

  @Option(names = "--executable", paramLabel = "DIR", description = "Run the executable that 'switchc compile --target tpu' wrote to DIR, without compiling"
      + " it again (its spec and options are recorded there).")
  Path executable;

  @Spec
  CommandSpec command;

  @Option(names = "--seed", defaultValue = "0", description = "Seed for initial parameters, the random input and a model's training-mode noise (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--params", paramLabel = "P.safetensors", description = "Parameters to use instead of the seeded initialisation.")
  Path params;

  @Option(names = "--save-params", converter = OutputFileName.class, paramLabel = "P.safetensors", description = "Write the parameters used.")
  Path saveParams;

  @Option(names = "--input", paramLabel = "X.npy", description = "A layer's float32 input [batch, seq, d_model] (default: seeded standard normal);"
      + " a model's int32 token ids [batch, seq] (default: seeded uniform ids).")
  Path input;

  @Option(names = "--targets", paramLabel = "T.npy", description = "An encoder-decoder model's int32 target ids [batch, dec_seq] (default: seeded uniform ids).")
  Path targets;

  @Option(names = "--output", converter = OutputFileName.class, paramLabel = "Y.npy", description = "Where to write the layer output y, or a model's logits (default: out/<spec name>/y.npy or logits.npy).")
  Path output;

  @Option(names = "--stats", converter = OutputFileName.class, paramLabel = "S.json", description = "Where to write router statistics, or a model's losses (default: out/<spec name>/stats.json).")
  Path stats;

  @Override
  public Integer call() throws Exception {
    Loaded loaded = executable != null ? fromExecutable() : fromSpec();
    Compilation compilation = loaded.compilation();
    Backend backend = loaded.backend();
    String base = loaded.baseName();
    Map<DataInput.Role, Path> files = new LinkedHashMap<>();
    if (input != null) files.put(DataInput.Role.INPUT, input);
    if (targets != null) files.put(DataInput.Role.TARGETS, targets);
    for (DataInput.Role role : files.keySet())
      if (compilation.spec().dataInputs().stream().noneMatch(d -> d.role() == role))
        throw new UserInputError(role == DataInput.Role.TARGETS ? "--targets: this " + compilation.spec().kind().noun() + " takes no targets; give only --input"
            : "--input: this program takes no input");
    String main = compilation.spec().mainOutput();
    Path outPath = output != null ? output : Path.of("out", base, main + ".npy");
    Path statsPath = stats != null ? stats : Path.of("out", base, "stats.json");
    checkInputs(input, targets, params);
    OutputPaths.check(List.of(new Named("--output", outPath), new Named("--stats", statsPath), new Named("--save-params", saveParams)),
        List.of(new Named("spec", specOptions.spec), new Named("--params", params), new Named("--input", input), new Named("--targets", targets),
            new Named("--executable", executable == null ? null : executable.resolve(ExecutableDir.EXECUTABLE)),
            new Named("--executable", executable == null ? null : executable.resolve(ExecutableDir.MANIFEST))));

    // Only the runtimes inside TensorFlow's natives log through them: a plugin run does not load them just for this.
    if (backend.memory() != RunMemory.Runtime.PLUGIN) NativeLogs.apply();
    try (ProgramRun run = ProgramRun.load(compilation, backend)) {
      Map<String, float[]> weights = params != null ? ParamFiles.load(params, run.parameters(), compilation.spec().kind()) : run.initialParameters(seed);
      Map<String, HostTensor> data = run.defaultData(seed);
      List<String> notes = new ArrayList<>();
      for (DataInput d : run.dataInputs()) {
        Path file = files.get(d.role());
        if (file != null) data.put(d.name(), read(file, d, run.inputType(d.name())));
        else if (d.values() == DataInput.Values.TOKEN_IDS)
          notes.add(d.name() + ": seeded random token ids (--seed " + seed + "); give your own with " + flag(d.role()) + " " + (d.role() == DataInput.Role.TARGETS ? "t" : "ids") + ".npy");
      }
      ProgramRun.Result result = run.run(weights, data);
      RunReport report = run.report(result);

      // Written together: either every output is in place, or none (and no temporary file) is.
      List<String> wrote = new ArrayList<>();
      try (AtomicFile.Batch batch = new AtomicFile.Batch()) {
        if (saveParams != null) {
          batch.write(saveParams, ParamFiles.writer(run.parameters(), weights, compilation.spec().kind()));
          wrote.add("parameters " + saveParams);
        }
        HostTensor y = result.get(main);
        batch.write(outPath, Npy.floatsWriter(new FloatArray(ParamFiles.sizes(y.shape()), y.floats())));
        wrote.add("output " + main + " " + outPath);
        batch.write(statsPath, out -> out.write(Json.write(report.stats()).getBytes(StandardCharsets.UTF_8)));
        wrote.add("stats " + statsPath);
        batch.commit();
      }
      PrintWriter out = command.commandLine().getOut();
      backend.describe(compilation).ifPresent(out::println);
      notes.forEach(out::println);
      out.print(report.text());
      for (String w : wrote) out.println("wrote " + w);
    }
    return Main.OK;
  }

  /** The program to run, where, and the base name of its default output directory. */
  private record Loaded(Compilation compilation, Backend backend, String baseName) {}

  /** {@code --executable DIR}: the recorded program, its executable on the plugin (given, from the environment, or recorded). */
  private Loaded fromExecutable() throws IOException {
    if (specOptions.given() || emulate || target != CompileCommand.Target.cpu)
      throw new UserInputError("--executable runs the program recorded in " + executable + ": give no spec file, --preset, --set, --mesh, --layout, --train, --eval,"
          + " --target or --emulate with it");
    ExecutableDir.Contents contents = ExecutableDir.read(executable);
    ExecutableDir.Manifest m = contents.manifest();
    Compilation compilation = ExecutableDir.compilation(executable, m);
    Path recorded = Path.of(m.plugin());
    Path plugin = pluginOption.given() || System.getenv(PluginLocation.ENV) != null || !Files.isRegularFile(recorded)
        ? pluginOption.require("run " + executable + " on (it was compiled by " + m.plugin() + ")") : recorded;
    return new Loaded(compilation, new Backend.Serialized(plugin, contents.executable()), SpecOptions.baseName(m.source().fileName()));
  }

  /** A spec or preset: on XLA (one device, or XLA's partitioner for a mesh), the emulation, or a plugin. */
  private Loaded fromSpec() {
    if (emulate && (target == CompileCommand.Target.tpu || pluginOption.given()))
      throw new UserInputError("--emulate runs the mesh in switchc's CPU emulation; it does not combine with --target tpu or --plugin");
    Compilation compilation = Compilation.of(specOptions.load(), specOptions.mode());
    Backend backend = emulate ? new Backend.Emulation()
        : target == CompileCommand.Target.tpu || pluginOption.given() ? new Backend.Plugin(pluginOption.require("run on")) : new Backend.Xla();
    return new Loaded(compilation, backend, specOptions.baseName());
  }

  private static String flag(DataInput.Role role) {
    return role == DataInput.Role.TARGETS ? "--targets" : "--input";
  }

  /**
   * A data input from an .npy file: its shape, read from the header before any data, must be the
   * port's; its values are checked by the input's rules.
   */
  private static HostTensor read(Path file, DataInput d, TensorType type) throws IOException {
    long[] want = ParamFiles.sizes(type.shape());
    boolean ids = d.values() == DataInput.Values.TOKEN_IDS;
    long[] shape = Npy.shape(file);
    if (!Arrays.equals(shape, want))
      throw new UserInputError(file + ": " + (ids ? d.name() + " has shape " + Arrays.toString(shape) + " but the model needs " + type.shape()
          + "; write an int32 array of that shape, or change batch/seq/dec_seq with --set"
          : "input has shape " + Arrays.toString(shape) + " but the spec needs " + type.shape()
              + "; write a float32 array of that shape, or change batch/seq/d_model with --set"));
    HostTensor value = ids ? HostTensor.ofInts(type, Npy.readInts(file).data()) : HostTensor.ofFloats(type, Npy.readFloats(file).data());
    DataInputs.check(d, value, file + ": ");
    return value;
  }

  /**
   * An input that is not a regular file is named as such: a directory would fail with a bare "Is a
   * directory", and a FIFO or device would block or be read without end.
   */
  private static void checkInputs(Path... inputs) {
    for (Path p : inputs)
      if (p != null && Files.exists(p) && !Files.isRegularFile(p))
        throw new UserInputError(p + " is " + OutputPaths.kind(p) + ", not a regular file; give the file to read");
  }
}
