package dev.switchc.tests;

import static dev.switchc.tests.CliTest.args;
import static dev.switchc.tests.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code switchc plan --train} reports the step's memory per device and the backward in every
 * format; {@code --device-memory} refuses a plan that does not fit. The layer is
 * {@link ShardedGradPlanCliTest#LAYER}: d_model 32, d_ff 64, 4 experts, batch 4 x seq 32, f32,
 * on data=2,expert=2; experts split over expert, the batch over data and expert.
 */
class PlanMemoryCliTest {
  static final long D = 32, F = 64, E = 4, F32 = 4;
  static final int EXPERT_AXIS = 2, DATA_AXIS = 2;

  /** Parameters per device: router/w [d_model, experts] whole; experts/wi and experts/wo, half the experts each. */
  static final long PARAMS = (D * E + 2 * (E / EXPERT_AXIS) * D * F) * F32;

  /**
   * Adafactor's factored second moments over each parameter's last two dims, on its per-device
   * shape: router/w keeps [d_model] and [experts]; wi [e, d_model, d_ff] keeps [e, d_model] and
   * [e, d_ff], wo [e, d_ff, d_model] keeps [e, d_ff] and [e, d_model], e = experts per device.
   */
  static final long ADAFACTOR = ((D + E) + 2 * ((E / EXPERT_AXIS) * D + (E / EXPERT_AXIS) * F)) * F32;

  /** AdamW: m and v, each the parameter's shape and layout. */
  static final long ADAMW = 2 * PARAMS;

  /** The layer's input x and its cotangent: [batch, seq, d_model] with the batch split over data and expert. */
  static final long INPUTS = 2 * (4 / (DATA_AXIS * EXPERT_AXIS)) * 32 * D * F32;

  /** The gradients: the parameters' plus x's (x is a float argument too). */
  static final long GRADIENTS = PARAMS + INPUTS / 2;

  static List<String> plan(Object... more) {
    List<String> a = args("plan", CliTest.EXAMPLE, ShardedGradPlanCliTest.LAYER);
    a.addAll(args(more));
    return a;
  }

  static Map<?, ?> json(Object... more) {
    List<Object> a = new java.util.ArrayList<>(List.of("--format", "json"));
    a.addAll(List.of(more));
    CliTest.Outcome o = cli(plan(a.toArray()));
    assertEquals(0, o.status(), o.err());
    return (Map<?, ?>) Json.parse(o.out());
  }

  static long num(Map<?, ?> m, String key) {
    assertTrue(m.containsKey(key), key + " in " + m);
    return ((Number) m.get(key)).longValue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"adafactor", "adamw"})
  void optimizerStatePerDeviceFollowsTheParametersLayout(String optimizer) {
    Map<?, ?> m = (Map<?, ?>) json("--train", "--optimizer", optimizer).get("memory_per_device");
    assertEquals("training", m.get("step"));
    assertEquals(optimizer, m.get("optimizer"));
    assertEquals(PARAMS, num(m, "parameter_bytes"));
    assertEquals(GRADIENTS, num(m, "gradient_bytes"));
    assertEquals(optimizer.equals("adafactor") ? ADAFACTOR : ADAMW, num(m, "optimizer_state_bytes"));
    assertEquals(INPUTS, num(m, "input_bytes"));
    assertTrue(num(m, "activation_peak_bytes") > 0, m.toString());
    assertEquals(num(m, "parameter_bytes") + num(m, "gradient_bytes") + num(m, "optimizer_state_bytes") + num(m, "activation_peak_bytes")
        + num(m, "input_bytes"), num(m, "total_bytes"));
  }

  @Test
  void adafactorIsTheDefault() {
    Map<?, ?> m = (Map<?, ?>) json("--train").get("memory_per_device");
    assertEquals("adafactor", m.get("optimizer"));
    assertEquals(ADAFACTOR, num(m, "optimizer_state_bytes"));
  }

  /** The step's program begins with the forward's ops, so its activation peak is at least the forward's. */
  @Test
  void trainingActivationPeakIsAtLeastTheForwards() {
    long forward = num((Map<?, ?>) json("--train").get("per_device"), "activation_peak_bytes");
    long step = num((Map<?, ?>) json("--train").get("memory_per_device"), "activation_peak_bytes");
    assertTrue(step >= forward, "step " + step + " vs forward " + forward);
    long kept = num((Map<?, ?>) json("--train").get("memory_per_device"), "activations_kept_for_backward_bytes");
    assertTrue(kept > 0 && kept <= step, "kept from the forward " + kept + " within the peak " + step);
  }

  /** Each gradient all-reduce of the backward: 2 (k-1)/k of the per-device gradient over the k devices its parameter is replicated on. */
  @Test
  void jsonHasTheBackwardsGradientAllReduces() {
    Map<?, ?> backward = (Map<?, ?>) json("--train").get("backward");
    assertEquals(4L, num(backward, "gradients"));
    assertEquals(GRADIENTS, num(backward, "gradient_bytes_per_device"));
    List<?> cs = (List<?>) backward.get("collectives");
    List<Map<?, ?>> allReduces = cs.stream().<Map<?, ?>>map(c -> (Map<?, ?>) c).filter(c -> c.get("kind").equals("all_reduce")).toList();
    long expertWeight = (E / EXPERT_AXIS) * D * F * F32, router = D * E * F32;
    // wi and wo: replicated over data (2 devices); the router: over data and expert (4 devices).
    assertEquals(List.of(List.of("data", expertWeight, 2 * (DATA_AXIS - 1) * expertWeight / DATA_AXIS),
        List.of("data", expertWeight, 2 * (DATA_AXIS - 1) * expertWeight / DATA_AXIS),
        List.of("data+expert", router, 2L * (4 - 1) * router / 4)),
        allReduces.stream().map(c -> List.of(String.join("+", ((List<?>) c.get("axes")).stream().map(Object::toString).toList()),
            num(c, "local_bytes"), num(c, "bytes_sent_per_device"))).toList());
    long allToAlls = cs.stream().map(c -> (Map<?, ?>) c).filter(c -> c.get("kind").equals("all_to_all")).count();
    assertEquals(2, allToAlls, "the reverse of the forward's dispatch and combine all-to-alls");
  }

  @Test
  void forwardOnlyJsonIsUnchangedWithoutDeviceMemory() {
    Map<?, ?> plain = json();
    assertFalse(plain.containsKey("backward"));
    assertFalse(plain.containsKey("memory_per_device"));
    Map<?, ?> checked = (Map<?, ?>) json("--device-memory", "1GiB").get("memory_per_device");
    assertEquals("forward", checked.get("step"));
    assertEquals(1L << 30, num(checked, "device_memory_bytes"));
    assertFalse(checked.containsKey("gradient_bytes"));
  }

  @Test
  void htmlShowsTheBackwardAndTheMemory() {
    CliTest.Outcome o = cli(plan("--train", "--format", "html"));
    assertEquals(0, o.status(), o.err());
    String html = o.out();
    assertTrue(html.contains("<h2 id=\"backward\">"), html);
    long expertWeight = (E / EXPERT_AXIS) * D * F * F32;
    String row = "<td class=\"mono\">all_reduce</td><td class=\"mono\">data</td><td class=\"mono\">2</td><td class=\"mono\">f32</td>"
        + "<td class=\"mono\">f32[2x64x32]</td><td class=\"mono\">" + expertWeight + "</td><td class=\"mono\">" + expertWeight + "</td>";
    assertTrue(html.contains(row), html);
    assertTrue(html.contains("<h2 id=\"memory\">Memory per device, one training step (optimizer adafactor)"), html);
    assertTrue(html.contains("<td class=\"mono\">optimizer state</td><td class=\"mono\">" + ADAFACTOR + "</td>"), html);
  }

  @Test
  void protoCarriesTheBackwardAndTheMemory(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.pb"), b = dir.resolve("b.pb");
    for (Path p : List.of(a, b)) {
      CliTest.Outcome o = cli(plan("--train", "--optimizer", "adamw", "--format", "proto", "-o", p, "--device-memory", "v4"));
      assertEquals(0, o.status(), o.err());
    }
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "byte-identical for equal inputs");
    dev.switchc.driver.report.proto.Plan plan = dev.switchc.driver.report.proto.Plan.parseFrom(Files.readAllBytes(a));
    assertEquals(4, plan.getBackward().getGradients());
    assertEquals(3, plan.getBackward().getCollectivesList().stream().filter(c -> c.getKind().equals("all_reduce")).count());
    long router = D * E * F32;
    assertTrue(plan.getBackward().getCollectivesList().stream()
        .anyMatch(c -> c.getKind().equals("all_reduce") && c.getGroupSize() == 4 && c.getBytesSentPerDevice() == 2 * 3 * router / 4));
    assertEquals("adamw", plan.getMemoryPerDevice().getOptimizer());
    assertEquals(ADAMW, plan.getMemoryPerDevice().getOptimizerStateBytes());
    assertEquals(PARAMS, plan.getMemoryPerDevice().getParameterBytes());
    assertEquals(32L << 30, plan.getMemoryPerDevice().getDeviceMemoryBytes());
  }

  @Test
  void forwardOnlyProtoHasNoBackward(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.pb");
    assertEquals(0, cli(plan("--format", "proto", "-o", a)).status());
    dev.switchc.driver.report.proto.Plan plan = dev.switchc.driver.report.proto.Plan.parseFrom(Files.readAllBytes(a));
    assertFalse(plan.hasBackward());
    assertFalse(plan.hasMemoryPerDevice());
  }

  @Test
  void jsonIsByteIdenticalForEqualInputs() {
    assertEquals(cli(plan("--train", "--format", "json")).out(), cli(plan("--train", "--format", "json")).out());
  }

  @Test
  void deviceMemoryRefusesAStepThatDoesNotFit() {
    long total = num((Map<?, ?>) json("--train").get("memory_per_device"), "total_bytes");
    CliTest.Outcome o = cli(plan("--train", "--device-memory", "64KiB"));
    assertEquals(2, o.status(), o.err());
    assertEquals("", o.out(), "a refused plan is not printed");
    String err = o.err();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("error: one training step of switch-layer on mesh data=2,expert=2 (4 devices) needs "), err);
    assertTrue(err.contains("(" + total + " B) per device"), err);
    assertTrue(err.contains("more than the device's 64.00 KiB (65536 B) (--device-memory 64KiB)"), err);
    for (String part : List.of("parameters 32.50 KiB", "gradients 36.50 KiB", "optimizer state (adafactor) 1.64 KiB", "activation peak ", "inputs 8.00 KiB"))
      assertTrue(err.contains(part), part + " in " + err);
    assertTrue(err.contains("To fit: ") && err.contains("--mesh") && err.contains("--set batch="), err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), err);
  }

  @Test
  void deviceMemoryRefusesAForwardPlanThatDoesNotFit() {
    CliTest.Outcome o = cli(plan("--device-memory", "16KiB"));
    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().startsWith("error: one forward step of "), o.err());
    assertTrue(o.err().contains("parameters 32.50 KiB + activation peak "), o.err());
    assertFalse(o.err().contains("gradients"), o.err());
  }

  @Test
  void aStepThatFitsIsPrintedWithItsMargin() {
    CliTest.Outcome o = cli(plan("--train", "--device-memory", "v3"));
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("  device memory     16.00 GiB (--device-memory v3: a TPU v3 core, 16 GiB HBM): fits, "), o.out());
    assertTrue(o.out().contains("  optimizer state   1.64 KiB (adafactor"), o.out());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"16G", "16 GB", "1.5GiB", "0MiB", "v5", "99999999999TiB"})
  void badDeviceMemoryIsAUserError(String size) {
    CliTest.Outcome o = cli(plan("--device-memory", size));
    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().startsWith("error: --device-memory '" + size + "'"), o.err());
  }

  @Test
  void optimizerWithoutTrainIsAUserError() {
    CliTest.Outcome o = cli(plan("--optimizer", "adamw"));
    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().contains("--optimizer counts the optimizer's state of a training step: add --train"), o.err());
  }
}
