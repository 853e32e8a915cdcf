package dev.switchc.tests;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.ProgramRun;
import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.model.ModelIr;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tests' shorthand for running a layer or a model through the driver and reading its outputs by name. */
final class Runs {
  private Runs() {}

  /** A layer's outputs. */
  record Layer(float[] y, float auxLoss, int[] tokensPerExpert, float droppedFraction, long expertCapacity) {}

  static Layer layer(Located<SwitchLayerSpec> layer, Mode mode, Map<String, float[]> params, float[] x) {
    return layer(Compilation.of(Program.single(layer), mode), params, x);
  }

  /** On XLA: one device through XlaCallModule, a mesh through XLA's partitioner on as many CPU devices. */
  static Layer layer(Compilation c, Map<String, float[]> params, float[] x) {
    return layer(c, new Backend.Xla(), params, x);
  }

  static Layer layer(Compilation c, Backend backend, Map<String, float[]> params, float[] x) {
    try (ProgramRun run = ProgramRun.load(c, backend)) {
      ProgramRun.Result r = run.run(params, Map.of(SwitchLayerIr.X, run.input(SwitchLayerIr.X, x)));
      return new Layer(r.floats(SwitchLayerIr.Y), r.scalar(SwitchLayerIr.AUX_LOSS), r.ints(SwitchLayerIr.TOKENS_PER_EXPERT),
          r.scalar(SwitchLayerIr.DROPPED_FRACTION), c.program().spec(SwitchLayerSpec.class).expertCapacity(c.mode()));
    }
  }

  /** A model's outputs; {@code logits} row-major [batch, length, vocab]. */
  record Model(float[] logits, float loss, float crossEntropy, float auxLoss, float zLoss) {}

  /** One forward pass of {@code run}'s model; {@code targets} is null for decoder-only models, {@code seed} is used when the program takes one. */
  static Model model(ProgramRun run, Map<String, float[]> params, int[] inputs, int[] targets, int seed) {
    Map<String, dev.switchc.runtime.HostTensor> data = new LinkedHashMap<>();
    data.put(ModelIr.INPUTS, run.input(ModelIr.INPUTS, inputs));
    if (targets != null) data.put(ModelIr.TARGETS, run.input(ModelIr.TARGETS, targets));
    if (takesSeed(run)) data.put(ModelIr.SEED, run.input(ModelIr.SEED, new int[] {seed}));
    ProgramRun.Result r = run.run(params, data);
    return new Model(r.floats(ModelIr.LOGITS), r.scalar(ModelIr.LOSS), r.scalar(ModelIr.CROSS_ENTROPY), r.scalar(ModelIr.AUX_LOSS),
        r.scalar(ModelIr.Z_LOSS));
  }

  static Model model(ProgramRun run, Map<String, float[]> params, int[] inputs, int[] targets) {
    if (takesSeed(run)) throw new IllegalStateException("this training-mode program draws noise: give it a seed");
    return model(run, params, inputs, targets, 0);
  }

  /**
   * {@code sharded} (a model on its mesh) in switchc's emulation against the same model on one
   * device, with seeded random parameters and tokens: logits within 1e-5 of their scale, cross
   * entropy and aux loss within 1e-5 relative.
   */
  static void assertModelRunsAsOnOneDevice(Compilation sharded) {
    Program program = sharded.program();
    dev.switchc.frontend.model.ModelSpec s = program.spec(dev.switchc.frontend.model.ModelSpec.class);
    try (ProgramRun one = ProgramRun.load(Compilation.of(Program.single(program.definition()), Mode.EVAL));
        ProgramRun many = ProgramRun.load(sharded, new Backend.Emulation())) {
      ModelNumericsTest.Data data = ModelNumericsTest.Data.of(one, s, 3, 5);
      Model want = model(one, data.params(), data.inputs(), data.targets());
      Model got = model(many, data.params(), data.inputs(), data.targets());
      Compare.closeToScale("logits", got.logits(), Compare.toDouble(want.logits()), 1e-5);
      org.junit.jupiter.api.Assertions.assertEquals(want.crossEntropy(), got.crossEntropy(), 1e-5 * Math.abs(want.crossEntropy()), "cross entropy");
      org.junit.jupiter.api.Assertions.assertEquals(want.auxLoss(), got.auxLoss(), 1e-6 + 1e-5 * want.auxLoss(), "aux loss");
    }
  }

  /** Whether the program takes a noise seed (training mode with dropout, expert dropout or router jitter). */
  static boolean takesSeed(ProgramRun run) {
    return run.dataInputs().stream().anyMatch(d -> d.role() == DataInput.Role.SEED);
  }
}
