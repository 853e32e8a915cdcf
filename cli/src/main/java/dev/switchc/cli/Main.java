package dev.switchc.cli;

import dev.switchc.driver.RunMemory;
import dev.switchc.driver.UserInputError;
import dev.switchc.driver.io.TensorFileException;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.runtime.RuntimeInputException;
import dev.switchc.runtime.tpu.XlaException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code switchc} command. Exit status: 0 success; 2 a usage, spec, parameter-file or input
 * mistake (one line per problem, {@code file:line:col: error: ...}, never a stack trace); 1 a
 * failure while running (with a clear message).
 */
@Command(name = "switchc", mixinStandardHelpOptions = true, version = "switchc 0.1.0",
    description = "Compiles Switch Transformer layers and models to StableHLO and runs them on XLA: CPU devices here, TPUs through a PJRT plugin.",
    subcommands = {RunCommand.class, CompileCommand.class, PlanCommand.class, DevicesCommand.class, DataCommand.class, TrainCommand.class, CommandLine.HelpCommand.class})
public final class Main {
  public static final int OK = 0, RUNTIME_FAILURE = 1, USER_ERROR = 2;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams; returns the exit status. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, a) -> {
      err.println("switchc: error: " + ex.getMessage());
      err.println("  (see 'switchc " + (ex.getCommandLine().getCommandName().equals("switchc") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help')");
      return USER_ERROR;
    });
    cli.setExecutionExceptionHandler((ex, c, parsed) -> report(ex, err));
    int status;
    try {
      status = cli.execute(args);
    } catch (OutOfMemoryError e) { // picocli lets Errors through: say what to change, without a stack trace
      err.println("error: switchc ran out of Java heap (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB); " + moreHeap()
          + "use smaller sizes (fewer layers, experts or devices)");
      status = USER_ERROR;
    }
    out.flush();
    err.flush();
    return status;
  }

  /** Advice to raise -Xmx, only where the machine has that much memory (the run's own check gives exact numbers). */
  private static String moreHeap() {
    long max = Runtime.getRuntime().maxMemory();
    long physical = RunMemory.Machine.current().physical();
    long suggest = Math.min(2 * max, physical * 3 / 4) >> 30;
    return (suggest << 30) > max ? "give the JVM more with JAVA_OPTS=-Xmx" + suggest + "g (this machine has " + (physical >> 30) + " GiB), or " : "";
  }

  static int report(Exception ex, PrintWriter err) {
    if (ex instanceof ArithmeticException) {
      // Sizes whose products (elements, bytes, FLOPs) do not fit in 64 bits: valid one by one, too large together.
      err.println("error: the program's sizes are too large to count in 64 bits (" + ex.getMessage() + "); use smaller sizes"
          + " (e.g. experts, d_model, d_ff, batch, seq)");
      return USER_ERROR;
    }
    if (ex instanceof CompileError ce) {
      for (Diagnostic d : ce.diagnostics()) err.println(d.render());
      return USER_ERROR;
    }
    if (ex instanceof UserInputError || ex instanceof TensorFileException || ex instanceof RuntimeInputException) {
      err.println("error: " + ex.getMessage());
      return USER_ERROR;
    }
    if (ex instanceof java.nio.file.FileAlreadyExistsException fe) {
      err.println("error: " + fe.getFile() + " exists and is not a directory; choose another output path");
      return USER_ERROR;
    }
    if (ex instanceof java.nio.file.NoSuchFileException nf) {
      err.println("error: " + nf.getFile() + ": no such file");
      return USER_ERROR;
    }
    if (ex instanceof XlaException xe) {
      // XLA or a PJRT plugin refused or failed: its status text is the message.
      err.println("error: XLA: " + xe.getMessage());
      return RUNTIME_FAILURE;
    }
    if (ex instanceof java.io.IOException io) {
      err.println("error: " + io.getMessage());
      return RUNTIME_FAILURE;
    }
    err.println("switchc: failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
    return RUNTIME_FAILURE;
  }
}
