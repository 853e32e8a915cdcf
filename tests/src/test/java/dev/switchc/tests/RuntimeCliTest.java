package dev.switchc.tests;

import static dev.switchc.tests.CliTest.EXAMPLE;
import static dev.switchc.tests.CliTest.args;
import static dev.switchc.tests.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchc.driver.ExecutableDir;
import dev.switchc.driver.PluginLocation;
import dev.switchc.driver.io.Npy;
import dev.switchc.runtime.tpu.StandIn;
import dev.switchc.tests.CliTest.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtimes as a user picks them on the command line: XLA's partitioner on N CPU devices (the
 * default for a mesh), the emulation ({@code --emulate}), a PJRT plugin ({@code --plugin}, here the
 * stand-in), serialized executables ({@code compile --target tpu}, {@code run --executable}), ahead
 * of time for a topology, {@code devices}, and every way these go wrong.
 */
class RuntimeCliTest {
  @TempDir
  Path dir;

  static final String PLUGIN = StandIn.plugin().toString();
  /** Small enough to be quick on 8 devices; tokens overflow (capacity factor 0.5). */
  static final List<String> SMALL = List.of("--set", "batch=8", "--set", "seq=16", "--set", "d_model=32", "--set", "d_ff=64",
      "--set", "experts=8", "--set", "group_size=16", "--set", "capacity_factor=0.5", "--set", "min_capacity=1");

  /** Runs and returns the main output and the stats file's text. */
  record Ran(Outcome outcome, float[] y, String stats) {}

  Ran run(String name, Object... rest) throws Exception {
    Path y = dir.resolve(name + ".npy"), stats = dir.resolve(name + ".json");
    Outcome o = cli(args("run", args(rest), "--output", y, "--stats", stats));
    assertEquals(0, o.status(), o.err());
    return new Ran(o, Npy.readFloats(y).data(), Files.readString(stats));
  }

  @Test
  void theExampleOnEightXlaDevicesEqualsTheEmulation() throws Exception {
    Ran xla = run("xla", EXAMPLE, "--mesh", "data=2,expert=4"), emulated = run("emulated", EXAMPLE, "--mesh", "data=2,expert=4", "--emulate");
    assertTrue(xla.outcome().out().startsWith("ran the SPMD program for mesh data=2,expert=4 (8 devices) through XLA's SPMD partitioner on 8 XLA CPU"
        + " devices, with XLA's collectives\n"), xla.outcome().out());
    assertTrue(emulated.outcome().out().contains("in switchc's CPU emulation of the mesh"), emulated.outcome().out());
    Compare.closeToScale("y", xla.y(), Compare.toDouble(emulated.y()), 1e-6);
    assertEquals(emulated.stats(), xla.stats(), "tokens per expert, dropped fraction and aux loss");
  }

  @Test
  void tinySwitchOnEightXlaDevicesEqualsTheEmulation() throws Exception {
    Ran xla = run("xla", "--preset", "tiny-switch", "--mesh", "data=2,expert=2,model=2");
    Ran emulated = run("emulated", "--preset", "tiny-switch", "--mesh", "data=2,expert=2,model=2", "--emulate");
    assertTrue(xla.outcome().out().contains("through XLA's SPMD partitioner on 8 XLA CPU devices"), xla.outcome().out());
    Compare.closeToScale("logits", xla.y(), Compare.toDouble(emulated.y()), 1e-6);
    assertEquals(emulated.stats(), xla.stats());
  }

  @Test
  void aPluginRunsTheMeshOnItsDevices() throws Exception {
    Ran xla = run("xla", EXAMPLE, SMALL, "--mesh", "data=2,expert=2");
    Ran plugin = run("plugin", EXAMPLE, SMALL, "--mesh", "data=2,expert=2", "--plugin", PLUGIN);
    assertTrue(plugin.outcome().out().startsWith("ran the SPMD program for mesh data=2,expert=2 (4 devices) on 4 devices of the PJRT plugin " + PLUGIN),
        plugin.outcome().out());
    assertArrayEquals(xla.y(), plugin.y());
    assertEquals(xla.stats(), plugin.stats());
  }

