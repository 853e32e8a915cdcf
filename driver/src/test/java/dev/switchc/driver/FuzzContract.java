package dev.switchc.driver;

import static dev.switchc.frontend.fuzz.FuzzChecks.assertCompileError;
import static dev.switchc.frontend.fuzz.FuzzChecks.assertOneBoundedLine;

import dev.switchc.driver.io.TensorFileException;
import dev.switchc.ir.CompileError;
import dev.switchc.runtime.RuntimeInputException;

/**
 * What driver's fuzz targets accept from the code under test: success, or one of the errors the
 * CLI shows users as they are (exit status 2, see {@code Main.report}) with one-line messages.
 * Anything else propagates, so Jazzer reports it as a finding.
 */
public final class FuzzContract {
  private FuzzContract() {}

  /** Passes for a user-facing error with bounded one-line messages; rethrows anything else. */
  public static void assertUserFacing(RuntimeException e) {
    if (e instanceof CompileError) {
      assertCompileError(e);
    } else if (e instanceof UserInputError || e instanceof TensorFileException || e instanceof RuntimeInputException) {
      assertOneBoundedLine(e.getMessage());
    } else {
      throw e;
    }
  }
}
