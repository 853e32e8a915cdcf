package dev.switchc.frontend.spec;

import static dev.switchc.frontend.fuzz.FuzzChecks.assertCompileError;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.ir.CompileError;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every place a message quotes the input clips a long token, so a 100k-character word does not become a 100k-character message. */
class LongTokenMessagesTest {
  private static final String LONG = "x".repeat(100_000);
  private static final String LAYER = "switch_layer { batch = 8 seq = 16 d_model = 32 d_ff = 64 experts = 4 %s }\n";

  @ParameterizedTest
  @ValueSource(strings = {
      "%s { }", "switch_layer { %s = 1 }", "switch_layer { batch = %s }", "switch_layer { batch = \"%s\" }",
      "switch_layer { batch = 1%s }", "switch_layer { batch = \"%s }", "switch_layer %s", "switch_layer { batch %s }",
      "mesh { %s = 0 }", "mesh { data = %s }", "mesh { data = 2%s }", "layout { batch = %s }", "layout { %s = data }",
      "layout { batch = (data, %s) }", "layout { batch = 2%s }", "switch_layer { batch = (%s) }", "switch_layer { batch = 8, %s }",
  })
  void inTheSpecFile(String template) {
    String spec = template.startsWith("switch_layer") ? template.formatted(LONG) : LAYER.formatted("") + template.formatted(LONG);
    CompileError e = assertThrows(CompileError.class, () -> SpecFile.parse("long.swc", spec));
    assertCompileError(e);
  }

  @ParameterizedTest
  @ValueSource(strings = {"set:%s", "set:%s=1", "set:batch=%s", "set:batch=\"%s\"", "set:experts=1%s",
      "mesh:%s=0", "mesh:data=%s", "mesh:data=2%s", "mesh:%s", "layout:batch=%s", "layout:%s=data", "layout:%s", "layout:batch=data+%s"})
  void inTheOptions(String option) {
    String value = option.substring(option.indexOf(':') + 1).formatted(LONG);
    String spec = LAYER.formatted("");
    CompileError e = assertThrows(CompileError.class, () -> Overrides.load("long.swc", spec,
        option.startsWith("set:") ? List.of(value) : List.of(),
        option.startsWith("mesh:") ? Optional.of(value) : Optional.empty(),
        option.startsWith("layout:") ? List.of(value) : List.of()));
    assertCompileError(e);
  }

  /** Found by SpecFileFuzzTest: an option value of many short words, quoted whole both as the location and in the message. */
  @ParameterizedTest
  @ValueSource(strings = {"set", "mesh", "layout"})
  void optionOfManyWords(String option) {
    String value = "batch x ".repeat(10_000);
    CompileError e = assertThrows(CompileError.class, () -> Overrides.load("long.swc", LAYER.formatted(""),
        option.equals("set") ? List.of(value) : List.of(), option.equals("mesh") ? Optional.of(value) : Optional.empty(),
        option.equals("layout") ? List.of(value) : List.of()));
    assertCompileError(e);
  }
}
