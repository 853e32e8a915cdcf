package dev.switchc.tests;

import static dev.switchc.tests.Cases.layer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.ir.Binding;
import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.ToF64;
import dev.switchc.ir.Value;
import dev.switchc.lowering.StableHlo;
import dev.switchc.tests.Cases.Case;
import dev.switchc.tests.reference.SwitchReference;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * f64 down the pipeline: {@link ToF64} rewrites a layer's IR, the lowering spells f64 types and
 * exact f64 constants, and the CPU runtime feeds and fetches doubles. The layer then agrees with
 * the double-precision plain-Java reference to 1e-10 relative, five orders tighter than f32 can.
 */
class F64LayerTest {
  @Test
  void everyFloatValueBecomesF64AndFloatCastsDisappear() {
    Case c = Cases.of("bf16", layer(2, 8, 8, 16, 4, 8).capacityFactor(1.0).activationDtype(DType.BF16));
    Func f = ToF64.run(Compilation.of(Program.single(c.layer()), Mode.EVAL).global());
    for (Binding p : f.params()) assertTrue(p.value().dtype() == DType.F64 || p.value().dtype() == DType.I32, p.toString());
    f.body().forEach(op -> assertTrue(op.out().dtype() != DType.F32 && op.out().dtype() != DType.BF16, op.toString()));
    f.body().stream().filter(op -> op instanceof dev.switchc.ir.Op.Cast)
        .forEach(op -> assertTrue(!op.inputs().get(0).dtype().isFloat() || !op.out().dtype().isFloat(), "float-to-float cast left: " + op));
  }

  @Test
  void constantsKeepAllFiftyThreeBits() {
    FuncBuilder b = new FuncBuilder("scale");
    Dim n = new Dim("n", 3);
    Value x = b.param("x", new TensorType(DType.F64, Shape.of(n)));
    b.result("y", b.unlocated().mul(x, b.unlocated().scalar(0.1, DType.F64)));
    Func f = b.build();
    assertTrue(StableHlo.compile(f).text().contains("dense<0x3FB999999999999A> : tensor<f64>"), StableHlo.compile(f).text());
    double[] in = {1 / 3.0, Math.PI, -1e300};
    try (F64.Program p = new F64.Program(f)) {
      double[] y = p.run(Map.of("x", in)).get("y");
      for (int i = 0; i < in.length; i++) assertEquals(in[i] * 0.1, y[i], 0.0, "exactly one f64 rounding");
    }
  }

  @Test
  void overflowingLayerMatchesTheReference() {
    check(Cases.of("overflow cf=0.5", layer(2, 32, 16, 32, 8, 32).capacityFactor(0.5).minCapacity(1)));
  }

  @Test
  void geluLayerInTrainModeMatchesTheReference() {
    Case c = Cases.of("gelu train", layer(2, 16, 16, 48, 4, 16).trainCapacityFactor(0.75).evalCapacityFactor(2.0).minCapacity(1)
        .activation(Activation.GELU), Mode.TRAIN, 3);
    check(c);
  }

  private static void check(Case c) {
    SwitchReference.Result want = c.expected();
    assertTrue(c.name().startsWith("gelu") || want.droppedFraction() > 0, "the overflow case must drop tokens");
    Func f = ToF64.run(Compilation.of(Program.single(c.layer()), c.mode()).global());
    Map<String, double[]> in = new LinkedHashMap<>();
    in.put(SwitchLayerIr.X, F64.widen(c.x()));
    for (Map.Entry<String, float[]> e : c.params().entrySet()) in.put(e.getKey(), F64.widen(e.getValue()));
    try (F64.Program p = new F64.Program(f)) {
      Map<String, double[]> got = p.run(in);
      Compare.close("y", got.get(SwitchLayerIr.Y), want.y(), 1e-10);
      assertEquals(want.auxLoss(), got.get(SwitchLayerIr.AUX_LOSS)[0], 1e-10 * Math.abs(want.auxLoss()), "aux loss");
      assertArrayEquals(LayerNumericsTest.toLong(toInts(got.get(SwitchLayerIr.TOKENS_PER_EXPERT))), want.tokensPerExpert(), "tokens per expert");
      assertEquals(want.droppedFraction(), got.get(SwitchLayerIr.DROPPED_FRACTION)[0], 1e-12, "dropped fraction");
    }
  }

  private static int[] toInts(double[] v) {
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) r[i] = (int) v[i];
    return r;
  }
}
