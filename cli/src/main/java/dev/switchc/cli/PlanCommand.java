package dev.switchc.cli;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.UserInputError;
import dev.switchc.frontend.Mode;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.driver.report.BackwardPlanText;
import dev.switchc.driver.report.PlanHtml;
import dev.switchc.driver.report.PlanJson;
import dev.switchc.driver.report.PlanProto;
import dev.switchc.driver.report.PlanText;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import dev.switchc.driver.io.OutputPaths;
import java.util.List;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchc plan SPEC|--preset NAME --mesh ...}: the sharding plan as text (default), JSON, HTML or protobuf. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Show the sharding plan: layouts, per-device shapes, bytes, FLOPs and collectives; with --train, as text, also the backward: gradient bytes and the backward's collectives.")
final class PlanCommand implements Callable<Integer> {
  enum Format { text, json, html, proto }

  @Mixin
  SpecOptions specOptions;

  @Spec
  CommandSpec command;

  @Option(names = "--format", defaultValue = "text", paramLabel = "text|json|html|proto", description = "Output format (default ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = {"-o", "--output"}, converter = OutputFileName.class, paramLabel = "FILE", description = "Write to FILE instead of standard output (required for proto).")
  Path output;

  @Option(names = "--timing", description = "Also report compile time and heap use.")
  boolean timing;

  @Override
  public Integer call() throws Exception {
    if (format == Format.proto && output == null) throw new UserInputError("--format proto writes binary: give a file with -o FILE");
    OutputPaths.check(List.of(new OutputPaths.Named("-o", output)), List.of(new OutputPaths.Named("spec", specOptions.spec)));
    long start = System.nanoTime();
    Compilation c = Compilation.of(specOptions.load(), specOptions.mode());
    String module = c.spmdText().text(); // the plan describes this program; compiling it is part of the timing
    long nanos = System.nanoTime() - start;
    String text = switch (format) {
      // In training mode the text shows the backward too: the gradient all-reduces and reverse all-to-alls.
      case text -> PlanText.render(c.plan()) + (c.mode() == Mode.TRAIN ? BackwardPlanText.render(c.plan(), c.trainingStep().plan()) : "");
      case json -> PlanJson.render(c.plan());
      case html -> PlanHtml.render(c.plan(), PlanHtml.defaultTensors(c.plan()));
      case proto -> null;
    };
    if (output != null) {
      if (format == Format.proto) AtomicFile.writeBytes(output, PlanProto.write(c.plan()));
      else AtomicFile.writeString(output, text);
      command.commandLine().getOut().println("wrote " + format + " plan to " + output);
    } else {
      command.commandLine().getOut().print(text);
    }
    if (timing) {
      // The JVM's own high-water mark of every heap pool since start: the compile's peak, the run's only work.
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
        if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) peak += pool.getPeakUsage().getUsed();
      command.commandLine().getErr().println(String.format(Locale.ROOT, "timing: spec to plan and SPMD StableHLO (%d lines) in %.1f ms; peak heap at most %.1f MiB (sum of the heap pools' peaks)",
          module.lines().count(), nanos / 1e6, peak / 1048576.0));
    }
    return Main.OK;
  }
}
