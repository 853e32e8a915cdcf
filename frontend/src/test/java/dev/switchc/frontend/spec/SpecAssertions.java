package dev.switchc.frontend.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Asserts the exact lines a user sees for a failing parse. */
final class SpecAssertions {
  private SpecAssertions() {}

  /** Parses {@code text} as {@code bad.swc} and expects exactly {@code lines}, in order. */
  static void assertErrors(String text, String... lines) {
    assertRendered(() -> SpecFile.parse("bad.swc", text), lines);
  }

  static void assertRendered(Executable parse, String... lines) {
    CompileError e = assertThrows(CompileError.class, parse);
    assertEquals(List.of(lines), e.diagnostics().stream().map(Diagnostic::render).toList());
    assertEquals(String.join("\n", lines), e.getMessage());
  }
}
