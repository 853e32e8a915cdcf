package dev.switchc.cli;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.ExecutableDir;
import dev.switchc.driver.PluginLocation;
import dev.switchc.frontend.spec.ProgramSource;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.Set;
import dev.switchc.driver.io.OutputPaths;
import dev.switchc.driver.UserInputError;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.driver.report.PlanJson;
import dev.switchc.driver.report.PlanProto;
import dev.switchc.frontend.Program;
import dev.switchc.ir.IrPrinter;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.Port;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchc compile SPEC -o DIR}. For {@code --target cpu} (default) on one device: the
 * single-device module. For {@code --target tpu}, or any mesh of several devices: the SPMD module
 * for the whole mesh, with the plan as JSON and protobuf. Always the IR and a summary.
 */
@Command(name = "compile", mixinStandardHelpOptions = true, description = "Compile a spec to StableHLO (module.mlir, ir.txt, summary.txt; plan.json and plan.pb for a mesh;"
    + " executable.pjrt and executable.json with --target tpu and a PJRT plugin).")
final class CompileCommand implements Callable<Integer> {
  enum Target { cpu, tpu }

  /** Every file a compile may write: an existing output directory may hold only these, from an earlier compile. */
  static final Set<String> OUTPUTS = Set.of("module.mlir", "ir.txt", "plan.json", "plan.pb", "summary.txt", ExecutableDir.EXECUTABLE, ExecutableDir.MANIFEST);

  @Mixin
  SpecOptions specOptions;

  @Spec
  CommandSpec command;

  @Option(names = {"-o", "--output-dir"}, required = true, converter = OutputFileName.Directory.class, paramLabel = "DIR", description = "Directory for the outputs.")
  Path dir;

  @Option(names = "--target", defaultValue = "cpu", paramLabel = "cpu|tpu", description = "cpu (default) or tpu: the SPMD module for XLA's partitioner,"
      + " and with a PJRT plugin its executable (executable.pjrt, executable.json).")
  Target target;

  @Mixin
  PluginOption pluginOption;

  @Option(names = "--topology", paramLabel = "NAME", description = "With --target tpu: compile ahead of time for this topology of the plugin"
      + " (e.g. v5e:2x2 with libtpu), with no devices attached.")
  String topology;

  @Override
  public Integer call() throws Exception {
    if (target != Target.tpu && (pluginOption.given() || topology != null))
      throw new UserInputError((topology != null ? "--topology" : "--plugin") + " compiles an executable for a PJRT device: add --target tpu");
    OutputPaths.checkDirectory(new OutputPaths.Named("-o", dir));
    AtomicFile.checkReplaceable(dir, OutputPaths.target(dir), OUTPUTS);
    ProgramSource source = specOptions.source();
    Program program = source.load();
    Compilation c = Compilation.of(program, specOptions.mode());
    boolean spmd = target == Target.tpu || c.multiDevice();
    CompiledModule module = spmd ? c.spmdText() : c.singleDevice();
    Optional<Path> plugin = target != Target.tpu ? Optional.empty()
        : topology != null ? Optional.of(pluginOption.require("compile for topology " + topology + " with")) : pluginOption.find();
    // XLA compiles before anything is written: a program it rejects leaves no outputs behind.
    Optional<ExecutableDir.Contents> executable = plugin.map(p -> ExecutableDir.compile(c, source, p, Optional.ofNullable(topology)));
    String summary = summary(program, c, module, spmd) + executable.map(CompileCommand::executableLine).orElse("");
    List<String> names = new ArrayList<>(List.of("module.mlir", "ir.txt"));
    if (spmd) names.addAll(List.of("plan.json", "plan.pb"));
    names.add("summary.txt");
    if (executable.isPresent()) names.addAll(List.of(ExecutableDir.EXECUTABLE, ExecutableDir.MANIFEST));
    // The files go into a fresh directory that then replaces DIR: a reader never sees this
    // compile's module beside an earlier compile's plan, nor a half-written set.
    AtomicFile.writeDirectory(dir, OUTPUTS, d -> {
      Files.writeString(d.resolve("module.mlir"), module.text());
      Files.writeString(d.resolve("ir.txt"), spmd ? IrPrinter.print(c.sharded().local()) : IrPrinter.print(c.global()));
      if (spmd) {
        Files.writeString(d.resolve("plan.json"), PlanJson.render(c.plan()));
        Files.write(d.resolve("plan.pb"), PlanProto.write(c.plan()));
      }
      Files.writeString(d.resolve("summary.txt"), summary);
      if (executable.isPresent()) ExecutableDir.write(d, executable.get());
    });
    PrintWriter out = command.commandLine().getOut();
    out.print(summary);
    if (target == Target.tpu && plugin.isEmpty())
      out.println("no PJRT plugin given or found: wrote the StableHLO module only; give --plugin PATH (or set " + PluginLocation.ENV
          + ") to also write the executable");
    for (String name : names) out.println("wrote " + dir.resolve(name));
    return Main.OK;
  }

  private static String executableLine(ExecutableDir.Contents e) {
    ExecutableDir.Manifest m = e.manifest();
    return String.format(Locale.ROOT, "executable: %d bytes for %s%s, compiled by %s; run it with 'switchc run --executable DIR'%n", e.executable().length,
        m.platform(), m.topology().map(t -> " topology " + t).orElse(" (" + m.devices() + " attached devices)"), m.plugin());
  }

  static String summary(Program program, Compilation c, CompiledModule module, boolean spmd) {
    StringBuilder sb = new StringBuilder(program.spec().summary(c.mode(), c.plan()));
    if (spmd)
      sb.append(String.format(Locale.ROOT, "SPMD module for mesh %s (%d devices): per-device body @shmap_body with %d collectives%n",
          program.mesh().value(), program.mesh().value().devices(), c.plan().collectives().size()));
    sb.append("inputs:\n");
    for (Port p : module.signature().inputs()) sb.append("  ").append(p.name()).append(": ").append(p.type()).append('\n');
    sb.append("outputs:\n");
    for (Port p : module.signature().outputs()) sb.append("  ").append(p.name()).append(": ").append(p.type()).append('\n');
    sb.append(String.format(Locale.ROOT, "module.mlir: %d lines, every shape static%n", module.text().lines().count()));
    return sb.toString();
  }
}
