package dev.switchc.driver.report;

import static dev.switchc.driver.FuzzContract.assertUserFacing;
import static dev.switchc.frontend.fuzz.FuzzChecks.withinTimeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.io.Json;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.ir.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The four plan renderers on plans of small programs the fuzzer composes: a Switch layer or a
 * model (sizes, capacity, dispatch, dtypes, architecture), a mesh of up to three axes and some
 * layout rules, in either mode. Every field value is one the spec format accepts, though not
 * every combination is valid: a program the frontend rejects (a CompileError) is skipped. Each
 * plan must render in every format without an exception; the JSON must parse, and the protobuf
 * must read back to the same plan name. Seeds ({@code PlanRenderersFuzzTestInputs/renderPlans})
 * are fuzzer bytes, not readable specs.
 */
class PlanRenderersFuzzTest {
  private static final String[] AXES = {"data", "expert", "model"};

  @FuzzTest
  void renderPlans(FuzzedDataProvider data) throws Exception {
    boolean layer = data.consumeBoolean();
    String spec = layer ? layerSpec(data) : modelSpec(data);
    List<String> meshAxes = new ArrayList<>();
    for (String axis : AXES) if (data.consumeBoolean()) meshAxes.add(axis + "=" + data.pickValue(new int[] {1, 2, 4}));
    List<String> dims = (layer ? SwitchLayerSpec.KIND : ModelSpec.KIND).dimensions();
    List<String> rules = new ArrayList<>();
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      List<String> axes = new ArrayList<>();
      for (String axis : AXES) if (data.consumeBoolean()) axes.add(axis);
      rules.add(data.pickValue(dims) + "=" + String.join("+", axes));
    }
    Mode mode = data.consumeBoolean() ? Mode.TRAIN : Mode.EVAL;
    Optional<String> mesh = Optional.of(String.join(",", meshAxes));
    List<String> layouts = rules.isEmpty() ? List.of() : List.of(String.join(",", rules));
    withinTimeout(() -> {
      try {
        planAndRender(spec, mesh, layouts, mode);
      } catch (Exception | AssertionError e) {
        // The input is fuzzer bytes: say which program it made, so a finding can be reproduced by hand.
        throw new AssertionError("planning or rendering failed for\n" + spec + "--mesh " + mesh.get() + " --layout " + layouts + " " + mode, e);
      }
    });
  }

  private static void planAndRender(String spec, Optional<String> mesh, List<String> layouts, Mode mode) throws Exception {
    Plan plan;
    try {
      plan = Compilation.of(Overrides.load("fuzz.swc", spec, List.of(), mesh, layouts), mode).plan();
    } catch (RuntimeException e) {
      assertUserFacing(e); // a combination the frontend rejects, with a message users can read
      return;
    }
    assertFalse(PlanText.render(plan).isBlank());
    Json.parse(PlanJson.render(plan));
    assertFalse(PlanHtml.render(plan, PlanHtml.defaultTensors(plan)).isBlank());
    assertEquals(PlanProto.toProto(plan), dev.switchc.driver.report.proto.Plan.parseFrom(PlanProto.write(plan)));
  }

  private static String layerSpec(FuzzedDataProvider data) {
    int batch = data.consumeInt(1, 8), seq = data.consumeInt(1, 16);
    StringBuilder s = new StringBuilder("switch_layer {\n")
        .append(field("batch", batch)).append(field("seq", seq))
        .append(field("d_model", data.consumeInt(1, 32))).append(field("d_ff", data.consumeInt(1, 32)))
        .append(field("experts", data.consumeInt(1, 8)));
    if (data.consumeBoolean()) s.append(field("group_size", divisor(data, batch * seq)));
    if (data.consumeBoolean()) s.append(field("train_capacity_factor", decimal(data)));
    if (data.consumeBoolean()) s.append(field("eval_capacity_factor", decimal(data)));
    if (data.consumeBoolean()) s.append(field("min_capacity", data.consumeInt(0, 8)));
    if (data.consumeBoolean()) s.append(field("activation", data.pickValue(new String[] {"relu", "gelu"})));
    if (data.consumeBoolean()) s.append(field("activation_dtype", data.pickValue(new String[] {"f32", "bf16"})));
    if (data.consumeBoolean()) s.append(field("dispatch", data.pickValue(new String[] {"gather", "einsum"})));
    return s.append("}\n").toString();
  }

  private static String modelSpec(FuzzedDataProvider data) {
    int batch = data.consumeInt(1, 4), seq = data.consumeInt(1, 16), heads = data.consumeInt(1, 4);
    boolean decoderOnly = data.consumeBoolean();
    StringBuilder s = new StringBuilder("model {\n")
        .append(field("architecture", decoderOnly ? "decoder_only" : "encoder_decoder"))
        .append(field("vocab", data.consumeInt(1, 32))).append(field("d_model", heads * data.consumeInt(1, 8)))
        .append(field("d_ff", data.consumeInt(1, 32))).append(field("d_kv", data.consumeInt(1, 8)))
        .append(field("heads", heads)).append(field("layers", data.consumeInt(1, 2)))
        .append(field("ffn", data.pickValue(new String[] {"relu", "gelu"})))
        .append(field("batch", batch)).append(field("seq", seq));
    if (!decoderOnly) s.append(field("dec_seq", data.consumeInt(1, 8)));
    if (data.consumeBoolean()) {
      s.append(field("experts", data.consumeInt(1, 4))).append(field("switch_every", data.consumeInt(1, 2)))
          .append(field("group_size", divisor(data, batch * seq)));
      if (data.consumeBoolean()) s.append(field("capacity_factor", decimal(data)));
    }
    return s.append("}\n").toString();
  }

  private static String field(String name, Object value) {
    return "  " + name + " = " + value + "\n";
  }

  private static int divisor(FuzzedDataProvider data, int n) {
    List<Integer> divisors = new ArrayList<>();
    for (int d = 1; d <= n; d++) if (n % d == 0) divisors.add(d);
    return data.pickValue(divisors);
  }

  /** A capacity factor such as 0.5, 1.25 or 3.0. */
  private static String decimal(FuzzedDataProvider data) {
    return data.consumeInt(0, 4) + "." + data.pickValue(new String[] {"0", "25", "5", "75"});
  }
}
