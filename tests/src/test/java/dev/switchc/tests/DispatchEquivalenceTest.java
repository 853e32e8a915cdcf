package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Mode;
import dev.switchc.ir.DType;
import dev.switchc.tests.Cases.Case;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** gather and einsum dispatch compute the same layer: same routing, same output. */
class DispatchEquivalenceTest {
  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"F32", "BF16"})
  void gatherAndEinsumAgree(DType dtype) {
    Case g = Cases.of("gather", Cases.layer(2, 64, 32, 64, 8, 32).capacityFactor(0.75).minCapacity(1).activationDtype(dtype).dispatch(Dispatch.GATHER), Mode.EVAL, 3);
    Case e = Cases.of("einsum", Cases.layer(2, 64, 32, 64, 8, 32).capacityFactor(0.75).minCapacity(1).activationDtype(dtype).dispatch(Dispatch.EINSUM), Mode.EVAL, 3);
    Runs.Layer a = Runs.layer(g.layer(), Mode.EVAL, g.params(), g.x());
    Runs.Layer b = Runs.layer(e.layer(), Mode.EVAL, e.params(), e.x());
    assertTrue(a.droppedFraction() > 0, "the case must drop tokens");
    assertArrayEquals(a.tokensPerExpert(), b.tokensPerExpert());
    assertEquals(a.droppedFraction(), b.droppedFraction());
    assertEquals(a.auxLoss(), b.auxLoss(), 1e-7);
    // Both compute each kept token's expert output once and scale it by the same gate; only the
    // order of float operations differs, so they agree to rounding of the activation dtype.
    if (dtype == DType.F32) Compare.close("einsum vs gather", b.y(), Compare.toDouble(a.y()), 1e-5);
    else Compare.closeToScale("einsum vs gather", b.y(), Compare.toDouble(a.y()), Bf16Test.BF16_TOLERANCE);
  }
}
