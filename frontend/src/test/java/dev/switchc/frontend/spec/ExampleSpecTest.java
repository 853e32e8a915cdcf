package dev.switchc.frontend.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Field;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The canonical example shipped in examples/: it parses, and it writes out every field. */
class ExampleSpecTest {
  /** Maven runs tests in the module directory. */
  private static final Path EXAMPLE = Path.of("..", "examples", "switch-layer.swc");

  @Test
  void canonicalExampleParsesToTheDocumentedLayer() {
    SwitchLayerSpec expected = SwitchLayer.builder()
        .batch(8).seq(128).dModel(256).dFf(1024).experts(8).groupSize(128)
        .trainCapacityFactor(1.25).evalCapacityFactor(2.0).minCapacity(4)
        .activation(Activation.RELU).activationDtype(DType.F32).routerDtype(DType.F32)
        .routerAuxLossCoef(0.01).initScale(0.1).dispatch(Dispatch.GATHER)
        .build().value();
    assertEquals(expected, SpecFile.parse(EXAMPLE).spec());
  }

  @Test
  void canonicalExampleWritesOutEveryField() {
    Located<SwitchLayerSpec> layer = SpecFile.parse(EXAMPLE).definition(SwitchLayerSpec.class);
    for (Field f : SwitchLayerSpec.KIND.fields()) {
      if (f == Field.CAPACITY_FACTOR) continue; // shorthand for the train/eval pair, which are written
      assertTrue(layer.where().fields().containsKey(f), f.specName() + " is not written in the example");
    }
  }
}
