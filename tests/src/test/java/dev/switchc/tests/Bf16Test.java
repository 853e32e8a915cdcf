package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Mode;
import dev.switchc.ir.DType;
import dev.switchc.tests.Cases.Case;
import dev.switchc.tests.reference.SwitchReference;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** bf16 activations with the router kept in f32 (selective precision, paper section 2.4). */
class Bf16Test {
  /**
   * bf16 keeps 8 significant bits (relative rounding up to 2^-9 = 0.2%). The expert path rounds its
   * input, both weight matrices, the hidden activation and the output, and an output element is a
   * sum of d_ff such rounded products, so we allow 1% of the output's scale per element (a wrong
   * expert or a lost gate is off by 100%). Routing is exact: the router sees the same bf16-exact
   * input in f32 as the reference.
   */
  static final double BF16_TOLERANCE = 1e-2;

  @ParameterizedTest
  @EnumSource(Dispatch.class)
  void bf16IsCloseToTheF32Reference(Dispatch dispatch) {
    Case c = Cases.of("bf16", Cases.layer(2, 32, 32, 64, 4, 32).capacityFactor(1.0).minCapacity(1).activationDtype(DType.BF16).dispatch(dispatch), Mode.EVAL, 11);
    SwitchReference.Result want = c.expected();
    Runs.Layer got = Runs.layer(c.layer(), Mode.EVAL, c.params(), c.x());
    assertArrayEquals(want.tokensPerExpert(), LayerNumericsTest.toLong(got.tokensPerExpert()));
    assertEquals(want.droppedFraction(), got.droppedFraction(), 1e-7);
    assertEquals(want.auxLoss(), got.auxLoss(), 1e-5 * want.auxLoss());
    Compare.closeToScale("bf16 y", got.y(), want.y(), BF16_TOLERANCE);
  }

  /**
   * Expert 1's router weight is 1 + 2^-12, expert 0's is 1: distinct in f32, equal once rounded to
   * bf16 (which keeps 7 fraction bits). Every token has a positive first feature, so an f32 router
   * sends all of them to expert 1 while a bf16 router would see a tie and pick expert 0 (lowest
   * index). The gate must also be the f32 softmax value: 1 / (1 + exp(-x0 * 2^-12)), just above 0.5.
   */
  @ParameterizedTest
  @EnumSource(Dispatch.class)
  void routerComputesInF32(Dispatch dispatch) {
    Runs.Layer got = nearTie(Cases.layer(1, 8, 4, 8, 2, 8).capacityFactor(2.0).activationDtype(DType.BF16).dispatch(dispatch));
    assertArrayEquals(new int[] {0, 8}, got.tokensPerExpert(), "an f32 router sends every token to expert 1");
    // Aux loss = 0.01 * E * sum_i f_i P_i with f = (0, 1): 0.02 * mean_t p1(t), p1 = sigmoid(x0 * 2^-12).
    double meanP1 = 0;
    for (int t = 0; t < 8; t++) meanP1 += 1 / (1 + Math.exp(-(1 + t) * 0x1p-12)) / 8;
    assertEquals(0.02 * meanP1, got.auxLoss(), 1e-9, "aux loss from f32 probabilities");
  }

  /**
   * The same layer with {@code router_dtype = bf16} (the paper's table 2 ablation), with bf16 and
   * with f32 activations: the router's weights are rounded to bf16, so both experts' logits are equal
   * and every token goes to expert 0 (lowest index on ties), with the bf16 softmax's gate of exactly
   * 0.5. Expert 0's output for token t is 0.5 * relu(0.25 * (x0 + x1) * 1)... summed: each hidden
   * unit is 0.25 * (1 + t + 0.5), each output 0.5 * 8 * that, times the gate 0.5.
   */
  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"F32", "BF16"})
  void routerDtypeBf16RoundsTheRouter(DType activations) {
    Runs.Layer got = nearTie(Cases.layer(1, 8, 4, 8, 2, 8).capacityFactor(2.0).activationDtype(activations).routerDtype(DType.BF16));
    assertArrayEquals(new int[] {8, 0}, got.tokensPerExpert(), "a bf16 router sees a tie and picks expert 0");
    // Aux loss = 0.01 * E * f0 * P0 = 0.02 * 1 * 0.5: the bf16 softmax of two equal logits.
    assertEquals(0.01, got.auxLoss(), 1e-9, "aux loss from the bf16 router's probabilities");
    for (int t = 0; t < 8; t++) {
      double hidden = 0.25 * (1 + t + 0.5);
      double y = 0.5 * 8 * hidden * 0.5;
      for (int d = 0; d < 4; d++) assertEquals(y, got.y()[t * 4 + d], 1e-6 * y, "token " + t + " output " + d);
    }
  }

  /**
   * The near-tie case: 8 tokens of 4 features, 2 experts whose router weights differ only in the
   * 13th bit (1 and 1 + 2^-12 on feature 0), bf16-exact inputs (x0 = 1 + t, x1 = 0.5), wi = 0.25, wo = 0.5.
   */
  private static Runs.Layer nearTie(dev.switchc.frontend.SwitchLayer.Builder builder) {
    float[] router = new float[4 * 2];
    router[0] = 1f; // d=0, expert 0
    router[1] = 1f + 0x1p-12f; // d=0, expert 1
    float[] x = new float[8 * 4];
    for (int t = 0; t < 8; t++) {
      x[t * 4] = 1 + t; // bf16-exact small integers
      x[t * 4 + 1] = 0.5f;
    }
    float[] wi = new float[2 * 4 * 8], wo = new float[2 * 8 * 4];
    Arrays.fill(wi, 0.25f);
    Arrays.fill(wo, 0.5f);
    Map<String, float[]> params = new LinkedHashMap<>();
    params.put("router/w", router);
    params.put("experts/wi", wi);
    params.put("experts/wo", wo);
    return Runs.layer(builder.build(), Mode.EVAL, params, x);
  }
}
