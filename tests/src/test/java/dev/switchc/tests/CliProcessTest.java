package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.spec.SpecFile;
import dev.switchc.lowering.StableHlo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in its own JVM, as users run it: real exit statuses, nothing but the message on stderr,
 * and the same StableHLO bytes as another JVM produces (no iteration order leaks into the output).
 */
class CliProcessTest {
  @TempDir
  Path dir;

  record Run(int status, String out, String err) {}

  Run switchc(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.switchc.cli.Main"));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("stdout"), err = dir.resolve("stderr");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "switchc did not finish");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void aSpecErrorExitsWith2AndPrintsOnlyTheMessage() throws Exception {
    Path bad = dir.resolve("bad.swc");
    Files.writeString(bad, "switch_layer {\n  batch = 8\n  seq = 16\n  d_model = 32\n  d_ff = 64\n  experts = 4\n  capacity_factor = 0\n}\n");
    Run r = switchc("run", bad.toString(), "--output", dir.resolve("y.npy").toString());
    assertEquals(2, r.status());
    assertEquals(bad + ":7:21: error: capacity_factor = 0: must be > 0; expected a decimal number such as 1.25\n", r.err());
    assertFalse(Files.exists(dir.resolve("y.npy")));
  }

  /** Issue 11, defect 12: TensorFlow's and XLA's absl INFO lines and the InitializeLog warning are gone. */
  @Test
  void aSuccessfulRunPrintsNothingOnStderr() throws Exception {
    for (String mesh : List.of("data=1", "data=2")) {
      Run r = switchc("run", Path.of("..", "examples", "switch-layer.swc").toString(), "--set", "batch=2", "--set", "seq=32", "--set", "d_model=32",
          "--set", "d_ff=64", "--set", "experts=4", "--set", "group_size=32", "--mesh", mesh, "--output", dir.resolve("y.npy").toString(), "--stats", dir.resolve("s.json").toString());
      assertEquals(0, r.status(), r.err());
      assertEquals("", r.err(), "stderr of a successful run on " + mesh);
    }
  }

  @Test
  void compiledTextIsTheSameInAnotherJvm() throws Exception {
    Path example = Path.of("..", "examples", "switch-layer.swc");
    Run r = switchc("compile", example.toString(), "--set", "dispatch=einsum", "-o", dir.resolve("c").toString());
    assertEquals(0, r.status(), r.err());
    String here = StableHlo.compile(SwitchLayerIr.build(
        dev.switchc.frontend.spec.Overrides.load(example, List.of("dispatch=einsum"), java.util.Optional.empty(), List.of()).definition(dev.switchc.frontend.SwitchLayerSpec.class), Mode.EVAL)).text();
    assertEquals(here, Files.readString(dir.resolve("c").resolve("module.mlir")));
    assertTrue(SpecFile.parse(example).spec(dev.switchc.frontend.SwitchLayerSpec.class).tokens() > 0);
  }
}
