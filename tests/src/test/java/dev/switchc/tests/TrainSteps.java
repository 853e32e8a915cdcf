package dev.switchc.tests;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.DataInputs;
import dev.switchc.driver.GradientProgram;
import dev.switchc.driver.TrainStep;
import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.ir.Binding;
import dev.switchc.runtime.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Starting states, batches and runs of a model's compiled training step, shared by the tests of the sharded and resident steps. */
final class TrainSteps {
  private TrainSteps() {}

  /** Every trained parameter of {@code c} from its seeded initialiser, constant ones (norm scales) made random too, so every gradient carries information. */
  static Map<String, float[]> params(Compilation c, long seed) {
    return XlaMeshTest.randomEverywhere(ParameterInit.init(ParameterInit.of(c.global(), c.dataInputNames()), c.spec().initScale(), seed), seed + 14);
  }

  /**
   * Batch {@code k} of {@code c}'s data inputs, a different one for each k: a model's tokens
   * (targets of an encoder-decoder, the noise seed); a layer's inputs and the cotangent of its
   * output ({@link GradientProgram}), normal draws.
   */
  static Map<String, HostTensor> batch(Compilation c, int k) {
    if (!(c.spec() instanceof ModelSpec s)) {
      Map<String, HostTensor> b = new LinkedHashMap<>();
      for (DataInput d : c.dataInputs()) b.put(d.name(), DataInputs.defaultValue(d, c.param(d.name()).value().type(), 7 + k));
      Binding y = c.global().results().stream().filter(r -> r.name().equals(c.spec().mainOutput())).findFirst().orElseThrow();
      String ct = GradientProgram.COTANGENT + y.name();
      b.put(ct, HostTensor.ofFloats(y.value().type(), ParameterInit.normal(11 + k, ct, y.value().shape().elements())));
      return b;
    }
    Map<String, HostTensor> b = new LinkedHashMap<>();
    b.put(ModelIr.INPUTS, HostTensor.ofInts(c.param(ModelIr.INPUTS).value().type(),
        ModelNumericsTest.padded(ParameterInit.tokenIds(5 + k, "inputs", s.batch() * s.seq(), s.vocab()), (int) s.batch(), (int) s.seq())));
    if (s.encoderDecoder())
      b.put(ModelIr.TARGETS, HostTensor.ofInts(c.param(ModelIr.TARGETS).value().type(),
          ModelNumericsTest.padded(ParameterInit.tokenIds(5 + k, "targets", s.batch() * s.decSeq(), s.vocab()), (int) s.batch(), (int) s.decSeq())));
    for (Binding p : c.global().params())
      if (p.name().equals(ModelIr.SEED)) b.put(ModelIr.SEED, HostTensor.ofInts(p.value().type(), new int[] {42 + k}));
    return b;
  }

  /** {@code steps} steps from {@code start} with host round trips ({@link TrainStep#run}), batch k for step k: each step's result. */
  static List<TrainStep.Result> run(TrainStep step, Compilation c, TrainStep.State start, int steps) {
    List<TrainStep.Result> out = new ArrayList<>();
    TrainStep.State s = start;
    for (int k = 0; k < steps; k++) {
      TrainStep.Result r = step.run(s, batch(c, k));
      out.add(r);
      s = r.next();
    }
    return out;
  }
}
