package dev.switchc.runtime;

import java.util.List;

/**
 * The caller handed the CPU runtime data it cannot accept: wrong input names, dtypes or named
 * shapes, or host data that does not fit its declared type. Always raised before any native call,
 * so nothing needs cleaning up; distinct from internal failures of the runtime or of XLA.
 */
public final class RuntimeInputException extends IllegalArgumentException {
  private final List<String> problems;

  public RuntimeInputException(String message) {
    this(message, List.of(message));
  }

  public RuntimeInputException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  /** Each problem found, one line each (all of them, not only the first). */
  public List<String> problems() {
    return problems;
  }
}
