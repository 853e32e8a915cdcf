package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.TrainStep;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.optim.Adafactor;
import dev.switchc.ir.optim.AdamW;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.runtime.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole training step (forward, gradient, optimizer) sharded over a mesh equals the unsharded
 * step on one device for three steps on three batches: every parameter, every optimizer slot and
 * every metric after each step, in switchc's emulation of the mesh and through XLA's SPMD
 * partitioner, with Adafactor (factored second moments, split as their parameter is) and AdamW.
 * tiny-switch (encoder-decoder) and tiny-switch-lm (decoder-only) overflow their experts
 * (capacity factor 0.5, one slot) with dropout and router jitter on.
 *
 * <p>Tolerance, f32: each result within {@value #TIGHT} of its tensor's scale (largest magnitude)
 * but for at most {@value #OUTLIERS} elements per tensor, which must be within {@value #FRACTION};
 * metrics within 1e-5 relative. The sharded program sums partial gradients in another
 * order (the all-reduces over the batch-like axes and over model), so its gradients differ from
 * the one-device ones by rounding, about 1e-7 of their scale. The optimizers then divide each
 * gradient element by the root of its own second moment: AdamW's first update is {@code g / (|g| +
 * 1e-8)}, whose slope near g = 0 is 1e8, so an element whose gradient is within rounding noise of
 * zero moves by a visibly different amount (measured: 4e-5 of scale for one element of 8192 of an
 * expert weight on expert=2,model=2, in the emulation and in XLA alike, the same after three
 * steps; every other element of every case below 1e-5). The bounds still tell a wrong program
 * apart: three steps move a parameter by about 1e-2 of its scale, a missing or wrong
 * collective changes an update by that order, and the first moments ((1 - beta1) g) and the
 * Adafactor statistics compare the gradients themselves at this tolerance.
 */
class ShardedTrainStepTest {
  static final double FRACTION = 1e-4, TIGHT = 1e-5;
  static final int OUTLIERS = 2;
  static final int STEPS = 3;
  static final List<String> SETS = List.of("capacity_factor=0.5", "min_capacity=1", "dropout=0.1", "router_jitter=0.01");

