package dev.switchc.driver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.io.TensorFileException;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.runtime.RuntimeInputException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.AssertionFailedError;

/**
 * What the fuzz targets check for every input: the code under test either succeeds or throws one
 * of the errors the CLI shows to users as they are (exit status 2, see {@code Main.report}), with
 * messages that fit on a line. Anything else propagates, so Jazzer reports it as a finding.
 */
public final class FuzzContract {
  /** Long enough for any message with a clipped excerpt of the input; far below an echoed input. */
  public static final int MAX_LINE = 1000;

  /** Far more than any single input needs; an input that takes longer hangs the CLI. */
  public static final int TIMEOUT_SECONDS = 10;
  /**
   * Inputs run here, one at a time, so that a hang is reported per input. (JUnit's @Timeout would
   * bound the whole fuzzing run, which Jazzer runs as one test invocation.)
   */
  private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fuzz-input");
    t.setDaemon(true);
    return t;
  });

  private FuzzContract() {}

  /** Code under test; any throwable is the test's to judge. */
  public interface Body {
    void run() throws Exception;
  }

  /** Runs {@code body} for one input; rethrows what it throws, and fails if it takes longer than {@link #TIMEOUT_SECONDS}. */
  public static void withinTimeout(Body body) throws Exception {
    Thread[] runner = new Thread[1];
    Future<?> result = WORKER.submit(() -> {
      runner[0] = Thread.currentThread();
      body.run();
      return null;
    });
    try {
      result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) throw ex;
      if (e.getCause() instanceof Error err) throw err;
      throw e;
    } catch (TimeoutException e) {
      AssertionFailedError hang = new AssertionFailedError("no result after " + TIMEOUT_SECONDS + " s: the input hangs the code under test");
      if (runner[0] != null) hang.setStackTrace(runner[0].getStackTrace()); // where it hangs, not where we waited
      result.cancel(true);
      throw hang;
    }
  }

  /** Passes for a user-facing error with bounded one-line messages; rethrows anything else. */
  public static void assertUserFacing(RuntimeException e) {
    if (e instanceof CompileError ce) {
      for (Diagnostic d : ce.diagnostics()) assertOneBoundedLine(d.render());
    } else if (e instanceof UserInputError || e instanceof TensorFileException || e instanceof RuntimeInputException) {
      assertOneBoundedLine(e.getMessage());
    } else {
      throw e;
    }
  }

  public static void assertOneBoundedLine(String message) {
    assertNotNull(message, "user-facing errors have a message");
    assertTrue(message.length() <= MAX_LINE, () -> "message of " + message.length() + " chars: " + message.substring(0, 300) + "...");
    assertFalse(message.contains("\n") || message.contains("\r"), () -> "message spans lines: " + message);
  }
}
