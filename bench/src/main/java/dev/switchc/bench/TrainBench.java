package dev.switchc.bench;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.DataInputs;
import dev.switchc.driver.TrainStep;
import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.ir.Binding;
import dev.switchc.ir.optim.Adafactor;
import dev.switchc.lowering.Lower;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.tpu.CpuClient;
import dev.switchc.runtime.tpu.PjrtProgram;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training step (forward, gradient, Adafactor) and its forward alone, both through XLA's PJRT
 * CPU client on the mesh's devices, the parameters (and the step's optimizer state) resident on
 * the devices, only the batch fed per call: what one step costs over one forward pass, on equal
 * terms (same runtime, same program sizes, same data).
 */
final class TrainBench implements AutoCloseable {
  final Compilation forward;
  private final PjrtProgram forwardProgram;
  private final Executable.Resident forwardParams;
  private final TrainStep step;
  private final TrainStep.Loop loop;
  private final Map<String, HostTensor> data, batch;
  private final TrainStep.State start;

  /** {@code loss}: the model's loss, or {@code "loss"} for a layer (the cotangent of its output is fed with the batch). */
  TrainBench(Program program, String loss) {
    forward = Compilation.of(program, Mode.TRAIN);
    Map<String, float[]> params = ParameterInit.init(ParameterInit.of(forward.global(), forward.dataInputNames()), forward.spec().initScale(), 1);
    data = new LinkedHashMap<>();
    for (DataInput d : forward.dataInputs()) data.put(d.name(), DataInputs.defaultValue(d, forward.param(d.name()).value().type(), 1));
    forwardProgram = PjrtProgram.compile(CpuClient.create(forward.program().mesh().value().devices()), true, forward.spmd(), Lower.signature(forward.global()));
    Map<String, HostTensor> kept = new LinkedHashMap<>();
    for (Binding p : forward.global().params())
      if (params.containsKey(p.name())) kept.put(p.name(), HostTensor.ofFloats(p.value().type(), params.get(p.name())));
    forwardParams = forwardProgram.keep(kept);
    step = TrainStep.compile(forward, loss, Adafactor.t5(), new Backend.Xla());
    batch = new LinkedHashMap<>(data);
    for (Binding p : step.func().params())
      if (p.name().startsWith("cotangent/")) batch.put(p.name(), HostTensor.ofFloats(p.value().type(), ParameterInit.normal(2, p.name(), p.value().shape().elements())));
    start = step.init(params);
    loop = step.start(start);
  }

  void forward() {
    forwardProgram.run(forwardParams, data);
  }

  /** The first step again with a host round trip of the state ({@link TrainStep#run}): what residency saves. */
  void roundTrip() {
    step.run(start, batch);
  }

  /** One step; its metrics. */
  Map<String, Double> step() {
    return loop.step(batch);
  }

  @Override
  public void close() {
    loop.close();
    step.close();
    forwardParams.close();
    forwardProgram.close();
  }
}
