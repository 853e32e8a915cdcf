package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.spec.SpecFile;
import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.IrPrinter;
import dev.switchc.lowering.StableHlo;
import org.junit.jupiter.api.Test;

/** The spec file and the Java DSL are two spellings of one model: same object, IR and StableHLO. */
class SpecDslIdentityTest {
  static final String SPEC = """
      # every field, non-default values where there is a choice
      switch_layer {
        batch = 4
        seq = 32
        d_model = 64
        d_ff = 128
        experts = 8
        group_size = 64
        train_capacity_factor = 1.0
        eval_capacity_factor = 1.5
        min_capacity = 2
        activation = gelu
        activation_dtype = bf16
        router_aux_loss_coef = 0.02
        init_scale = 0.5
        dispatch = einsum
      }
      """;

  static Located<SwitchLayerSpec> dsl() {
    return SwitchLayer.builder().batch(4).seq(32).dModel(64).dFf(128).experts(8).groupSize(64)
        .trainCapacityFactor(1.0).evalCapacityFactor(1.5).minCapacity(2).activation(Activation.GELU)
        .activationDtype(DType.BF16).routerAuxLossCoef(0.02).initScale(0.5).dispatch(Dispatch.EINSUM).build();
  }

  @Test
  void specFileAndDslGiveTheSameModelIrAndStableHlo() {
    Located<SwitchLayerSpec> fromFile = SpecFile.parse("layer.swc", SPEC).definition(SwitchLayerSpec.class);
    Located<SwitchLayerSpec> fromDsl = dsl();
    assertEquals(fromDsl.value(), fromFile.value());
    for (Mode mode : Mode.values()) {
      Func a = SwitchLayerIr.build(fromFile, mode), b = SwitchLayerIr.build(fromDsl, mode);
      assertEquals(IrPrinter.print(b), IrPrinter.print(a));
      assertEquals(StableHlo.compile(b).text(), StableHlo.compile(a).text());
      assertEquals(StableHlo.compile(b).signature(), StableHlo.compile(a).signature());
      // Locations differ (spec line vs Java call): they are provenance, not part of the program.
      assertNotEquals(IrPrinter.print(b, true), IrPrinter.print(a, true));
    }
  }

  @Test
  void compilingTwiceIsByteIdentical() {
    String first = StableHlo.compile(SwitchLayerIr.build(SpecFile.parse("layer.swc", SPEC).definition(SwitchLayerSpec.class), Mode.EVAL)).text();
    String second = StableHlo.compile(SwitchLayerIr.build(SpecFile.parse("layer.swc", SPEC).definition(SwitchLayerSpec.class), Mode.EVAL)).text();
    assertEquals(first, second);
  }

  @Test
  void modesDifferOnlyWhereTheCapacityFactorDoes() {
    Located<SwitchLayerSpec> layer = dsl();
    String train = StableHlo.compile(SwitchLayerIr.build(layer, Mode.TRAIN)).text();
    String eval = StableHlo.compile(SwitchLayerIr.build(layer, Mode.EVAL)).text();
    // train: floor(64 * 1.0 / 8) = 8 slots; eval: floor(64 * 1.5 / 8) = 12 slots per expert and group.
    assertEquals(8, layer.value().expertCapacity(Mode.TRAIN));
    assertEquals(12, layer.value().expertCapacity(Mode.EVAL));
    assertNotEquals(train, eval);
    assertEquals(train, eval.replace("x12x", "x8x").replace("dense<12>", "dense<8>"));
  }
}
