package dev.switchc.frontend.spec;

import dev.switchc.frontend.Field;
import static dev.switchc.frontend.spec.SpecAssertions.assertRendered;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.DType;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid spec files, and that they mean the same layer as the Java DSL. */
class SpecFileTest {
  private static final String MINIMAL = """
      switch_layer {
        batch = 8
        seq = 64
        d_model = 128
        d_ff = 512
        experts = 8
      }
      """;

  @Test
  void fullSpecEqualsTheSameLayerBuiltWithTheDsl() {
    SwitchLayerSpec parsed = SpecFile.parse("full.swc", """
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 16
          group_size = 128
          train_capacity_factor = 1.5
          eval_capacity_factor = 2.5
          min_capacity = 2
          activation = gelu
          activation_dtype = bf16
          router_aux_loss_coef = 0.001
          init_scale = 0.5
          dispatch = einsum
        }
        """).spec(SwitchLayerSpec.class);
    SwitchLayerSpec built = SwitchLayer.builder()
        .batch(8).seq(64).dModel(128).dFf(512).experts(16).groupSize(128)
        .trainCapacityFactor(1.5).evalCapacityFactor(2.5).minCapacity(2)
        .activation(Activation.GELU).activationDtype(DType.BF16)
        .routerAuxLossCoef(0.001).initScale(0.5).dispatch(Dispatch.EINSUM)
        .build().value();
    assertEquals(built, parsed);
  }

  @Test
  void defaults() {
    SwitchLayerSpec spec = SpecFile.parse("min.swc", MINIMAL).spec(SwitchLayerSpec.class);
    assertEquals(new SwitchLayerSpec(8, 64, 128, 512, 8, 64, new BigDecimal("1.25"), new BigDecimal("2"), 4,
        Activation.RELU, DType.F32, DType.F32, 0.01, 0.1, Dispatch.GATHER), spec);
    assertEquals(SwitchLayer.builder().batch(8).seq(64).dModel(128).dFf(512).experts(8).build().value(), spec);
  }

  @Test
  void routerDtypeIsReadAndEqualsTheDsl() {
    SwitchLayerSpec spec = SpecFile.parse("r.swc", MINIMAL.replace("experts = 8", "experts = 8\n  router_dtype = bf16")).spec(SwitchLayerSpec.class);
    assertEquals(DType.BF16, spec.routerDtype());
    assertEquals(DType.F32, spec.activationDtype());
    assertEquals(SwitchLayer.builder().batch(8).seq(64).dModel(128).dFf(512).experts(8).routerDtype(DType.BF16).build().value(), spec);
  }

  @Test
  void decimalsOnePointZeroAndOneAreEqual() {
    String withDecimal = MINIMAL.replace("}", "  capacity_factor = 1.0\n}");
    String withInteger = MINIMAL.replace("}", "  capacity_factor = 1\n}");
    String withExponent = MINIMAL.replace("}", "  capacity_factor = 10e-1\n}");
    SwitchLayerSpec a = SpecFile.parse("a.swc", withDecimal).spec(SwitchLayerSpec.class);
    assertEquals(a, SpecFile.parse("b.swc", withInteger).spec());
    assertEquals(a, SpecFile.parse("c.swc", withExponent).spec());
    assertEquals(BigDecimal.ONE, a.trainCapacityFactor());
  }

  @Test
  void commentsOfBothKindsAndOptionalSemicolons() {
    SwitchLayerSpec spec = SpecFile.parse("c.swc", """
        # a hash comment
        // a slash comment
        switch_layer {   // after the brace
          batch = 8;  seq = 64;   # two fields on one line
          d_model = 128 d_ff = 512
          experts = 8;
        }
        # trailing comment, no newline at the end""").spec(SwitchLayerSpec.class);
    assertEquals(SpecFile.parse("min.swc", MINIMAL).spec(), spec);
  }

  @Test
  void oneLineSpecWithPlusSignAndWindowsLineEndings() {
    SwitchLayerSpec spec = SpecFile.parse("w.swc",
        "switch_layer {\r\n batch = +8\r\n seq = 64 d_model = 128 d_ff = 512 experts = 8\r\n}\r\n").spec(SwitchLayerSpec.class);
    assertEquals(SpecFile.parse("min.swc", MINIMAL).spec(), spec);
  }

  @Test
  void locationsPointAtValueTokensAndTheBlockName() {
    Located<SwitchLayerSpec> layer = SpecFile.parse("loc.swc", """
        # header
          switch_layer {
          batch = 8
          seq   =   64
          d_model = 128
          d_ff = 512
          experts = 8
        }
        """).definition(SwitchLayerSpec.class);
    assertEquals(new SourceLoc("loc.swc", 2, 3, "switch_layer"), layer.where().block());
    assertEquals(new SourceLoc("loc.swc", 4, 13, "seq = 64"), layer.where().of(Field.SEQ));
    assertEquals("loc.swc:3:11", layer.where().of(Field.BATCH).toString());
    assertEquals(new SourceLoc("loc.swc", 2, 3, "group_size (default)"), layer.where().of(Field.GROUP_SIZE));
  }

  @Test
  void parsesAFileAndNamesItInLocations(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("layer.swc");
    Files.writeString(file, MINIMAL.replace("seq = 64", "seq = 0"));
    assertRendered(() -> SpecFile.parse(file), file + ":3:9: error: seq = 0: must be at least 1; expected a positive integer");
    Files.writeString(file, MINIMAL);
    assertEquals(SpecFile.parse("min.swc", MINIMAL).spec(), SpecFile.parse(file).spec());
  }

  @Test
  void missingFileIsAnErrorAtThePath(@TempDir Path dir) {
    Path missing = dir.resolve("nope.swc");
    assertRendered(() -> SpecFile.parse(missing),
        missing + ": error: cannot read spec file '" + missing + "': no such file; check the path");
    assertRendered(() -> SpecFile.parse(dir),
        dir + ": error: cannot read spec file '" + dir + "': it is a directory; check the path");
  }
}
