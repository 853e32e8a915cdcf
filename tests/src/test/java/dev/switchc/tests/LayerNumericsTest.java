package dev.switchc.tests;

import static dev.switchc.tests.Cases.layer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.tests.Cases.Case;
import dev.switchc.tests.reference.SwitchReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled layer, run on XLA CPU, against the independent plain-Java reference written from
 * the paper: output, aux loss, tokens per expert, dropped fraction and capacity, with both
 * dispatch algorithms, in f32 (relative error 1e-4 on the output).
 */
class LayerNumericsTest {
  /** Each case is a fresh builder, so the dispatch can be chosen per run. */
  static List<Object[]> configurations() {
    List<Object[]> c = new ArrayList<>();
    c.add(new Object[] {"basic", (Supplier<SwitchLayer.Builder>) () -> layer(2, 16, 16, 32, 4, 16).capacityFactor(1.25), Mode.EVAL});
    c.add(new Object[] {"overflow cf=0.5", (Supplier<SwitchLayer.Builder>) () -> layer(2, 32, 16, 32, 8, 32).capacityFactor(0.5).minCapacity(1), Mode.EVAL});
    c.add(new Object[] {"min_capacity binds", (Supplier<SwitchLayer.Builder>) () -> layer(2, 32, 8, 16, 4, 32).capacityFactor(0.25).minCapacity(3), Mode.EVAL});
    c.add(new Object[] {"min_capacity above group size", (Supplier<SwitchLayer.Builder>) () -> layer(2, 4, 8, 16, 2, 4).capacityFactor(1.0).minCapacity(6), Mode.EVAL});
    c.add(new Object[] {"four groups", (Supplier<SwitchLayer.Builder>) () -> layer(4, 8, 16, 32, 4, 8).capacityFactor(1.0).minCapacity(1), Mode.EVAL});
    c.add(new Object[] {"groups span sequences", (Supplier<SwitchLayer.Builder>) () -> layer(4, 8, 16, 32, 4, 16).capacityFactor(0.75).minCapacity(2), Mode.EVAL});
    c.add(new Object[] {"gelu, 8 experts", (Supplier<SwitchLayer.Builder>) () -> layer(2, 32, 16, 48, 8, 16).capacityFactor(1.0).minCapacity(1).activation(Activation.GELU), Mode.EVAL});
    c.add(new Object[] {"1 expert", (Supplier<SwitchLayer.Builder>) () -> layer(2, 8, 16, 32, 1, 8).capacityFactor(1.0), Mode.EVAL});
    c.add(new Object[] {"2 experts, overflow", (Supplier<SwitchLayer.Builder>) () -> layer(2, 16, 16, 32, 2, 16).capacityFactor(0.5).minCapacity(1), Mode.EVAL});
    c.add(new Object[] {"8 experts, train mode", (Supplier<SwitchLayer.Builder>) () -> layer(1, 64, 32, 64, 8, 64).trainCapacityFactor(1.0).evalCapacityFactor(2.0).minCapacity(1), Mode.TRAIN});
    c.add(new Object[] {"8 experts, eval mode", (Supplier<SwitchLayer.Builder>) () -> layer(1, 64, 32, 64, 8, 64).trainCapacityFactor(1.0).evalCapacityFactor(2.0).minCapacity(1), Mode.EVAL});
    return c;
  }

  static Stream<Arguments> runs() {
    return configurations().stream().flatMap(c -> Stream.of(Dispatch.GATHER, Dispatch.EINSUM).map(d -> Arguments.of(c[0], c[1], c[2], d)));
  }

  @SuppressWarnings("unchecked")
  static Case make(Object builder, Mode mode, Dispatch d, String name) {
    return Cases.of(name + " / " + d, ((Supplier<SwitchLayer.Builder>) builder).get().dispatch(d), mode, 7);
  }

  @ParameterizedTest(name = "{0} / {3}")
  @MethodSource("runs")
  void matchesReference(String name, Object builder, Mode mode, Dispatch dispatch) {
    Case c = make(builder, mode, dispatch, name);
    SwitchReference.Result want = c.expected();
    Runs.Layer got = Runs.layer(c.layer(), mode, c.params(), c.x());
    assertEquals(want.expertCapacity(), got.expertCapacity(), "expert capacity");
    assertEquals(want.groups(), c.spec().groups(), "groups");
    assertArrayEquals(want.tokensPerExpert(), toLong(got.tokensPerExpert()), "tokens per expert (before capacity)");
    assertEquals(want.droppedFraction(), got.droppedFraction(), 1e-7, "dropped fraction");
    assertEquals(want.auxLoss(), got.auxLoss(), 1e-5 * Math.abs(want.auxLoss()) + 1e-9, "aux loss");
    Compare.close("y", got.y(), want.y(), 1e-4);
  }

  /** The configurations above really exercise what they are named after. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void casesCoverTheirScenario(String name, Object builder, Mode mode) {
    SwitchReference.Result want = make(builder, mode, Dispatch.GATHER, name).expected();
    if (name.contains("overflow")) assertTrue(want.droppedFraction() > 0, "tokens must overflow capacity");
    if (name.contains("min_capacity")) {
      var s = make(builder, mode, Dispatch.GATHER, name).spec();
      assertEquals(s.minCapacity(), want.expertCapacity(), "min_capacity must be the binding bound");
    }
    if (name.contains("groups")) assertTrue(want.groups() > 1);
  }

  static long[] toLong(int[] v) {
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) l[i] = v[i];
    return l;
  }
}
