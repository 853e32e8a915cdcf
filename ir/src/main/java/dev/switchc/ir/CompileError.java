package dev.switchc.ir;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A mistake in what the user wrote (spec file, DSL call, parameter or input file). Carries every
 * diagnostic that was collected before stopping; the CLI prints them and exits with status 2.
 */
public final class CompileError extends RuntimeException {
  private final List<Diagnostic> diagnostics;

  public CompileError(List<Diagnostic> diagnostics) {
    super(diagnostics.stream().map(Diagnostic::render).collect(Collectors.joining("\n")), null, false, false);
    if (diagnostics.isEmpty()) throw new IllegalArgumentException("a CompileError needs at least one diagnostic");
    this.diagnostics = List.copyOf(diagnostics);
  }

  public CompileError(SourceLoc loc, String message) {
    this(List.of(new Diagnostic(loc, message)));
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }
}
