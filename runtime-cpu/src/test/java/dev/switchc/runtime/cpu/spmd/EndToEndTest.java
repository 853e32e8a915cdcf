package dev.switchc.runtime.cpu.spmd;

import dev.switchc.runtime.ShardedArrays;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.Shape;
import dev.switchc.ir.Shard;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import dev.switchc.lowering.Lower;
import dev.switchc.lowering.SpmdLower;
import dev.switchc.lowering.StableHlo;
import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole path: a FuncBuilder function, the sharding pass, the SPMD lowering, and the emulated
 * mesh on XLA CPU, against the unsharded program and plain Java.
 */
public class EndToEndTest {
  public static Mesh mesh(String spec) {
    List<MeshAxis> axes = new ArrayList<>();
    for (String part : spec.split(",")) {
      String[] kv = part.split("=");
      axes.add(new MeshAxis(kv[0], Integer.parseInt(kv[1])));
    }
    return new Mesh(axes);
  }

  /** "batch=data,d=model+data" (empty right side: whole). */
  public static Layout layout(String spec) {
    Map<String, List<String>> rules = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String[] kv = part.split("=", -1);
      rules.put(kv[0], kv[1].isEmpty() ? List.of() : List.of(kv[1].split("\\+")));
    }
    return new Layout(rules, Map.of());
  }

  public static TensorType f32(Object... nameSize) {
    List<Dim> dims = new ArrayList<>();
    for (int i = 0; i < nameSize.length; i += 2) dims.add(new Dim((String) nameSize[i], ((Number) nameSize[i + 1]).longValue()));
    return new TensorType(DType.F32, new Shape(dims));
  }

  /** Small integers as floats: every sum is exact, so any order of additions gives the same bits. */
  public static float[] smallInts(int n, long seed) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = r.nextInt(7) - 3;
    return out;
  }

  public static float[] gaussians(int n, long seed) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = (float) r.nextGaussian();
    return out;
  }

  public static Map<String, HostTensor> inputs(Func f, long seed, boolean exact) {
    Map<String, HostTensor> in = new LinkedHashMap<>();
    for (var p : f.params()) {
      TensorType t = p.value().type();
      int n = (int) t.shape().elements();
      in.put(p.name(), t.dtype() == DType.I32 ? HostTensor.i32(t.shape(), new int[n])
          : HostTensor.f32(t.shape(), exact ? smallInts(n, seed++) : gaussians(n, seed++)));
    }
    return in;
  }

  public static Map<String, HostTensor> unsharded(Func f, Map<String, HostTensor> in) {
    try (CpuProgram p = CpuProgram.load(StableHlo.compile(f))) {
      return p.run(in);
    }
  }

  static SpmdResult sharded(HloModule spmd, Func global, Map<String, HostTensor> in) {
    try (SpmdProgram p = SpmdProgram.load(spmd, Lower.signature(global))) {
      return p.runDevices(in);
    }
  }

  static List<String> kinds(HloModule spmd) {
    return spmd.functions().get(0).body().stream().map(op -> op.getClass().getSimpleName()).toList();
  }

  // ---- einsum over a split dim: partial sums and an all-reduce ----

  /** y[batch, f] = sum_d x[batch, d] w[d, f]. */
  public static Func einsum() {
    FuncBuilder b = new FuncBuilder("einsum");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", f32("batch", 4, "d", 8));
    Value w = b.param("w", f32("d", 8, "f", 6));
    b.result("y", o.einsum(x, w, f32("batch", 4, "f", 6).shape()));
    return b.build();
  }

  static Stream<Arguments> einsumMeshes() {
    return Stream.of(
        Arguments.of("model=2", "d=model"),
        Arguments.of("data=2,model=2", "batch=data,d=model"),
        Arguments.of("model=2,data=2", "batch=data,d=model"),
        Arguments.of("data=2,model=4", "batch=data,d=model"),
        Arguments.of("data=2,model=2", "d=model+data"),
        Arguments.of("data=2,model=2", "batch=model,d=data"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("einsumMeshes")
  void einsumOverASplitDimEqualsTheUnshardedProgram(String meshSpec, String layoutSpec) {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh(meshSpec), layout(layoutSpec)));
    assertTrue(kinds(spmd).contains("AllReduce"), "the contraction over a split dim needs an all-reduce: " + kinds(spmd));
    // exact: small integers sum exactly in any order
    Map<String, HostTensor> in = inputs(f, 1, true);
    Map<String, HostTensor> single = unsharded(f, in);
    SpmdResult r = sharded(spmd, f, in);
    assertEquals(single.get("y"), r.global().get("y"));
    assertArrayEquals(plainEinsum(in.get("x").floats(), in.get("w").floats(), 4, 8, 6), r.global().get("y").floats());
    // gaussian: only the order of additions differs
    Map<String, HostTensor> g = inputs(f, 7, false);
    float[] want = unsharded(f, g).get("y").floats(), got = sharded(spmd, f, g).global().get("y").floats();
    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5f * (1 + Math.abs(want[i])), "y[" + i + "]");
  }

  public static float[] plainEinsum(float[] x, float[] w, int b, int d, int f) {
    float[] y = new float[b * f];
    for (int i = 0; i < b; i++)
      for (int k = 0; k < f; k++) {
        double s = 0;
        for (int j = 0; j < d; j++) s += x[i * d + j] * w[j * f + k];
        y[i * f + k] = (float) s;
      }
    return y;
  }

  /** {@code spmd} with every collective's replica groups replaced. */
  public static HloModule withGroups(HloModule spmd, UnaryOperator<List<List<Integer>>> change) {
    HloFunc body = spmd.functions().get(0);
    List<HloOp> ops = body.body().stream().map(op -> {
      if (op instanceof HloOp.AllReduce a) return (HloOp) new HloOp.AllReduce(a.result(), a.operand(), change.apply(a.groups()), a.combiner(), a.channel());
      if (op instanceof HloOp.AllGather a) return new HloOp.AllGather(a.result(), a.operand(), a.dimension(), change.apply(a.groups()), a.channel());
      if (op instanceof HloOp.AllToAll a)
        return new HloOp.AllToAll(a.result(), a.operand(), a.splitDimension(), a.concatDimension(), change.apply(a.groups()), a.channel());
      return op;
    }).toList();
    HloFunc changed = new HloFunc(body.name(), body.args(), ops, body.returns());
    return new HloModule(spmd.name(), spmd.main(), List.of(changed), spmd.argNames(), spmd.resultNames(), spmd.numPartitions(),
        spmd.argShardings(), spmd.resultShardings());
  }

  /** [[0, 1], [2, 3]] becomes [[0, 2], [1, 3]]: the groups of the other axis of a 2x2 mesh. */
  public static List<List<Integer>> transposed(List<List<Integer>> groups) {
    List<List<Integer>> out = new ArrayList<>();
    for (int j = 0; j < groups.get(0).size(); j++) {
      List<Integer> g = new ArrayList<>();
      for (List<Integer> row : groups) g.add(row.get(j));
      out.add(g);
    }
    return out;
  }

  @Test
  void transposedAllReduceGroupsAreCaughtByTheReplicaCheck() {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("data=2,model=2"), layout("batch=data,d=model")));
    HloModule wrong = withGroups(spmd, EndToEndTest::transposed);
    assertEquals(List.of(List.of(0, 1), List.of(2, 3)), ((HloOp.AllReduce) spmd.functions().get(0).body().stream()
        .filter(op -> op instanceof HloOp.AllReduce).findFirst().orElseThrow()).groups());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sharded(wrong, f, inputs(f, 1, true)));
    assertTrue(e.getMessage().startsWith("result 'y': tile [0, 0] is held by devices 0 and 1, which disagree at local element"), e.getMessage());
  }

  // ---- relabels: all_to_all, all_gather, local slice ----

  /** Three relabels of x[a, b] (a split) that move data between devices but keep every value. */
  public static Func relabels(long a, long b) {
    FuncBuilder fb = new FuncBuilder("relabels");
    FuncBuilder.Ops fbo = fb.unlocated();
    Value x = fb.param("x", f32("a", a, "b", b));
    Value swapped = fbo.relabel(x, f32("a2", a, "b2", b).shape()); // a split -> b2 split: all_to_all
    Value whole = fbo.relabel(x, f32("a3", a, "b", b).shape()); // a split -> nothing split: all_gather
    Value split = fbo.relabel(whole, f32("a", a, "b", b).shape()); // nothing split -> a split: local slice
    fb.result("swapped", swapped);
    fb.result("whole", whole);
    fb.result("split", split);
    return fb.build();
  }

  static Stream<Arguments> relabelMeshes() {
    return Stream.of(Arguments.of("expert=2"), Arguments.of("expert=4"), Arguments.of("data=2,expert=2"), Arguments.of("expert=2,data=2"),
        Arguments.of("data=2,expert=4"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("relabelMeshes")
  void relabelsMoveDataWithoutChangingIt(String meshSpec) {
    Func f = relabels(8, 8);
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh(meshSpec), layout("a=expert,b2=expert")));
    List<String> kinds = kinds(spmd);
    for (String k : List.of("AllToAll", "AllGather", "DynamicSlice", "PartitionId")) assertTrue(kinds.contains(k), k + " in " + kinds);
    Map<String, HostTensor> in = inputs(f, 3, false);
    SpmdResult r = sharded(spmd, f, in);
    float[] x = in.get("x").floats();
    for (String name : List.of("swapped", "whole", "split")) assertArrayEquals(x, r.global().get(name).floats(), name);
    assertEquals(unsharded(f, in), r.global());
  }

  /** {@code spmd} with the all_to_all groups (only) replaced. */
  public static HloModule withAllToAllGroups(HloModule spmd, List<List<Integer>> groups) {
    HloFunc body = spmd.functions().get(0);
    List<HloOp> ops = body.body().stream().map(op -> op instanceof HloOp.AllToAll a
        ? new HloOp.AllToAll(a.result(), a.operand(), a.splitDimension(), a.concatDimension(), groups, a.channel()) : op).toList();
    return new HloModule(spmd.name(), spmd.main(), List.of(new HloFunc(body.name(), body.args(), ops, body.returns())), spmd.argNames(),
        spmd.resultNames(), spmd.numPartitions(), spmd.argShardings(), spmd.resultShardings());
  }

  @Test
  void allToAllOverTheWrongAxisBreaksTheReplicas() {
    // On data=2, expert=2 the all_to_all runs over expert, groups [[0, 1], [2, 3]]. Over data
    // instead ([[0, 2], [1, 3]]), devices 0 and 2, replicas of one tile of the result, end up
    // holding different pieces.
    Func f = relabels(8, 8);
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("data=2,expert=2"), layout("a=expert,b2=expert")));
    HloModule wrong = withAllToAllGroups(spmd, List.of(List.of(0, 2), List.of(1, 3)));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sharded(wrong, f, inputs(f, 3, false)));
    assertTrue(e.getMessage().startsWith("result 'swapped': tile [0, 0] is held by devices 0 and 2, which disagree"), e.getMessage());
  }

  @Test
  void allToAllInAnotherGroupOrderGivesWrongNumbers() {
    // On expert=4 nothing is replicated: a group listed in another order still gives every device a
    // well-formed tile, of the wrong data; only the numbers show it.
    Func f = relabels(8, 8);
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("expert=4"), layout("a=expert,b2=expert")));
    Map<String, HostTensor> in = inputs(f, 3, false);
    assertArrayEquals(in.get("x").floats(), sharded(spmd, f, in).global().get("swapped").floats());
    SpmdResult bad = sharded(withAllToAllGroups(spmd, List.of(List.of(0, 2, 1, 3))), f, in);
    assertFalse(java.util.Arrays.equals(in.get("x").floats(), bad.global().get("swapped").floats()), "the permuted group moved the wrong pieces");
    assertArrayEquals(in.get("x").floats(), bad.global().get("whole").floats(), "the other results do not use the all_to_all");
  }

  // ---- local ops: the stacked program equals each device's own run ----

  /** Most local op kinds, batch split over data: gather and scatter with out-of-range indices included. */
  public static Func localOps() {
    FuncBuilder b = new FuncBuilder("local_ops");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", f32("batch", 4, "seq", 6, "d", 5));
    Value w = b.param("w", f32("d", 5, "e", 3));
    Value table = b.param("table", f32("batch", 4, "vocab", 7, "d", 5));
    Value idx = b.param("idx", new TensorType(DType.I32, Shape.of(new Dim("batch", 4), new Dim("seq", 6))));
    Value logits = o.einsum(x, w, f32("batch", 4, "seq", 6, "e", 3).shape());
    Value top = o.argmax(logits, "e");
    Value oneHot = o.oneHot(top, new Dim("e", 3), DType.F32);
    Value position = o.cumsum(oneHot, "seq", true);
    Value running = o.cumsum(x, "seq", false);
    Value max = o.reduce(dev.switchc.ir.Op.ReduceFn.MAX, logits, "e");
    Value shifted = o.unary(dev.switchc.ir.Op.UnaryFn.EXP, o.sub(logits, max));
    Value rows = o.gather(table, Map.of("vocab", idx), f32("batch", 4, "seq", 6, "d", 5).shape());
    Value scattered = o.scatterAdd(table, x, Map.of("vocab", idx));
    Value positive = o.compare(dev.switchc.ir.Op.Cmp.GT, x, o.scalar(0, DType.F32));
    Value picked = o.select(positive, x, rows);
    Value flat = o.reshape(x, f32("batch", 4, "seq_d", 30).shape());
    Value iota = o.iota(DType.I32, Shape.of(new Dim("batch", 4), new Dim("seq", 6)), "seq");
    b.result("top", top);
    b.result("position", position);
    b.result("running", running);
    b.result("shifted", shifted);
    b.result("rows", rows);
    b.result("scattered", scattered);
    b.result("picked", picked);
    b.result("flat", flat);
    b.result("count", o.add(iota, o.cast(o.reduce(dev.switchc.ir.Op.ReduceFn.SUM, oneHot, "e"), DType.I32)));
    return b.build();
  }

  public static Map<String, HostTensor> localInputs(Func f) {
    Map<String, HostTensor> in = inputs(f, 11, false);
    int[] idx = new int[24];
    for (int i = 0; i < idx.length; i++) idx[i] = (i * 7) % 11 - 1; // -1..9: -1, 7, 8 and 9 are out of range for vocab = 7
    in.put("idx", HostTensor.i32(f.params().get(3).value().shape(), idx));
    return in;
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("localMeshes")
  void localOpsMatchEachDevicesOwnRun(String meshSpec, String layoutSpec) {
    Func f = localOps();
    ShardedFunc s = Shard.run(f, mesh(meshSpec), layout(layoutSpec));
    HloModule spmd = SpmdLower.run(s);
    HloFunc body = spmd.functions().get(0);
    for (HloOp op : body.body()) // the body runs on XLA as it is below: it must not hold a device op
      assertTrue(!(op instanceof HloOp.PartitionId || op instanceof HloOp.AllReduce || op instanceof HloOp.AllGather
          || op instanceof HloOp.AllToAll), op.toString());
    Map<String, HostTensor> in = localInputs(f);
    SpmdResult r;
    List<Map<String, HostTensor>> own = new ArrayList<>();
    try (SpmdProgram p = SpmdProgram.load(spmd, Lower.signature(f))) {
      r = p.runDevices(in);
      HloModule single = HloModule.single("device", new HloFunc("main", body.args(), body.body(), body.returns()), spmd.argNames(), spmd.resultNames());
      try (CpuProgram device = CpuProgram.load(new dev.switchc.lowering.CompiledModule(dev.switchc.lowering.StableHloPrinter.print(single),
          Lower.signature(s.local())))) {
        for (int d = 0; d < p.devices(); d++) {
          Map<String, HostTensor> shard = new LinkedHashMap<>();
          for (int i = 0; i < f.params().size(); i++) {
            String name = f.params().get(i).name();
            shard.put(name, deviceShard(p.inputLayout(i), in.get(name), s.local().params().get(i).value().type(), d));
          }
          own.add(device.run(shard));
        }
      }
    }
    for (int d = 0; d < own.size(); d++)
      for (String name : own.get(d).keySet()) {
        HostTensor want = own.get(d).get(name), got = r.device(d).get(name);
        assertEquals(want.type(), got.type(), name);
        if (want.dtype() == DType.I32) assertArrayEquals(want.ints(), got.ints(), name + " on device " + d);
        else assertArrayEquals(want.floats(), got.floats(), 1e-6f, name + " on device " + d);
      }
    Map<String, HostTensor> single = unsharded(f, in);
    for (String name : single.keySet())
      if (single.get(name).dtype() == DType.I32) assertArrayEquals(single.get(name).ints(), r.global().get(name).ints(), name);
      else assertArrayEquals(single.get(name).floats(), r.global().get(name).floats(), 1e-6f, name);
  }

  static Stream<Arguments> localMeshes() {
    return Stream.of(Arguments.of("data=2", "batch=data"), Arguments.of("data=4", "batch=data"),
        Arguments.of("model=2,data=2", "batch=data")); // replicated over model: the replicas must agree
  }

  /** Device d's shard of a global input, as the body's argument type. */
  static HostTensor deviceShard(ShardedArrays layout, HostTensor global, TensorType local, int d) {
    int n = (int) local.shape().elements();
    if (global.dtype() == DType.I32) return HostTensor.i32(local.shape(), java.util.Arrays.copyOfRange(layout.shard(global.ints()), d * n, (d + 1) * n));
    return HostTensor.f32(local.shape(), java.util.Arrays.copyOfRange(layout.shard(global.floats()), d * n, (d + 1) * n));
  }

  // ---- the program's own checks ----

  @Test
  void runChecksItsInputsAgainstTheGlobalSignature() {
    Func f = einsum();
    try (SpmdProgram p = SpmdProgram.load(SpmdLower.run(Shard.run(f, mesh("data=2,model=2"), layout("batch=data,d=model"))), Lower.signature(f))) {
      assertEquals("f32[device=4, batch=2, d=4]", p.stackedSignature().inputs().get(0).type().toString());
      Map<String, HostTensor> in = new LinkedHashMap<>();
      in.put("x", HostTensor.f32(f32("d", 8, "batch", 4).shape(), new float[32]));
      in.put("bias", HostTensor.f32(Shape.SCALAR, new float[1]));
      RuntimeInputException e = assertThrows(RuntimeInputException.class, () -> p.run(in));
      assertEquals("SpmdProgram.run rejected its inputs; nothing was run:\n"
          + "  - input 'x': expected global f32[batch=4, d=8], got f32[d=8, batch=4] (same dimensions in another order; lay the data out in the expected order)\n"
          + "  - missing input 'w' (expected global f32[d=8, f=6])\n"
          + "  - unexpected input 'bias' (the inputs are [x, w])", e.getMessage());
    }
  }

  @Test
  void loadChecksTheSignatureAgainstTheModule() {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("model=2"), layout("d=model")));
    FuncBuilder b = new FuncBuilder("other");
    FuncBuilder.Ops o = b.unlocated();
    b.result("y", b.param("x", f32("batch", 4, "d", 5)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpmdProgram.load(spmd, Lower.signature(b.build())));
    assertEquals("the signature does not match SPMD module @einsum:\n"
        + "  - main has 2 arguments, the signature 1\n"
        + "  - result 0 ('y') is tensor<4x6xf32> in the module, f32[batch=4, d=5] in the signature", e.getMessage());
  }
}
