package dev.switchc.cli;

import dev.switchc.cli.io.AtomicFile;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.Func;
import dev.switchc.ir.IrPrinter;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.Port;
import dev.switchc.lowering.StableHlo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchc compile SPEC -o DIR}: writes module.mlir, the IR and a short summary. */
@Command(name = "compile", mixinStandardHelpOptions = true, description = "Compile a spec to StableHLO (module.mlir, ir.txt, summary.txt).")
final class CompileCommand implements Callable<Integer> {
  @Mixin
  SpecOptions specOptions;

  @Spec
  CommandSpec command;

  @Option(names = {"-o", "--output-dir"}, required = true, paramLabel = "DIR", description = "Directory for module.mlir and summary.txt.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Located<SwitchLayerSpec> layer = specOptions.load();
    Mode mode = specOptions.mode();
    Func f = SwitchLayerIr.build(layer, mode);
    CompiledModule module = StableHlo.compile(f);
    Files.createDirectories(dir);
    AtomicFile.writeString(dir.resolve("module.mlir"), module.text());
    AtomicFile.writeString(dir.resolve("ir.txt"), IrPrinter.print(f));
    String summary = summary(layer.value(), mode, module);
    AtomicFile.writeString(dir.resolve("summary.txt"), summary);
    command.commandLine().getOut().print(summary);
    command.commandLine().getOut().println("wrote " + dir.resolve("module.mlir") + ", " + dir.resolve("ir.txt") + ", " + dir.resolve("summary.txt"));
    return Main.OK;
  }

  static String summary(SwitchLayerSpec s, Mode mode, CompiledModule module) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "switch layer, %s mode: capacity factor %s, expert capacity %d per group, %d groups of %d tokens%n",
        mode.name().toLowerCase(Locale.ROOT), RunStats.decimal(s.capacityFactor(mode)), s.expertCapacity(mode), s.groups(), s.groupSize()));
    sb.append(String.format(Locale.ROOT, "dispatch %s, activation %s, activations %s (router f32)%n",
        s.dispatch().specName(), s.activation().specName(), s.activationDtype().specName()));
    sb.append("inputs:\n");
    for (Port p : module.signature().inputs()) sb.append("  ").append(p.name()).append(": ").append(p.type()).append('\n');
    sb.append("outputs:\n");
    for (Port p : module.signature().outputs()) sb.append("  ").append(p.name()).append(": ").append(p.type()).append('\n');
    long lines = module.text().lines().count();
    sb.append(String.format(Locale.ROOT, "module.mlir: %d lines, every shape static%n", lines));
    return sb.toString();
  }
}
