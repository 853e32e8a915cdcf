package dev.switchc.tests;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.TrainStep;
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
    ModelSpec s = c.program().spec(ModelSpec.class);
    return XlaMeshTest.randomEverywhere(ParameterInit.init(ParameterInit.of(c.global(), c.dataInputNames()), s.initScale(), seed), seed + 14);
  }

  /** Batch {@code k} of {@code c}'s data inputs (tokens, targets of an encoder-decoder, the noise seed): a different one for each k. */
  static Map<String, HostTensor> batch(Compilation c, int k) {
    ModelSpec s = c.program().spec(ModelSpec.class);
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
