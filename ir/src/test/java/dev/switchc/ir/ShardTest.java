package dev.switchc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sharding pass's rules on small functions: which collective each layout change becomes. */
class ShardTest {
  static final Mesh MESH = Mesh.of(new MeshAxis("data", 2), new MeshAxis("model", 2));

  static Layout rules(Object... kv) {
    Map<String, List<String>> r = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> axes = (List<String>) kv[i + 1];
      r.put((String) kv[i], axes);
    }
    return new Layout(r, Map.of());
  }

  static List<String> ops(ShardedFunc s) {
    return s.local().body().stream().map(op -> IrPrinter.line(op, false)).toList();
  }

  @Test
  void contractingASplitDimEndsInAnAllReduce() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(new Dim("batch", 4), new Dim("d_ff", 8))));
    Value w = b.param("w", new TensorType(DType.F32, Shape.of(new Dim("d_ff", 8), new Dim("d_model", 2))));
    b.result("y", o.einsum(x, w, Shape.of(new Dim("batch", 4), new Dim("d_model", 2))));
    ShardedFunc s = Shard.run(b.build(), MESH, rules("batch", List.of("data"), "d_ff", List.of("model")));
    assertEquals(List.of(
        "%2 = einsum %0, %1 : f32[batch=2, d_model=2]",
        "%3 = all_reduce.sum[model] %2 : f32[batch=2, d_model=2]"), ops(s));
    assertEquals(List.of("model"), s.layoutOf(s.local().body().get(0).out()).partialOver());
    assertEquals(List.of(), s.layoutOf(s.local().body().get(1).out()).partialOver());
  }

  @Test
  void relabelMovesAnAxisWithAnAllToAll() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(new Dim("group", 4), new Dim("experts_unsplit", 8))));
    b.result("y", o.relabel(x, Shape.of(new Dim("group_unsplit", 4), new Dim("experts", 8))));
    ShardedFunc s = Shard.run(b.build(), MESH, rules("group", List.of("data", "model"), "group_unsplit", List.of("data"), "experts", List.of("model")));
    assertEquals(List.of(
        "%1 = all_to_all[split experts_unsplit, concat group over model] %0 : f32[group=2, experts_unsplit=4]",
        "%2 = relabel %1 : f32[group_unsplit=2, experts=4]"), ops(s));
  }

  @Test
  void relabelDropsAnAxisWithAnAllGatherAndAddsOneWithALocalSlice() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(new Dim("a", 4), new Dim("b", 8))));
    b.result("y", o.relabel(x, Shape.of(new Dim("c", 4), new Dim("d", 8))));
    ShardedFunc s = Shard.run(b.build(), MESH, rules("a", List.of("data"), "d", List.of("model")));
    assertEquals(List.of(
        "%1 = all_gather[a over data] %0 : f32[a=4, b=8]",
        "%2 = local_slice[b over model] %1 : f32[a=4, b=4]",
        "%3 = relabel %2 : f32[c=4, d=4]"), ops(s));
  }

  @Test
  void reshapeOfLeadingSplitDimsIsLocal() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(new Dim("batch", 4), new Dim("seq", 6))));
    b.result("y", o.reshape(x, Shape.of(new Dim("group", 8), new Dim("token", 3))));
    ShardedFunc s = Shard.run(b.build(), MESH, rules("batch", List.of("data"), "group", List.of("data")));
    assertEquals(List.of("%1 = reshape %0 : f32[group=4, token=3]"), ops(s));
  }

  @Test
  void reshapeThatCutsAcrossDevicesGoesThroughTheWholeTensor() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(new Dim("batch", 4), new Dim("seq", 6))));
    b.result("y", o.reshape(x, Shape.of(new Dim("group", 8), new Dim("token", 3))));
    ShardedFunc s = Shard.run(b.build(), MESH, rules("seq", List.of("model"), "group", List.of("data")));
    assertEquals(List.of(
        "%1 = all_gather[seq over model] %0 : f32[batch=4, seq=6]",
        "%2 = reshape %1 : f32[group=8, token=3]",
        "%3 = local_slice[group over data] %2 : f32[group=4, token=3]"), ops(s));
  }
}
