package dev.switchc.frontend.spec;

import dev.switchc.frontend.SwitchLayerSpec;
import static dev.switchc.frontend.spec.LayoutAssertions.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.SourceLoc;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default layout on the meshes of the paper's data, expert and model parallelism (sections 5.4-5.5). */
class DefaultLayoutTest {
  private static Layout defaults(String mesh) {
    return DefaultLayout.forLayer(ShardingFlags.parseMesh(mesh).value(), "m.swc");
  }

  @Test
  void singleDeviceKeepsEverythingWhole() {
    assertEquals("""
        batch = ()
        seq = ()
        d_model = ()
        d_ff = ()
        experts = ()
        group = ()
        token = ()
        expert_capacity = ()
        experts_unsplit = ()
        group_unsplit = ()
        """, rules(DefaultLayout.forLayer(Mesh.SINGLE, "m.swc")));
  }

  @Test
  void dataParallel() {
    assertEquals("""
        batch = data
        seq = ()
        d_model = ()
        d_ff = ()
        experts = ()
        group = data
        token = ()
        expert_capacity = ()
        experts_unsplit = ()
        group_unsplit = data
        """, rules(defaults("data=2")));
  }

  @Test
  void expertParallel() {
    assertEquals("""
        batch = expert
        seq = ()
        d_model = ()
        d_ff = ()
        experts = expert
        group = expert
        token = ()
        expert_capacity = ()
        experts_unsplit = ()
        group_unsplit = ()
        """, rules(defaults("expert=4")));
  }

  @Test
  void dataAndExpertParallel() {
    assertEquals("""
        batch = (data, expert)
        seq = ()
        d_model = ()
        d_ff = ()
        experts = expert
        group = (data, expert)
        token = ()
        expert_capacity = ()
        experts_unsplit = ()
        group_unsplit = data
        """, rules(defaults("data=2,expert=4")));
  }

  @Test
  void expertAndModelParallel() {
    assertEquals("""
        batch = expert
        seq = ()
        d_model = ()
        d_ff = model
        experts = expert
        group = expert
        token = ()
        expert_capacity = ()
        experts_unsplit = ()
        group_unsplit = ()
        """, rules(defaults("expert=2,model=2")));
  }

  @Test
  void dataExpertAndModelParallel() {
    assertEquals("""
        batch = (data, expert)
        seq = ()
        d_model = ()
        d_ff = model
        experts = expert
        group = (data, expert)
        token = ()
        expert_capacity = ()
        experts_unsplit = ()
        group_unsplit = data
        """, rules(defaults("data=2,expert=2,model=2")));
  }

  /**
   * The all-to-all to the experts moves 'expert' from the groups to the experts; only a dim's minor
   * axis moves without regrouping, so 'expert' goes last wherever the mesh lists it (found by
   * ShardingPropertiesTest: with 'expert' major, each all-to-all came with an all-gather and a slice).
   */
  @Test
  void batchLikeAxesFollowTheMeshOrderAndAnyNameWithExpertLast() {
    Layout l = defaults("expert=2,replica=2,data=2,model=2");
    assertEquals(List.of("replica", "data", "expert"), l.axes("batch"));
    assertEquals(List.of("replica", "data", "expert"), l.axes("group"));
    assertEquals(List.of("replica", "data"), l.axes("group_unsplit"));
    assertEquals(List.of("model"), l.axes("d_ff"));
  }

  @Test
  void modelOnlySplitsTheExpertFfn() {
    Layout l = defaults("model=4");
    assertEquals(List.of("model"), l.axes("d_ff"));
    assertEquals(List.of(), l.axes("batch"));
    assertEquals(List.of(), l.axes("group"));
  }

  @Test
  void defaultsAreLocatedAtLineZeroOfTheFileAndSaySo() {
    Layout l = defaults("data=2,expert=4");
    assertEquals(new SourceLoc("m.swc", 0, 0, "default rule group = (data, expert)"), l.whereOf("group"));
    assertEquals(new SourceLoc("m.swc", 0, 0, "default rule experts = expert"), l.whereOf("experts"));
    assertEquals(new SourceLoc("m.swc", 0, 0, "default rule d_model = ()"), l.whereOf("d_model"));
    for (String dim : l.rules().keySet()) assertEquals(dev.switchc.ir.RuleOrigin.DEFAULT, l.originOf(dim), dim);
  }

  @Test
  void dimensionsAreTheLayersIrDimensions() throws Exception {
    var dims = SwitchLayerIr.LayerDims.of(SwitchLayer.builder().batch(2).seq(4).dModel(8).dFf(16).experts(2).build().value(), Mode.EVAL);
    List<String> names = Arrays.stream(SwitchLayerIr.LayerDims.class.getRecordComponents()).map(c -> {
      try {
        return ((Dim) c.getAccessor().invoke(dims)).name();
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }).toList();
    assertEquals(names, SwitchLayerSpec.KIND.dimensions());
  }
}
