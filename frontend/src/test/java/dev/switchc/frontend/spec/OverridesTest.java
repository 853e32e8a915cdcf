package dev.switchc.frontend.spec;

import dev.switchc.frontend.Field;
import static dev.switchc.frontend.spec.SpecAssertions.assertRendered;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --set name=value} on top of a spec file. */
class OverridesTest {
  private static final String SPEC = """
      switch_layer {
        batch = 8
        seq = 64
        d_model = 128
        d_ff = 512
        experts = 8
        train_capacity_factor = 1.5
        eval_capacity_factor = 3
      }
      """;

  private static Located<SwitchLayerSpec> apply(String... sets) {
    return Overrides.load("s.swc", SPEC, List.of(sets)).definition(SwitchLayerSpec.class);
  }

  @Test
  void noOverridesIsTheSameAsSpecFileParse() {
    assertEquals(SpecFile.parse("s.swc", SPEC).definition(), apply());
  }

  @Test
  void capacityFactorSetsBothAndOverridesTheFile() {
    Located<SwitchLayerSpec> layer = apply("capacity_factor=1.1");
    assertEquals(new BigDecimal("1.1"), layer.value().trainCapacityFactor());
    assertEquals(new BigDecimal("1.1"), layer.value().evalCapacityFactor());
    SourceLoc set = new SourceLoc("--set capacity_factor=1.1", 0, 0, "capacity_factor=1.1");
    assertEquals(set, layer.where().of(Field.TRAIN_CAPACITY_FACTOR));
    assertEquals(set, layer.where().of(Field.EVAL_CAPACITY_FACTOR));
  }

  @Test
  void specificFactorOverridesOnlyItself() {
    Located<SwitchLayerSpec> layer = apply("capacity_factor=1.1", "eval_capacity_factor=2");
    assertEquals(new BigDecimal("1.1"), layer.value().trainCapacityFactor());
    assertEquals(new BigDecimal("2"), layer.value().evalCapacityFactor());
  }

  @Test
  void laterSetWins() {
    assertEquals(32, apply("batch=16", "batch=32").value().batch());
  }

  @Test
  void overrideOfAFieldAbsentFromTheFile() {
    Located<SwitchLayerSpec> layer = apply("group_size=128", "activation=gelu", " min_capacity = 1 ");
    assertEquals(128, layer.value().groupSize());
    assertEquals("gelu", layer.value().activation().specName());
    assertEquals(1, layer.value().minCapacity());
    assertEquals("--set group_size=128", layer.where().of(Field.GROUP_SIZE).toString());
  }

  @Test
  void rangeErrorFromAnOverridePointsAtTheSet() {
    assertRendered(() -> apply("experts=0", "group_size=7"),
        "--set experts=0: error: experts=0: must be at least 1; expected a positive integer");
    assertRendered(() -> apply("group_size=7"),
        "--set group_size=7: error: group_size = 7 does not divide batch * seq = 8 * 64 = 512; every group must be full:"
            + " use a divisor of 512 such as 4");
  }

  @Test
  void badSets() {
    assertRendered(() -> apply("batch", "=8", "batch=", "group_sise=2", "batch=x", "activation=\"gelu\""),
        "--set batch: error: expected name=value, got 'batch'; write --set batch=<value>, e.g. --set batch=8",
        "--set =8: error: expected name=value, got '=8'; write --set <field>=<value>, e.g. --set batch=8",
        "--set batch=: error: batch = : the value is missing; write --set batch=<value> (a positive integer)",
        "--set group_sise=2: error: group_sise = 2: unknown field 'group_sise' in switch_layer; did you mean 'group_size'?"
            + " known fields: batch, seq, d_model, d_ff, experts, group_size, capacity_factor, train_capacity_factor,"
            + " eval_capacity_factor, min_capacity, activation, activation_dtype, router_dtype, router_aux_loss_coef, init_scale, dispatch",
        "--set batch=x: error: batch = x: 'x' is not a number; expected a positive integer",
        "--set activation=\"gelu\": error: activation = \"gelu\": activation does not take a quoted string; expected one of"
            + " relu, gelu, geglu; remove the quotes");
  }

  @Test
  void fileErrorsAndSetErrorsAreReportedTogether() {
    assertRendered(() -> Overrides.load("s.swc", SPEC.replace("seq = 64", "seq = -1"), List.of("dispatch=scatter")),
        "s.swc:3:9: error: seq = -1: must be at least 1; expected a positive integer",
        "--set dispatch=scatter: error: dispatch = scatter: 'scatter' is not a valid value; expected one of gather, einsum");
    assertRendered(() -> Overrides.load("s.swc", "switch_layer { batch 8 }", List.of("batch=x")),
        "s.swc:1:22: error: expected '=' after field name 'batch', found '8'; write 'batch = <value>' (a positive integer)",
        "--set batch=x: error: batch = x: 'x' is not a number; expected a positive integer");
  }

  @Test
  void aSetCanFixAFileThatIsMissingARequiredField() {
    String noExperts = SPEC.replace("  experts = 8\n", "");
    assertEquals(8, Overrides.load("s.swc", noExperts, List.of("experts=8")).spec(SwitchLayerSpec.class).experts());
  }
}
