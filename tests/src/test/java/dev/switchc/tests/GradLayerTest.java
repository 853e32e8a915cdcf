package dev.switchc.tests;

import static dev.switchc.tests.Cases.layer;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.ir.Binding;
import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.ToF64;
import dev.switchc.ir.Value;
import dev.switchc.tests.Cases.Case;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Switch layer's gradients (train mode, top-1, capacity factor 0.5 so that tokens overflow)
 * with respect to the router and both expert weights, for {@code loss = sum(y * ct) + aux_loss},
 * against central finite differences in f64 on XLA (eps 1e-6, 1e-6 relative): every router weight,
 * 16 sampled elements of each expert weight.
 *
 * <p>Routing is piecewise constant in the weights, so finite differences are only valid where no
 * decision flips between p - eps and p + eps: {@link Cases#of} redraws until every token's top two
 * router logits are more than 1e-4 apart, and a step of 1e-6 in one weight moves a logit by at
 * most 1e-6 * |x| (|x| below 5 here), so no argmax, and hence no position or capacity decision,
 * changes. A flip would show as a finite difference of order (jump / 2e-6), far outside tolerance.
 */
class GradLayerTest {
  static final List<String> WRT = List.of(SwitchLayerIr.ROUTER_W, SwitchLayerIr.EXPERTS_WI, SwitchLayerIr.EXPERTS_WO);

  static java.util.stream.Stream<Arguments> layers() {
    return java.util.stream.Stream.of(Activation.RELU, Activation.GELU)
        .flatMap(a -> java.util.stream.Stream.of(Dispatch.GATHER, Dispatch.EINSUM).map(d -> Arguments.of(a, d)));
  }

  @ParameterizedTest(name = "{0} / {1}")
  @MethodSource("layers")
  void overflowingTop1LayerInTrainMode(Activation activation, Dispatch dispatch) {
    Case c = Cases.of("overflow", layer(2, 16, 8, 16, 4, 16).trainCapacityFactor(0.5).evalCapacityFactor(2.0).minCapacity(1)
        .activation(activation).dispatch(dispatch), Mode.TRAIN, 5);
    assertTrue(c.expected().droppedFraction() > 0, "tokens must overflow the capacity");
    Func layer = ToF64.run(Compilation.of(Program.single(c.layer()), Mode.TRAIN).global());
    Map<String, double[]> inputs = new LinkedHashMap<>();
    inputs.put(SwitchLayerIr.X, F64.widen(c.x()));
    c.params().forEach((k, v) -> inputs.put(k, F64.widen(v)));
    Func withLoss = withLoss(layer, inputs, new Random(9));
    Map<String, double[]> grads = GradCheck.check(withLoss, "loss", WRT, inputs, GradCheck.Options.exact().sampled(16));
    // Not vacuous: the router learns through the gate and the aux loss.
    assertTrue(maxAbs(grads.get(SwitchLayerIr.ROUTER_W)) > 1e-3, "router gradient");
  }

  /** {@code f} plus a parameter {@code ct} (added to {@code inputs}, random) and the result {@code loss = sum(y * ct) + aux_loss}. */
  static Func withLoss(Func f, Map<String, double[]> inputs, Random r) {
    FuncBuilder b = FuncBuilder.continuing(f);
    Value y = result(f, SwitchLayerIr.Y), aux = result(f, SwitchLayerIr.AUX_LOSS);
    Value ct = b.param("ct", new TensorType(DType.F64, y.shape()));
    inputs.put("ct", GradCheck.gaussian(r, (int) y.shape().elements(), 1));
    FuncBuilder.Ops o = b.unlocated();
    Value loss = o.add(o.reduce(Op.ReduceFn.SUM, o.mul(y, ct), y.shape().names().toArray(String[]::new)), aux);
    for (Binding res : f.results()) b.result(res.name(), res.value());
    b.result("loss", loss);
    return b.build();
  }

  static Value result(Func f, String name) {
    return f.results().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow().value();
  }

  static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) m = Math.max(m, Math.abs(x));
    return m;
  }

}
