package dev.switchc.frontend.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.AssertionFailedError;

/**
 * What every fuzz target checks, whatever the input: the code under test finishes in time, and
 * the errors it shows users fit on one line. Shared through frontend's test jar with driver's and
 * cli's fuzz targets, which add their own error types.
 */
public final class FuzzChecks {
  /** Long enough for any message with a clipped excerpt of the input; far below an echoed input. */
  public static final int MAX_LINE = 1000;
  /**
   * Far more than any input needs once the JVM is warm (milliseconds), and enough for the first,
   * which loads and instruments the compiler's classes: over 10 s on a busy 2-core machine.
   */
  public static final int TIMEOUT_SECONDS = 30;
  /**
   * Inputs run here, one at a time, so that a hang is reported per input. (JUnit's @Timeout would
   * bound the whole fuzzing run, which Jazzer runs as one test invocation.)
   */
  private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fuzz-input");
    t.setDaemon(true);
    return t;
  });

  private FuzzChecks() {}

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

  /** Passes for a {@link CompileError} whose diagnostics each render as one bounded line; rethrows anything else. */
  public static void assertCompileError(RuntimeException e) {
    if (!(e instanceof CompileError ce)) throw e;
    for (Diagnostic d : ce.diagnostics()) assertOneBoundedLine(d.render());
  }

  public static void assertOneBoundedLine(String message) {
    assertNotNull(message, "user-facing errors have a message");
    assertTrue(message.length() <= MAX_LINE, () -> "message of " + message.length() + " chars: " + message.substring(0, 300) + "...");
    assertFalse(message.contains("\n") || message.contains("\r"), () -> "message spans lines: " + message);
  }
}