  @Test
  void devicesListsThePluginsDevices() {
    Outcome o = cli(args("devices", "--plugin", PLUGIN));
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().startsWith(PLUGIN + ": platform cpu "), o.out());
    assertTrue(o.out().contains("8 addressable devices"), o.out());
    assertTrue(o.out().contains("  7  id 7  cpu  [7, 0, 0]  process 0\n"), o.out());
    Outcome t = cli(args("devices", "--plugin", PLUGIN, "--topology", "cpu:2"));
    assertEquals(0, t.status(), t.err());
    assertTrue(t.out().startsWith("topology cpu:2 of " + PLUGIN + " (platform cpu): 2 devices\n"), t.out());
    Outcome missing = cli(args("devices", "--plugin", dir.resolve("libtpu.so")));
    assertEquals(2, missing.status());
    assertEquals("error: --plugin " + dir.resolve("libtpu.so") + ": no such file; give the path of a PJRT plugin (.so), e.g. libtpu.so\n", missing.err());
  }

  @Test
  void compileWritesTheExecutableAndRunRunsItWithoutCompiling() throws Exception {
    Path out = dir.resolve("exe");
    Outcome c = cli(args("compile", EXAMPLE, SMALL, "--mesh", "data=2,expert=2", "--train", "--target", "tpu", "--plugin", PLUGIN, "-o", out));
    assertEquals(0, c.status(), c.err());
    assertTrue(c.out().contains("executable: ") && c.out().contains("(4 attached devices), compiled by " + Path.of(PLUGIN).toAbsolutePath()), c.out());
    assertTrue(c.out().contains("wrote " + out.resolve("executable.pjrt")) && c.out().contains("wrote " + out.resolve("executable.json")), c.out());
    Ran fresh = run("fresh", EXAMPLE, SMALL, "--mesh", "data=2,expert=2", "--train", "--plugin", PLUGIN);
    Ran loaded = run("loaded", "--executable", out);
    assertTrue(loaded.outcome().out().startsWith("ran the SPMD program for mesh data=2,expert=2 (4 devices) from its serialized executable"),
        loaded.outcome().out());
    assertArrayEquals(fresh.y(), loaded.y());
    assertEquals(fresh.stats(), loaded.stats(), "the recorded --train and --set are applied");

    Outcome both = cli(args("run", "--executable", out, EXAMPLE));
    assertEquals(2, both.status());
    assertTrue(both.err().startsWith("error: --executable runs the program recorded in " + out + ": give no spec file"), both.err());
  }

  @Test
  void aTopologyExecutableIsCompiledWithNoDevicesAndRunsLater() throws Exception {
    Path out = dir.resolve("aot");
    Outcome c = cli(args("compile", EXAMPLE, SMALL, "--mesh", "data=2,expert=4", "--target", "tpu", "--plugin", PLUGIN, "--topology", "cpu:8", "-o", out));
    assertEquals(0, c.status(), c.err());
    assertTrue(c.out().contains(" topology cpu:8, compiled by "), c.out());
    assertTrue(Files.readString(out.resolve("executable.json")).contains("\"topology\": \"cpu:8\""));
    Ran loaded = run("aot", "--executable", out);
    Ran xla = run("xla", EXAMPLE, SMALL, "--mesh", "data=2,expert=4");
    assertArrayEquals(xla.y(), loaded.y());

    Outcome small = cli(args("compile", EXAMPLE, SMALL, "--mesh", "data=2,expert=4", "--target", "tpu", "--plugin", PLUGIN, "--topology", "cpu:4",
        "-o", dir.resolve("small")));
    assertEquals(2, small.status());
    assertEquals("error: the mesh has 8 devices, but topology cpu:4 has 4; use a mesh of at most 4 devices\n",
        small.err());
    assertFalse(Files.exists(dir.resolve("small")), "nothing is written when compiling fails");
    Outcome unknown = cli(args("compile", EXAMPLE, SMALL, "--mesh", "data=2", "--target", "tpu", "--plugin", PLUGIN, "--topology", "v5e:2x2",
        "-o", dir.resolve("v5e")));
    assertEquals(1, unknown.status());
    assertTrue(unknown.err().startsWith("error: XLA: ") && unknown.err().contains("v5e:2x2") && unknown.err().lines().count() == 1, unknown.err());
    Outcome noTarget = cli(args("compile", EXAMPLE, "--topology", "cpu:8", "-o", dir.resolve("x")));
    assertEquals(2, noTarget.status());
    assertEquals("error: --topology compiles an executable for a PJRT device: add --target tpu\n", noTarget.err());
  }

  @Test
  void aDamagedOrForeignExecutableDirectoryIsRefused() throws Exception {
    Path out = dir.resolve("exe");
    assertEquals(0, cli(args("compile", EXAMPLE, SMALL, "--mesh", "expert=2", "--target", "tpu", "--plugin", PLUGIN, "-o", out)).status());
    Path manifest = out.resolve(ExecutableDir.MANIFEST), executable = out.resolve(ExecutableDir.EXECUTABLE);
    String good = Files.readString(manifest);
    byte[] bytes = Files.readAllBytes(executable);

    // Bytes changed behind the manifest's back: refused before the plugin sees them.
    byte[] flipped = bytes.clone();
    flipped[flipped.length / 2] ^= 1;
    Files.write(executable, flipped);
    Outcome changed = cli(args("run", "--executable", out, "--output", dir.resolve("a.npy")));
    assertEquals(2, changed.status());
    assertEquals("error: " + executable + ": its SHA-256 is not the one executable.json records; the directory is incomplete or was changed;"
        + " write it again with 'switchc compile'\n", changed.err());

    // Garbage the manifest vouches for: the plugin's own refusal, exit 1.
    byte[] garbage = "not an executable".getBytes();
    Files.write(executable, garbage);
    Files.writeString(manifest, good.replace(ExecutableDir.sha256(bytes), ExecutableDir.sha256(garbage)));
    Outcome refused = cli(args("run", "--executable", out, "--output", dir.resolve("b.npy")));
    assertEquals(1, refused.status(), refused.err());
    assertTrue(refused.err().startsWith("error: XLA: ") && refused.err().lines().count() == 1, refused.err());
    assertFalse(Files.exists(dir.resolve("b.npy")));

    // Another module than this switchc makes of the recorded spec.
    Files.write(executable, bytes);
    Files.writeString(manifest, good.replace("\"batch=8\"", "\"batch=16\""));
    Outcome other = cli(args("run", "--executable", out, "--output", dir.resolve("c.npy")));
    assertEquals(2, other.status());
    assertTrue(other.err().startsWith("error: " + manifest + ": this switchc compiles the recorded spec to another StableHLO module"), other.err());

    Files.writeString(manifest, "{\"format\": \"switchc-executable-1\"}");
    Outcome broken = cli(args("run", "--executable", out));
    assertEquals(2, broken.status());
    assertEquals("error: " + manifest + ": 'source' is not a JSON object; write the directory again with 'switchc compile'\n", broken.err());
    Outcome none = cli(args("run", "--executable", dir.resolve("nothing")));
    assertEquals(2, none.status());
    assertTrue(none.err().startsWith("error: --executable " + dir.resolve("nothing") + ": not a directory"), none.err());
  }

  @Test
  void withoutAPluginTheTpuTargetSaysHowToNameOne() throws Exception {
    assumeTrue(PluginLocation.find(Optional.empty(), System.getenv()).isEmpty(), "this machine has a PJRT plugin in a default place");
    Outcome run = cli(args("run", EXAMPLE, SMALL, "--mesh", "expert=2", "--target", "tpu", "--output", dir.resolve("y.npy")));
    assertEquals(2, run.status());
    assertEquals("error: no PJRT plugin to run on: give --plugin PATH (e.g. libtpu.so on a TPU VM) or set SWITCHC_PJRT_PLUGIN; libtpu.so is not in"
        + " $TPU_LIBRARY_PATH, /lib, /usr/lib, /usr/local/lib or a Python libtpu package\n", run.err());
    Outcome devices = cli(args("devices"));
    assertEquals(2, devices.status());
    assertTrue(devices.err().startsWith("error: no PJRT plugin to list devices of: give --plugin PATH"), devices.err());
    Outcome compile = cli(args("compile", EXAMPLE, "--target", "tpu", "-o", dir.resolve("c")));
    assertEquals(0, compile.status(), compile.err());
    assertTrue(compile.out().contains("no PJRT plugin given or found: wrote the StableHLO module only; give --plugin PATH"), compile.out());
    assertFalse(Files.exists(dir.resolve("c").resolve("executable.pjrt")));
    Outcome emulatePlugin = cli(args("run", EXAMPLE, "--emulate", "--plugin", PLUGIN));
    assertEquals(2, emulatePlugin.status());
    assertEquals("error: --emulate runs the mesh in switchc's CPU emulation; it does not combine with --target tpu or --plugin\n", emulatePlugin.err());
  }

  /** SWITCHC_PJRT_PLUGIN names the plugin when --plugin does not; a wrong one is an error naming the variable. In a JVM of its own, for the environment. */
  @Test
  void theEnvironmentNamesThePlugin() throws Exception {
    Outcome listed = process(Map.of(PluginLocation.ENV, PLUGIN), "devices");
    assertEquals(0, listed.status(), listed.err());
    assertTrue(listed.out().startsWith(PLUGIN + ": platform cpu"), listed.out());
    Outcome wrong = process(Map.of(PluginLocation.ENV, dir.resolve("gone.so").toString()), "devices");
    assertEquals(2, wrong.status());
    assertEquals("error: " + PluginLocation.ENV + " " + dir.resolve("gone.so") + ": no such file; give the path of a PJRT plugin (.so), e.g. libtpu.so\n",
        wrong.err());
  }

  Outcome process(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "dev.switchc.cli.Main"));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("stdout"), err = dir.resolve("stderr");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "switchc did not finish");
    return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
  }

}
