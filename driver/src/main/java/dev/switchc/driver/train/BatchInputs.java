package dev.switchc.driver.train;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.data.Batch;
import dev.switchc.frontend.DataInput;
import dev.switchc.runtime.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A packed batch as a model's data inputs: the token ids by role, and in a training step the
 * noise seed of that step.
 *
 * <p>The noise seed (router jitter, dropout, expert dropout) is a pure function of the run's seed
 * and the step number, never a running generator: a run resumed at step k draws for step k+1 the
 * very seed the uninterrupted run drew, which is what makes resuming bit-identical.
 */
public final class BatchInputs {
  private BatchInputs() {}

  /** {@code batch} for {@code c}'s data inputs; {@code noiseSeed} feeds a seed input if {@code c} has one. */
  public static Map<String, HostTensor> of(Compilation c, Batch batch, int noiseSeed) {
    Map<String, HostTensor> in = new LinkedHashMap<>();
    for (DataInput d : c.dataInputs()) {
      var type = c.param(d.name()).value().type();
      switch (d.role()) {
        case INPUT -> in.put(d.name(), HostTensor.ofInts(type, batch.inputs()));
        case TARGETS -> in.put(d.name(), HostTensor.ofInts(type, batch.targets()));
        case SEED -> in.put(d.name(), HostTensor.ofInts(type, new int[] {noiseSeed}));
      }
    }
    return in;
  }

  /**
   * The noise seed of step {@code step} (1-based) of a run seeded {@code seed}: SplitMix64's
   * finaliser of the pair, so neighbouring steps and seeds get unrelated seeds.
   */
  public static int noiseSeed(long seed, long step) {
    long z = seed * 0x9E3779B97F4A7C15L + step;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (int) (z ^ (z >>> 31));
  }
}
