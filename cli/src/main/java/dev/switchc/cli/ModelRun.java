package dev.switchc.cli;

import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelProgram;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.cpu.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiles a whole model and runs its forward pass on XLA CPU (on a mesh, through the emulation):
 * the pipeline behind {@code switchc run} for model specs and presets.
 */
public final class ModelRun implements AutoCloseable {
  private final Compilation compilation;
  private final ProgramRunner runner;

  public ModelRun(Compilation c) {
    if (!(c.program() instanceof ModelProgram)) throw new IllegalArgumentException("not a model: " + c.program());
    this.compilation = c;
    this.runner = new ProgramRunner(c);
  }

  /** What one forward pass produced; {@code logits} row-major {@code [batch, length, vocab]}. */
  public record Result(float[] logits, float loss, float crossEntropy, float auxLoss, float zLoss) {}

  public Compilation compilation() {
    return compilation;
  }

  public ModelSpec spec() {
    return ((ModelProgram) compilation.program()).model().value();
  }

  /**
   * One forward pass. {@code targets} is null for decoder-only models.
   *
   * @throws UserInputError if a token id is outside [0, vocab)
   */
  public Result run(Map<String, float[]> params, int[] inputs, int[] targets) {
    if (takesSeed()) throw new IllegalStateException("this training-mode program draws noise: give it a seed");
    return run(params, inputs, targets, 0);
  }

  /** Whether the program takes a noise seed (training mode with dropout, expert dropout or router jitter). */
  public boolean takesSeed() {
    return runner.signature().inputs().stream().anyMatch(p -> p.name().equals(ModelIr.SEED));
  }

  /** One forward pass; {@code seed} drives the training-mode noise (ignored when there is none). */
  public Result run(Map<String, float[]> params, int[] inputs, int[] targets, int seed) {
    checkIds(ModelIr.INPUTS, inputs);
    if (targets != null) checkIds(ModelIr.TARGETS, targets);
    Map<String, HostTensor> in = new LinkedHashMap<>();
    for (Port p : runner.signature().inputs()) {
      if (p.name().equals(ModelIr.INPUTS)) in.put(p.name(), HostTensor.ofInts(p.type(), inputs));
      else if (p.name().equals(ModelIr.TARGETS)) in.put(p.name(), HostTensor.ofInts(p.type(), targets));
      else if (p.name().equals(ModelIr.SEED)) in.put(p.name(), HostTensor.ofInts(p.type(), new int[] {seed}));
      else {
        float[] data = params.get(p.name());
        if (data == null) throw new IllegalArgumentException("no value for parameter " + p.name());
        in.put(p.name(), HostTensor.ofFloats(p.type(), data));
      }
    }
    Map<String, HostTensor> out = runner.run(in);
    return new Result(out.get(ModelIr.LOGITS).floats(), scalar(out, ModelIr.LOSS), scalar(out, ModelIr.CROSS_ENTROPY),
        scalar(out, ModelIr.AUX_LOSS), scalar(out, ModelIr.Z_LOSS));
  }

  private static float scalar(Map<String, HostTensor> out, String name) {
    return out.get(name).floats()[0];
  }

  private void checkIds(String name, int[] ids) {
    long vocab = spec().vocab();
    for (int i = 0; i < ids.length; i++)
      if (ids[i] < 0 || ids[i] >= vocab)
        throw new UserInputError(name + " holds token id " + ids[i] + " at [" + i / length(name) + ", " + i % length(name) + "], outside [0, "
            + vocab + "); token ids index the vocabulary (0 is padding)");
  }

  /** The length (second dim) of token input {@code name}. */
  private long length(String name) {
    return inputShape(name).dims().get(1).size();
  }

  /** The named shape of input {@code name} (inputs, targets or a parameter). */
  public Shape inputShape(String name) {
    return runner.signature().inputs().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().type().shape();
  }

  @Override
  public void close() {
    runner.close();
  }
}
