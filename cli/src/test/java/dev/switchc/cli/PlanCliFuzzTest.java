package dev.switchc.cli;

import static dev.switchc.frontend.fuzz.FuzzChecks.assertOneBoundedLine;
import static dev.switchc.frontend.fuzz.FuzzChecks.withinTimeout;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchc.frontend.fuzz.SpecAndOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's exit-status contract on arbitrary input: {@code switchc plan SPEC --set ... --mesh ...
 * --layout ... --format F} with a fuzzed spec file and fuzzed option values (a
 * {@link SpecAndOptions}) exits 0 (a plan) or 2 (a usage, spec or option mistake, one bounded
 * line per problem), never with a stack trace. Status 1, a failure while running, cannot come
 * from {@code plan}, which runs nothing and writes to standard output: here it means an
 * unexpected exception. Seeds: {@code PlanCliFuzzTestInputs/planExitStatus}.
 */
class PlanCliFuzzTest {
  private static final String[] FORMATS = {"text", "json", "html"};
  /** One spec file per JVM, rewritten for each input. */
  private static final Path SPEC = tempFile();

  @FuzzTest
  @DictionaryEntries({"switch_layer", "model", "mesh", "layout", "batch", "experts", "group_size", "data", "expert",
      "--set ", "--mesh ", "--layout "})
  void planExitStatus(byte[] input) throws Exception {
    SpecAndOptions in = SpecAndOptions.of(input);
    Files.writeString(SPEC, in.spec());
    List<String> args = new ArrayList<>(List.of("plan", SPEC.toString(), "--format", FORMATS[input.length % FORMATS.length]));
    in.sets().forEach(s -> args.add("--set=" + s)); // the '=' form, so that a value starting with '-' is still the value
    in.mesh().ifPresent(m -> args.add("--mesh=" + m));
    in.layouts().forEach(l -> args.add("--layout=" + l));
    withinTimeout(() -> {
      StringWriter out = new StringWriter(), err = new StringWriter();
      int status = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
      String errors = err.toString();
      assertFalse(errors.contains("\tat "), () -> "stack trace on standard error:\n" + errors);
      assertTrue(status == Main.OK || status == Main.USER_ERROR, () -> "exit status " + status + ":\n" + errors);
      if (status == Main.USER_ERROR) {
        assertFalse(errors.isBlank(), "a user error says what is wrong");
        errors.lines().forEach(line -> assertOneBoundedLine(line));
      }
    });
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("fuzz-", ".swc");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
