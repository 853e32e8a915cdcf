package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.DType;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.Func;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shard;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.SourceLoc;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sharding pass on the Switch layer: where communication appears, and what it refuses. */
class ShardingPassTest {
  static Mesh mesh(String spec) {
    List<MeshAxis> axes = new ArrayList<>();
    for (String part : spec.split(",")) {
      String[] kv = part.split("=");
      axes.add(new MeshAxis(kv[0], Integer.parseInt(kv[1])));
    }
    return new Mesh(axes);
  }

  static Located<SwitchLayerSpec> layer(DType dtype) {
    return Cases.layer(8, 16, 32, 64, 8, 16).capacityFactor(1.0).activationDtype(dtype).build();
  }

  static List<Op> collectives(ShardedFunc s) {
    return s.local().body().stream().filter(op -> op instanceof Op.AllReduce || op instanceof Op.AllToAll || op instanceof Op.AllGather
        || op instanceof Op.LocalSlice).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"data=2", "expert=4", "data=2,expert=2", "data=2,expert=4", "expert=2,model=2", "data=2,expert=2,model=2"})
  void oneAllToAllEachWayAndAllReducesOnlyWhereSumsCrossDevices(String meshSpec) {
    Mesh mesh = mesh(meshSpec);
    ShardedFunc s = Shard.run(SwitchLayerIr.build(layer(DType.F32), Mode.EVAL), mesh, DefaultLayout.forLayer(mesh));
    List<Op> all = collectives(s);
    List<Op.AllToAll> a2a = all.stream().filter(o -> o instanceof Op.AllToAll).map(o -> (Op.AllToAll) o).toList();
    if (mesh.has("expert")) {
      assertEquals(2, a2a.size(), "appendix F: one all-to-all to the experts, one back");
      assertEquals("experts_unsplit", a2a.get(0).splitDim());
      assertEquals("group", a2a.get(0).concatDim());
      assertEquals("group_unsplit", a2a.get(1).splitDim());
      assertEquals("experts", a2a.get(1).concatDim());
      a2a.forEach(o -> assertEquals("expert", o.axis()));
    } else {
      assertEquals(0, a2a.size());
    }
    assertTrue(all.stream().noneMatch(o -> o instanceof Op.AllGather || o instanceof Op.LocalSlice), "no resharding: " + all);
    List<Op.AllReduce> reduces = all.stream().filter(o -> o instanceof Op.AllReduce).map(o -> (Op.AllReduce) o).toList();
    long modelReduces = reduces.stream().filter(r -> r.axes().equals(List.of("model"))).count();
    assertEquals(mesh.has("model") ? 1 : 0, modelReduces, "the expert FFN's second matmul contracts the model-split d_ff");
    // aux loss, tokens per expert and the kept count sum over the groups of every batch-like axis
    List<String> batchAxes = mesh.axes().stream().map(MeshAxis::name).filter(a -> !a.equals("model")).toList();
    assertEquals(3, reduces.stream().filter(r -> r.axes().equals(batchAxes)).count());
  }

  /**
   * Found by ShardingPropertiesTest: on a mesh that lists 'expert' before another batch-like axis,
   * the default rules split the groups over (expert, data) with 'expert' major, and moving it to
   * the experts took an all-gather over data, the all-to-all and a slice. With 'expert' last in the
   * default rules the tokens move by one all-to-all each way, as on data=2,expert=2.
   */
  @ParameterizedTest
  @ValueSource(strings = {"expert=2,data=2", "expert=2,rows=2", "expert=2,data=2,model=2", "data=2,expert=2,rows=2", "expert=2,model=2,data=2"})
  void expertListedBeforeDataStillMovesTokensByOneAllToAllEachWay(String meshSpec) {
    oneAllToAllEachWayAndAllReducesOnlyWhereSumsCrossDevices(meshSpec);
  }

  @Test
  void withBf16ActivationsOnlyTheRoutersScalarStatisticsMoveAsF32() {
    Mesh mesh = mesh("data=2,expert=2,model=2");
    ShardedFunc s = Shard.run(SwitchLayerIr.build(layer(DType.BF16), Mode.EVAL), mesh, DefaultLayout.forLayer(mesh));
    for (Op op : collectives(s)) {
      DType dt = op.inputs().get(0).dtype();
      if (op.out().shape().rank() > 1) assertEquals(DType.BF16, dt, "activations move as bf16: " + op);
      else assertTrue(dt != DType.F32 || op.out().shape().elements() == 1, "f32 only for the aux loss scalar: " + op);
    }
  }

  static Layout rules(Map<String, List<String>> r) {
    Map<String, SourceLoc> where = new LinkedHashMap<>();
    int line = 1;
    for (String d : r.keySet()) {
      List<String> axes = r.get(d);
      where.put(d, new SourceLoc("m.swc", 20 + line++, 3, d + " = " + (axes.size() == 1 ? axes.get(0) : "(" + String.join(", ", axes) + ")")));
    }
    return new Layout(r, where);
  }

  static List<String> errors(Mesh mesh, Map<String, List<String>> r) {
    Func f = SwitchLayerIr.build(layer(DType.F32), Mode.EVAL);
    return assertThrows(CompileError.class, () -> Shard.run(f, mesh, rules(r))).diagnostics().stream().map(Diagnostic::render).toList();
  }

  @Test
  void experts_not_divisible_by_the_expert_axis() {
    assertEquals(List.of("m.swc:21:3: error: experts = expert: cannot shard dim 'experts' (8) over mesh axes (expert) of total size 3: 8 is not divisible by 3"
        + " (in parameter 'experts/wi' f32[experts=8, d_model=32, d_ff=64]); use a number of experts that is a multiple of 3, or choose"
        + " mesh axis sizes whose product divides 8, or map 'experts' to fewer axes"),
        errors(mesh("expert=3"), Map.of("experts", List.of("expert"))));
  }

  @Test
  void groups_not_divisible_by_the_batch_axes() {
    Map<String, List<String>> r = new LinkedHashMap<>();
    r.put("group", List.of("data"));
    List<String> e = errors(mesh("data=16"), r);
    assertEquals(1, e.size(), e.toString());
    assertTrue(e.get(0).startsWith("m.swc:21:3: error: group = data: cannot shard dim 'group' (8) over mesh axes (data) of total size 16: 8 is not divisible by 16"), e.get(0));
    assertTrue(e.get(0).endsWith("the number of groups is batch * seq / group_size = 8; make it a multiple of 16 (a smaller group_size or a larger batch),"
        + " or choose mesh axis sizes whose product divides 8, or map 'group' to fewer axes"), e.get(0));
  }

  @Test
  void two_dims_of_one_tensor_on_one_axis() {
    Map<String, List<String>> r = new LinkedHashMap<>();
    r.put("d_model", List.of("model"));
    r.put("d_ff", List.of("model"));
    assertEquals(List.of("m.swc:22:3: error: d_ff = model: dims 'd_model' and 'd_ff' of parameter 'experts/wi' f32[experts=8, d_model=32, d_ff=64] are both"
        + " mapped to mesh axis 'model' (rules at m.swc:21:3 and m.swc:22:3); an axis can split only one dim of a tensor: map one of them to another axis or to ()"),
        errors(mesh("model=2"), r));
  }

  @Test
  void unknown_axis() {
    assertEquals(List.of("m.swc:21:3: error: layout rule for 'experts' names mesh axis 'expret', but the mesh has only data=2,expert=2; use one of its axes or ()"),
        errors(mesh("data=2,expert=2"), Map.of("experts", List.of("expret"))));
  }

  @Test
  void a_dim_the_router_needs_whole() {
    List<String> e = errors(mesh("expert=2"), Map.of("experts_unsplit", List.of("expert")));
    assertTrue(e.get(0).startsWith("m.swc:21:3: error: experts_unsplit = expert: dim 'experts_unsplit' must stay whole on every device: the arg_max at "), e.toString());
  }
}