  static Optimizer optimizer(String name) {
    return switch (name) {
      case "adafactor" -> Adafactor.t5();
      case "adamw" -> AdamW.of(1e-2, 0.01, AdamW.Schedule.LINEAR_WARMUP_RSQRT, 5);
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(delimiter = ';', value = {
      "tiny-switch; data=2; adafactor", "tiny-switch; expert=2; adamw", "tiny-switch; data=2,expert=2; adafactor",
      "tiny-switch; expert=2,model=2; adamw",
      "tiny-switch-lm; data=2,model=2; adafactor"})
  void shardedStepEqualsTheStepOnOneDevice(String preset, String mesh, String optimizerName) {
    Program sharded = Presets.load(preset, SETS, Optional.of(mesh), List.of());
    Compilation forward = Compilation.of(sharded, Mode.TRAIN), single = Compilation.of(Program.single(sharded.definition()), Mode.TRAIN);
    Optimizer opt = optimizer(optimizerName);
    List<TrainStep.Result> want;
    try (TrainStep one = TrainStep.compile(single, ModelIr.LOSS, opt, new Backend.Xla())) {
      want = TrainSteps.run(one, single, one.init(TrainSteps.params(single, 3)), STEPS);
    }
    for (Backend backend : List.of(new Backend.Emulation(), new Backend.Xla()))
      try (TrainStep many = TrainStep.compile(forward, ModelIr.LOSS, opt, backend)) {
        List<TrainStep.Result> got = TrainSteps.run(many, forward, many.init(TrainSteps.params(forward, 3)), STEPS);
        for (int k = 0; k < STEPS; k++) {
          String at = preset + " " + mesh + " " + opt + " " + backend + " step " + (k + 1);
          assertStatesClose(at, want.get(k).next(), got.get(k).next(), FRACTION);
          assertEquals(want.get(k).metrics().keySet(), got.get(k).metrics().keySet(), at);
          for (String m : want.get(k).metrics().keySet())
            assertEquals(want.get(k).metrics().get(m), got.get(k).metrics().get(m), 1e-5 * Math.max(1, Math.abs(want.get(k).metrics().get(m))), at + " " + m);
        }
      }
  }

  /**
   * A Switch layer's step: its loss is {@code sum(y * cotangent)} plus its aux loss, the cotangent
   * fed with x ({@link dev.switchc.driver.GradientProgram}); capacity factor 1.0 gives 2 slots per
   * expert and group of 8, so uneven routing drops tokens. Emulation and XLA, AdamW, two meshes.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"expert=2", "data=2,model=2"})
  void shardedLayerStepEqualsTheStepOnOneDevice(String mesh) {
    Located<SwitchLayerSpec> l = SwitchLayer.builder().batch(2).seq(16).dModel(16).dFf(32).experts(4).groupSize(8).capacityFactor(1.0).minCapacity(1).build();
    Program.Builder b = Program.of(l);
    for (String axis : mesh.split(",")) b.mesh(axis.split("=")[0], Integer.parseInt(axis.split("=")[1]));
    Compilation forward = Compilation.of(b.build(), Mode.TRAIN), single = Compilation.of(Program.single(l), Mode.TRAIN);
    Optimizer opt = optimizer("adamw");
    List<TrainStep.Result> want;
    try (TrainStep one = TrainStep.compile(single, "loss", opt, new Backend.Xla())) {
      want = TrainSteps.run(one, single, one.init(TrainSteps.params(single, 3)), STEPS);
    }
    for (Backend backend : List.of(new Backend.Emulation(), new Backend.Xla()))
      try (TrainStep many = TrainStep.compile(forward, "loss", opt, backend)) {
        List<TrainStep.Result> got = TrainSteps.run(many, forward, many.init(TrainSteps.params(forward, 3)), STEPS);
        for (int k = 0; k < STEPS; k++) {
          String at = "layer " + mesh + " " + backend + " step " + (k + 1);
          assertStatesClose(at, want.get(k).next(), got.get(k).next(), FRACTION);
          for (String m : want.get(k).metrics().keySet())
            assertEquals(want.get(k).metrics().get(m), got.get(k).metrics().get(m), 1e-5 * Math.max(1, Math.abs(want.get(k).metrics().get(m))), at + " " + m);
        }
      }
  }

  static void assertStatesClose(String at, TrainStep.State want, TrainStep.State got, double fraction) {
    assertEquals(want.step(), got.step(), at);
    assertEquals(want.params().keySet(), got.params().keySet(), at);
    assertEquals(want.optimizer().keySet(), got.optimizer().keySet(), at);
    for (String name : want.params().keySet()) close(at + " " + name, got.params().get(name), want.params().get(name), fraction);
    for (String name : want.optimizer().keySet()) close(at + " " + name, got.optimizer().get(name), want.optimizer().get(name), fraction);
  }

  /**
   * Every element within {@code fraction} of the scale, and all but {@value #OUTLIERS} of them
   * within {@value #TIGHT} of it: the few elements whose gradient is rounding noise near zero (see
   * the class comment) are the only ones allowed the looser bound.
   */
  private static void close(String what, HostTensor got, HostTensor want, double fraction) {
    assertEquals(want.type(), got.type(), what);
    Compare.closeToScale(what, got.floats(), Compare.toDouble(want.floats()), fraction);
    float[] g = got.floats(), w = want.floats();
    double scale = 0;
    for (float x : w) scale = Math.max(scale, Math.abs(x));
    int loose = 0;
    for (int i = 0; i < w.length; i++) if (Math.abs(g[i] - w[i]) > TIGHT * scale) loose++;
    if (loose > 0) System.out.printf("%s: %d of %d elements beyond %.0e of scale %.3g%n", what, loose, w.length, TIGHT, scale);
    assertTrue(loose <= OUTLIERS, what + ": " + loose + " elements beyond " + TIGHT + " of the scale " + scale + ", at most " + OUTLIERS + " allowed");
  }
}
