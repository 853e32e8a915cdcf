package dev.switchc.driver;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.spec.SpecFile;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The whole run's memory, part by part against the layer's sizes, and the refusals on a given machine. */
class RunMemoryTest {
  private static final long GIB = 1L << 30;

  private static Compilation layer(long batch, long seq, long d, long f, long e, String mesh) {
    Program p = SpecFile.parse("layer.swc", String.format("switch_layer {\n batch = %d\n seq = %d\n d_model = %d\n d_ff = %d\n experts = %d\n}\n%s",
        batch, seq, d, f, e, mesh));
    return Compilation.of(p, Mode.EVAL);
  }

  private static Map<String, Long> parts(RunMemory m) {
    return java.util.stream.Stream.concat(m.heap().stream(), m.nativeParts().stream()).collect(Collectors.toMap(RunMemory.Part::what, RunMemory.Part::bytes));
  }

  @Test
  void hostArraysAreTheParametersInputsAndOutputsAtFourBytesAnElement() {
    long b = 2, s = 32, d = 32, f = 64, e = 4;
    Map<String, Long> parts = parts(RunMemory.of(layer(b, s, d, f, e, ""), RunMemory.Runtime.XLA_CPU));
    assertEquals(2 * 4 * (d * e + 2 * e * d * f), parts.get("parameters (host arrays: the caller's and the runtime's)"), "router/w, experts/wi and experts/wo");
    assertEquals(2 * 4 * b * s * d, parts.get("input 'x' (host arrays: the caller's and the runtime's)"));
    assertEquals(2 * 4 * b * s * d, parts.get("output 'y' (host arrays: the runtime's and the caller's)"));
    assertEquals(4 * b * s * d + 4 + 4 * e + 4, parts.get("TensorFlow's tensors of the outputs"), "y, aux_loss, tokens_per_expert, dropped_fraction");
    assertEquals(4 * (d * e + 2 * e * d * f), parts.get("XLA: parameters"));
    assertEquals(4 * b * s * d, parts.get("XLA: inputs"));
    long peak = parts.entrySet().stream().filter(p -> p.getKey().startsWith("XLA: activation peak (upper estimate; largest value ")).findFirst().orElseThrow().getValue();
    assertTrue(peak >= 4 * (b * s * d + e * (b * s / s) * 16 * f),
        "at least the output beside the experts' hidden activations [experts, group, capacity 16, d_ff]");
  }

  @Test
  void aMeshCountsEveryDeviceAndTheEmulationItsSpeltOutCollectives() {
    Compilation c = layer(8, 32, 32, 64, 4, "mesh {\n data = 2\n expert = 2\n}\n");
    Map<String, Long> xla = parts(RunMemory.of(c, RunMemory.Runtime.XLA_CPU));
    // Experts split over 'expert' (2): each of the 4 devices holds the router [32, 4] and half of wi and wo [4, 32, 64].
    assertEquals(4 * 4 * (32 * 4 + 2 * (4 / 2) * 32 * 64), xla.get("XLA: parameters on 4 devices"));
    Map<String, Long> emulated = parts(RunMemory.of(c, RunMemory.Runtime.EMULATION));
    long rows = c.plan().collectives().stream().mapToLong(col -> (long) col.groupSize() * 4).sum();
    assertTrue(rows > 0);
    assertEquals(rows * RunMemory.EMULATED_GATHER_ROW_BYTES, emulated.get("XLA, emulated mesh: compiling " + c.plan().collectives().size() + " collectives spelt out per device"));
    Map<String, Long> plugin = parts(RunMemory.of(c, RunMemory.Runtime.PLUGIN));
    assertFalse(plugin.keySet().stream().anyMatch(k -> k.startsWith("XLA")), "a plugin's devices hold their own memory: " + plugin.keySet());
  }

  @Test
  void aRunBeyondTheMachineIsRefusedWithTheNumbersAndNoHeapAdvice() {
    RunMemory m = RunMemory.of(layer(2, 32, 32, 64, 4, ""), RunMemory.Runtime.XLA_CPU);
    long total = m.heapBytes() + m.nativeBytes();
    String msg = assertThrows(UserInputError.class, () -> m.check(new RunMemory.Machine(64 * GIB, 64 * GIB, total - 1))).getMessage();
    assertTrue(msg.startsWith("this run needs about "), msg);
    assertTrue(msg.contains("largest parts: "), msg);
    assertFalse(msg.contains("-Xmx"), msg);
    assertDoesNotThrow(() -> m.check(new RunMemory.Machine(64 * GIB, 64 * GIB, 64 * GIB)));
  }

  @Test
  void heapAdviceIsGivenOnlyWhereTheMachineHasTheMemory() {
    RunMemory m = new RunMemory(java.util.List.of(new RunMemory.Part("input 'x'", 3 * GIB)), java.util.List.of(new RunMemory.Part("XLA: inputs", 3 * GIB)));
    String roomy = assertThrows(UserInputError.class, () -> m.check(new RunMemory.Machine(2 * GIB, 24 * GIB, 20 * GIB))).getMessage();
    assertTrue(roomy.contains("JAVA_OPTS=-Xmx4g"), roomy);
    String tight = assertThrows(UserInputError.class, () -> m.check(new RunMemory.Machine(2 * GIB, 8 * GIB, 6 * GIB + GIB / 2))).getMessage();
    assertFalse(tight.contains("-Xmx"), "4 GiB of heap and 3 GiB for XLA do not fit in 6.5 GiB: " + tight);
    assertTrue(tight.contains("do not fit in the 6.5 GiB available"), tight);
  }
}
