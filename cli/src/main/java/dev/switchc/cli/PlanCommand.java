package dev.switchc.cli;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.DeviceCapacity;
import dev.switchc.driver.GradientProgram;
import dev.switchc.driver.report.Backward;
import dev.switchc.driver.report.MemoryFit;
import dev.switchc.driver.report.MemoryText;
import dev.switchc.driver.report.StepReport;
import dev.switchc.ir.optim.Adafactor;
import dev.switchc.ir.optim.AdamW;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.ir.plan.DeviceMemory;
import java.util.Optional;
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
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Show the sharding plan: layouts, per-device shapes, bytes, FLOPs and collectives; with --train, in every format, also the backward (gradient bytes and the backward's collectives) and the step's memory per device.")
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

  /** The optimizers whose state --train counts; Adafactor by default, as T5 and the paper train. */
  enum OptimizerChoice {
    adafactor, adamw;

    Optimizer optimizer() {
      return switch (this) {
        case adafactor -> Adafactor.t5();
        // Only the slots' shapes count for memory; the rate and schedule do not.
        case adamw -> AdamW.of(1e-3, 0.0, AdamW.Schedule.CONSTANT, 1);
      };
    }
  }

  @Option(names = "--optimizer", defaultValue = "adafactor", paramLabel = "adafactor|adamw",
      description = "With --train: the optimizer whose state the memory per device counts (default ${DEFAULT-VALUE}, as the paper and T5 train).")
  OptimizerChoice optimizer;

  @Option(names = "--device-memory", paramLabel = "SIZE", description = "Refuse a plan whose memory per device exceeds SIZE (exit status 2):"
      + " e.g. 16GiB, 512MiB, or a TPU generation: v3 (16 GiB HBM per core), v4 (32 GiB per chip). With --train the step's memory counts"
      + " parameters, gradients, optimizer state and activations; without it, parameters and the forward's activations.")
  String deviceMemory;

  @Override
  public Integer call() throws Exception {
    if (format == Format.proto && output == null) throw new UserInputError("--format proto writes binary: give a file with -o FILE");
    OutputPaths.check(List.of(new OutputPaths.Named("-o", output)), List.of(new OutputPaths.Named("spec", specOptions.spec)));
    Optional<DeviceCapacity> capacity = Optional.ofNullable(deviceMemory).map(DeviceCapacity::parse);
    if (command.commandLine().getParseResult().hasMatchedOption("--optimizer") && specOptions.mode() != Mode.TRAIN)
      throw new UserInputError("--optimizer counts the optimizer's state of a training step: add --train");
    long start = System.nanoTime();
    Compilation c = Compilation.of(specOptions.load(), specOptions.mode());
    String module = c.spmdText().text(); // the plan describes this program; compiling it is part of the timing
    long nanos = System.nanoTime() - start;
    StepReport report = report(c, capacity);
    if (capacity.isPresent()) {
      Optional<String> refusal = MemoryFit.refusal(specOptions.baseName(), c.plan().mesh(), report.memory().orElseThrow(), capacity.get());
      if (refusal.isPresent()) throw new UserInputError(refusal.get());
    }
    String text = switch (format) {
      // In training mode every format shows the backward too: the gradient all-reduces and reverse all-to-alls.
      case text -> PlanText.render(c.plan()) + report.backward().map(BackwardPlanText::render).orElse("")
          + report.memory().map(m -> MemoryText.render(m, capacity)).orElse("");
      case json -> PlanJson.render(c.plan(), report);
      case html -> PlanHtml.render(c.plan(), PlanHtml.defaultTensors(c.plan()), report);
      case proto -> null;
    };
    if (output != null) {
      if (format == Format.proto) AtomicFile.writeBytes(output, PlanProto.write(c.plan(), report));
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

  /**
   * The backward and the memory per device: in training mode both (the memory of the whole step,
   * with the chosen optimizer's state); otherwise the forward's memory, only when a device memory
   * is given to check it against, so a plain forward plan prints what it always did.
   */
  private StepReport report(Compilation c, Optional<DeviceCapacity> capacity) {
    if (c.mode() != Mode.TRAIN)
      return new StepReport(Optional.empty(), capacity.map(x -> DeviceMemory.forward(c.plan())), capacity);
    Compilation step = c.gradientStep();
    DeviceMemory memory = DeviceMemory.training(c.sharded().local(), step.sharded(), step.plan(), name -> name.startsWith(GradientProgram.gradientOf("")),
        optimizer.optimizer(), optimizer.name());
    return new StepReport(Optional.of(Backward.of(c.plan(), step.plan())), Optional.of(memory), capacity);
  }
}
