package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.TrainStep;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.Binding;
import dev.switchc.ir.optim.Adafactor;
import dev.switchc.ir.optim.TrainStepFunc;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import dev.switchc.runtime.tpu.PjrtProgram;
import dev.switchc.runtime.tpu.StandIn;
import dev.switchc.runtime.tpu.XlaBridge;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * tiny-switch's training step with its parameters and Adafactor state resident on the devices
 * between steps, on XLA's CPU devices (PJRT) and on the tests' stand-in PJRT plugin ({@link TrainStep#start}): after each step the bytes moved are
 * exactly the batch and step number in and the metrics out, per device; after {@value #STEPS}
 * steps the state read back equals the host round trip's ({@link TrainStep#run}) bit for bit, and
 * so does a step after that read; a refused step leaves the loop usable; closing the loop frees
 * every buffer it held (counted by the bridge's live handles: XLA's CPU devices only).
 */
class ResidentTrainStepTest {
  static final int STEPS = 4;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = ';', value = {"xla; single", "xla; data=2", "xla; data=2,expert=2", "plugin; data=2,expert=2"})
  void residentStepsMoveOnlyTheBatchAndEqualTheHostRoundTrip(String runtime, String mesh) {
    Program p = mesh.equals("single") ? Program.single(Presets.load("tiny-switch").definition()) : Presets.load("tiny-switch", List.of(), Optional.of(mesh), List.of());
    Compilation c = Compilation.of(p, Mode.TRAIN);
    Compilation sharded = c.trainStep(ModelIr.LOSS, Adafactor.t5());
    int devices = c.program().mesh().value().devices();
    boolean xla = runtime.equals("xla"); // the stand-in plugin's buffers are not among the bridge's live handles
    Backend backend = xla ? new Backend.Xla() : new Backend.Plugin(StandIn.plugin());
    try (TrainStep step = TrainStep.compile(c, ModelIr.LOSS, Adafactor.t5(), backend)) {
      PjrtProgram program = (PjrtProgram) step.program();
      TrainStep.State start = step.init(TrainSteps.params(c, 3));
      List<TrainStep.Result> host = TrainSteps.run(step, c, start, STEPS + 1);

      long before = XlaBridge.liveHandles()[2];
      long batchBytes = localBytes(sharded, TrainSteps.batch(c, 0).keySet(), devices) + localBytes(sharded, Set.of(TrainStepFunc.STEP), devices);
      long metricBytes = 4L * devices * host.get(0).metrics().size();
      try (TrainStep.Loop loop = step.start(start)) {
        for (int k = 0; k < STEPS; k++) {
          PjrtProgram.Traffic t0 = program.traffic();
          Map<String, Double> m = loop.step(TrainSteps.batch(c, k));
          PjrtProgram.Traffic t1 = program.traffic();
          assertEquals(host.get(k).metrics(), m, "step " + (k + 1) + "'s metrics, bit for bit");
          assertEquals(batchBytes, t1.uploaded() - t0.uploaded(), "step " + (k + 1) + " uploads the batch and the step number only");
          assertEquals(metricBytes, t1.downloaded() - t0.downloaded(), "step " + (k + 1) + " downloads the metrics only");
        }
        if (xla) assertEquals(before + stateBuffers(step) * devices, XlaBridge.liveHandles()[2], "one buffer per device for each parameter and slot, between steps");
        assertBitEqual(host.get(STEPS - 1).next(), loop.state());
        assertEquals(host.get(STEPS).metrics(), loop.step(TrainSteps.batch(c, STEPS)), "a step after reading the state");
        assertBitEqual(host.get(STEPS).next(), loop.state());

        Map<String, HostTensor> missing = new LinkedHashMap<>(TrainSteps.batch(c, 0));
        missing.remove(ModelIr.INPUTS);
        assertThrows(RuntimeInputException.class, () -> loop.step(missing));
        assertBitEqual(host.get(STEPS).next(), loop.state());
      }
      if (xla) assertEquals(before, XlaBridge.liveHandles()[2], "closing the loop frees every buffer it held");
    }
  }

  private static long stateBuffers(TrainStep step) {
    return step.func().params().stream().filter(p -> !p.name().equals(TrainStepFunc.STEP)).filter(p -> p.value().dtype().isFloat()).count();
  }

  /** The bytes of {@code names} summed over the devices: each device's shard of each input. */
  private static long localBytes(Compilation sharded, Set<String> names, int devices) {
    long bytes = 0;
    for (Binding p : sharded.sharded().local().params()) if (names.contains(p.name())) bytes += p.value().type().bytes();
    return bytes * devices;
  }

  private static void assertBitEqual(TrainStep.State want, TrainStep.State got) {
    assertEquals(want.step(), got.step());
    assertEquals(want.params().keySet(), got.params().keySet());
    assertEquals(want.optimizer().keySet(), got.optimizer().keySet());
    for (String n : want.params().keySet()) assertArrayEquals(want.params().get(n).floats(), got.params().get(n).floats(), n);
    for (String n : want.optimizer().keySet()) assertArrayEquals(want.optimizer().get(n).floats(), got.optimizer().get(n).floats(), n);
    assertTrue(want.params().size() > 10);
  }
}
