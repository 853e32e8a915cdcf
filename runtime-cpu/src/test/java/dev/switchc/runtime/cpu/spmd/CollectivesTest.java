package dev.switchc.runtime.cpu.spmd;

import static dev.switchc.runtime.cpu.spmd.Spmd.f32;
import static dev.switchc.runtime.cpu.spmd.Spmd.i32;
import static dev.switchc.runtime.cpu.spmd.Spmd.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchc.ir.DType;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.cpu.spmd.Spmd.Arg;
import dev.switchc.runtime.cpu.spmd.Spmd.Body;
import dev.switchc.runtime.cpu.spmd.Spmd.Nd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each collective, partition_id and dynamic_slice on a 4-device mesh, run through the emulation on
 * XLA CPU, against plain-Java values written from the StableHLO definitions. Every module here takes
 * one argument and returns one result, both cut by rows (device d holds block d), so the global
 * arrays are the per-device ones concatenated in device order.
 */
class CollectivesTest {
  static final int N = 4;

  /** One-op body over a local input of type {@code local}; returns per-device outputs. */
  static float[][] run(HloType local, HloType localOut, BiFunction<HloValue, HloValue, HloOp> make, float[][] perDevice) {
    Body b = new Body();
    HloValue x = b.arg(local);
    HloValue y = b.op(localOut, r -> make.apply(r, x));
    return run(b, List.of(y), local, localOut, perDevice);
  }

  static float[][] run(Body b, List<HloValue> returns, HloType local, HloType localOut, float[][] perDevice) {
    Arg in = new Arg("x", global(local), rows(local.rank(), N)), out = new Arg("y", global(localOut), rows(localOut.rank(), N));
    HloModule m = Spmd.module(N, List.of(in), b.build(returns), List.of(out));
    float[] x = new float[0];
    for (float[] d : perDevice) x = concat(x, d);
    try (SpmdProgram p = SpmdProgram.load(m, Spmd.signature(List.of(in), List.of(out)))) {
      SpmdResult r = p.runDevices(Map.of("x", HostTensor.f32(Spmd.tensorType(in.global()).shape(), x)));
      float[][] got = new float[N][];
      float[] joined = new float[0];
      for (int d = 0; d < N; d++) {
        got[d] = r.device(d).get("y").floats();
        joined = concat(joined, got[d]);
      }
      assertArrayEquals(joined, r.global().get("y").floats(), "global result = device results in device order");
      return got;
    }
  }

  static HloType global(HloType local) {
    List<Long> dims = new ArrayList<>(local.dims());
    dims.set(0, dims.get(0) * N);
    return new HloType(local.dtype(), dims);
  }

  static float[] concat(float[] a, float[] b) {
    float[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** Device d holds {@code count} values 100 d + i. */
  static float[][] numbered(int count) {
    float[][] x = new float[N][count];
    for (int d = 0; d < N; d++) for (int i = 0; i < count; i++) x[d][i] = 100 * d + i;
    return x;
  }

  // ---- all_reduce ----

  static float[][] allReduce(List<List<Integer>> groups, HloOp.Combiner combiner, float[][] x) {
    return run(f32(x[0].length), f32(x[0].length), (r, in) -> new HloOp.AllReduce(r, in, groups, combiner, 1), x);
  }

  @Test
  void allReduceSumsOverItsOwnGroups() {
    float[][] x = {{0, 1, 2}, {10, 11, 12}, {20, 21, 22}, {30, 31, 32}};
    float[][] pairs = allReduce(List.of(List.of(0, 1), List.of(2, 3)), HloOp.Combiner.ADD, x);
    assertArrayEquals(new float[][] {{10, 12, 14}, {10, 12, 14}, {50, 52, 54}, {50, 52, 54}}, pairs);
    float[][] strided = allReduce(List.of(List.of(0, 2), List.of(1, 3)), HloOp.Combiner.ADD, x);
    assertArrayEquals(new float[][] {{20, 22, 24}, {40, 42, 44}, {20, 22, 24}, {40, 42, 44}}, strided);
  }

  @Test
  void allReduceAddsInGroupOrder() {
    // 1e8 + 1 rounds back to 1e8 in f32, so the order of the additions shows in the result.
    float[][] x = {{-1e8f}, {1}, {1}, {1e8f}};
    List<Integer> order = List.of(3, 1, 0, 2), other = List.of(2, 0, 1, 3);
    float a = ((x[3][0] + x[1][0]) + x[0][0]) + x[2][0], b = ((x[2][0] + x[0][0]) + x[1][0]) + x[3][0];
    assertNotEquals(a, b, "the test needs two orders that round differently");
    for (float[] d : allReduce(List.of(order), HloOp.Combiner.ADD, x)) assertEquals(a, d[0]);
    for (float[] d : allReduce(List.of(other), HloOp.Combiner.ADD, x)) assertEquals(b, d[0]);
  }

  @Test
  void allReduceMaxAndMin() {
    float[][] x = {{3, -1}, {7, -5}, {1, 9}, {2, 2}};
    List<List<Integer>> groups = List.of(List.of(0, 3), List.of(2, 1));
    assertArrayEquals(new float[][] {{3, 2}, {7, 9}, {7, 9}, {3, 2}}, allReduce(groups, HloOp.Combiner.MAX, x));
    assertArrayEquals(new float[][] {{2, -1}, {1, -5}, {1, -5}, {2, -1}}, allReduce(groups, HloOp.Combiner.MIN, x));
  }

  @Test
  void scalarAllReduceIntoAReplicatedResult() {
    // Every device holds the replicated scalar x, scales it by (its id + 1), and all of them sum:
    // the replicated result is 10 x on every device, and the replica check sees them agree.
    Body b = new Body();
    HloValue x = b.arg(f32());
    HloValue pid = b.op(new HloType(DType.U32, List.of()), HloOp.PartitionId::new);
    HloValue id = b.op(f32(), r -> new HloOp.Convert(r, pid));
    HloValue one = b.op(f32(), r -> new HloOp.Constant(r, 1));
    HloValue scale = b.op(f32(), r -> new HloOp.Elementwise(r, HloOp.ElementwiseFn.ADD, List.of(id, one)));
    HloValue part = b.op(f32(), r -> new HloOp.Elementwise(r, HloOp.ElementwiseFn.MULTIPLY, List.of(x, scale)));
    HloValue sum = b.op(f32(), r -> new HloOp.AllReduce(r, part, List.of(List.of(0, 1, 2, 3)), HloOp.Combiner.ADD, 1));
    Arg in = new Arg("x", f32(), HloSharding.REPLICATED), out = new Arg("y", f32(), HloSharding.REPLICATED);
    try (SpmdProgram p = SpmdProgram.load(Spmd.module(N, List.of(in), b.build(List.of(sum)), List.of(out)),
        Spmd.signature(List.of(in), List.of(out)))) {
      SpmdResult r = p.runDevices(Map.of("x", HostTensor.f32(dev.switchc.ir.Shape.SCALAR, new float[] {0.25f})));
      assertEquals(2.5f, r.global().get("y").floatAt(0));
      for (int d = 0; d < N; d++) assertEquals(2.5f, r.device(d).get("y").floatAt(0));
    }
  }

  // ---- all_gather ----

  /** result[d] = concat along dim of x[m] for m in d's group, in group order (plain Java). */
  static float[][] expectedAllGather(float[][] x, long[] local, List<List<Integer>> groups, int dim) {
    float[][] out = new float[N][];
    for (List<Integer> g : groups) {
      Nd joined = Nd.concat(g.stream().map(m -> Nd.of(x[m], local)).toList(), dim);
      for (int d : g) out[d] = joined.data();
    }
    return out;
  }

  static Stream<Arguments> allGatherCases() {
    return Stream.of(
        Arguments.of(List.of(List.of(0, 1), List.of(2, 3)), 1),
        Arguments.of(List.of(List.of(1, 0), List.of(3, 2)), 1),
        Arguments.of(List.of(List.of(0, 2), List.of(1, 3)), 0),
        Arguments.of(List.of(List.of(2, 0, 3, 1)), 1),
        Arguments.of(List.of(List.of(0, 1, 2, 3)), 0));
  }

  @ParameterizedTest(name = "groups {0}, dim {1}")
  @MethodSource("allGatherCases")
  void allGatherConcatenatesInGroupOrder(List<List<Integer>> groups, int dim) {
    long[] local = {2, 3};
    float[][] x = numbered(6);
    long[] out = local.clone();
    out[dim] *= groups.get(0).size();
    float[][] got = run(f32(local), f32(out), (r, in) -> new HloOp.AllGather(r, in, dim, groups, 2), x);
    assertArrayEquals(expectedAllGather(x, local, groups, dim), got);
  }

  @Test
  void allGatherLiteral() {
    float[][] x = {{0, 1}, {2, 3}, {4, 5}, {6, 7}}; // local [1, 2]
    float[][] got = run(f32(1, 2), f32(1, 4), (r, in) -> new HloOp.AllGather(r, in, 1, List.of(List.of(3, 0), List.of(1, 2)), 2), x);
    assertArrayEquals(new float[][] {{6, 7, 0, 1}, {2, 3, 4, 5}, {2, 3, 4, 5}, {6, 7, 0, 1}}, got);
  }

  // ---- all_to_all ----

  /**
   * Plain Java from the definition: with p the position of d in its group, result[d] is the
   * concatenation along c, over the members m in group order, of the p-th of k equal pieces of
   * x[m] along s.
   */
  static float[][] expectedAllToAll(float[][] x, long[] local, List<List<Integer>> groups, int s, int c) {
    int k = groups.get(0).size();
    float[][] out = new float[N][];
    for (List<Integer> g : groups)
      for (int p = 0; p < k; p++) {
        List<Nd> pieces = new ArrayList<>();
        for (int m : g) pieces.add(Nd.of(x[m], local).slice(s, p * (local[s] / k), local[s] / k));
        out[g.get(p)] = Nd.concat(pieces, c).data();
      }
    return out;
  }

  static Stream<Arguments> allToAllCases() {
    List<Arguments> out = new ArrayList<>();
    List<List<List<Integer>>> groupings = List.of(
        List.of(List.of(0, 1), List.of(2, 3)), List.of(List.of(0, 2), List.of(1, 3)), List.of(List.of(3, 1), List.of(0, 2)),
        List.of(List.of(0, 1, 2, 3)), List.of(List.of(2, 0, 3, 1)));
    int[][] splitConcat = {{0, 1}, {1, 0}, {0, 0}, {1, 1}, {2, 0}, {0, 2}};
    for (List<List<Integer>> g : groupings) for (int[] sc : splitConcat) out.add(Arguments.of(g, sc[0], sc[1]));
    return out.stream();
  }

  @ParameterizedTest(name = "groups {0}, split {1}, concat {2}")
  @MethodSource("allToAllCases")
  void allToAllFollowsItsGroups(List<List<Integer>> groups, int split, int concat) {
    long[] local = {4, 8, 4};
    int k = groups.get(0).size();
    float[][] x = numbered(128);
    long[] out = local.clone();
    out[split] /= k;
    out[concat] *= k;
    float[][] got = run(f32(local), f32(out), (r, in) -> new HloOp.AllToAll(r, in, split, concat, groups, 3), x);
    assertArrayEquals(expectedAllToAll(x, local, groups, split, concat), got);
  }

  @Test
  void allToAllLiteral() {
    // split_count 2, split dim 1, concat dim 0, groups [[0, 1], [2, 3]]: device 0 receives the left
    // halves of devices 0 and 1 stacked, device 1 the right halves.
    float[][] x = {{0, 1, 2, 3}, {10, 11, 12, 13}, {20, 21, 22, 23}, {30, 31, 32, 33}}; // local [1, 4]
    float[][] got = run(f32(1, 4), f32(2, 2), (r, in) -> new HloOp.AllToAll(r, in, 1, 0, List.of(List.of(0, 1), List.of(2, 3)), 3), x);
    assertArrayEquals(new float[][] {{0, 1, 10, 11}, {2, 3, 12, 13}, {20, 21, 30, 31}, {22, 23, 32, 33}}, got);
  }

  // ---- partition_id and dynamic_slice ----

  @Test
  void partitionIdIsTheDeviceNumber() {
    Body b = new Body();
    HloValue x = b.arg(f32(1));
    HloValue pid = b.op(new HloType(DType.U32, List.of()), HloOp.PartitionId::new);
    HloValue asFloat = b.op(f32(), r -> new HloOp.Convert(r, pid));
    HloValue row = b.op(f32(1), r -> new HloOp.Reshape(r, asFloat));
    HloValue y = b.op(f32(1), r -> new HloOp.Elementwise(r, HloOp.ElementwiseFn.ADD, List.of(row, x)));
    float[][] got = run(b, List.of(y), f32(1), f32(1), new float[][] {{0.5f}, {0.5f}, {0.5f}, {0.5f}});
    assertArrayEquals(new float[][] {{0.5f}, {1.5f}, {2.5f}, {3.5f}}, got);
  }

  /** Each device slices a replicated [12] at start = partition_id * step, size {@code size}. */
  static float[][] sliceByPartition(int step, int size, float[] whole) {
    Body b = new Body();
    HloValue x = b.arg(f32(whole.length));
    HloValue pid = b.op(new HloType(DType.U32, List.of()), HloOp.PartitionId::new);
    HloValue id = b.op(i32(), r -> new HloOp.Convert(r, pid));
    HloValue stride = b.op(i32(), r -> new HloOp.Constant(r, step));
    HloValue start = b.op(i32(), r -> new HloOp.Elementwise(r, HloOp.ElementwiseFn.MULTIPLY, List.of(id, stride)));
    HloValue y = b.op(f32(size), r -> new HloOp.DynamicSlice(r, x, List.of(start), List.of((long) size)));
    Arg in = new Arg("x", f32(whole.length), HloSharding.REPLICATED), out = new Arg("y", f32((long) N * size), rows(1, N));
    HloModule m = Spmd.module(N, List.of(in), b.build(List.of(y)), List.of(out));
    try (SpmdProgram p = SpmdProgram.load(m, Spmd.signature(List.of(in), List.of(out)))) {
      SpmdResult r = p.runDevices(Map.of("x", HostTensor.f32(Spmd.tensorType(in.global()).shape(), whole)));
      float[][] got = new float[N][];
      for (int d = 0; d < N; d++) got[d] = r.device(d).get("y").floats();
      return got;
    }
  }

  @Test
  void dynamicSliceByPartitionTakesEachDevicesPiece() {
    float[] whole = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    assertArrayEquals(new float[][] {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}}, sliceByPartition(3, 3, whole));
  }

  @Test
  void dynamicSliceStartsClampAsInStableHlo() {
    // start = 4 d, size 5 on [12]: device 2 asks for 8 and device 3 for 12; both clamp to 12 - 5 = 7.
    float[] whole = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    assertArrayEquals(new float[][] {{0, 1, 2, 3, 4}, {4, 5, 6, 7, 8}, {7, 8, 9, 10, 11}, {7, 8, 9, 10, 11}}, sliceByPartition(4, 5, whole));
  }

  @Test
  void noCollectiveOrPartitionIdReachesXla() {
    Body b = new Body();
    HloValue x = b.arg(f32(4, 8, 2));
    HloValue pid = b.op(new HloType(DType.U32, List.of()), HloOp.PartitionId::new);
    HloValue a = b.op(f32(4, 8, 2), r -> new HloOp.AllReduce(r, x, List.of(List.of(0, 1, 2, 3)), HloOp.Combiner.ADD, 1));
    HloValue g = b.op(f32(16, 8, 2), r -> new HloOp.AllGather(r, a, 0, List.of(List.of(0, 1, 2, 3)), 2));
    HloValue t = b.op(f32(4, 32, 2), r -> new HloOp.AllToAll(r, g, 0, 1, List.of(List.of(0, 1, 2, 3)), 3));
    Arg in = new Arg("x", f32(16, 8, 2), rows(3, N)), out = new Arg("y", f32(16, 32, 2), rows(3, N));
    HloModule emulated = SpmdEmulation.rewrite(Spmd.module(N, List.of(in), b.build(List.of(t)), List.of(out)));
    for (HloOp op : emulated.main().body())
      assertFalse(op instanceof HloOp.AllReduce || op instanceof HloOp.AllGather || op instanceof HloOp.AllToAll || op instanceof HloOp.PartitionId
          || op instanceof HloOp.ShardingCall || op instanceof HloOp.Call, op.toString());
    assertEquals(1, emulated.numPartitions());
    assertEquals(List.of(f32(N, 4, 8, 2)), emulated.main().args().stream().map(HloValue::type).toList());
    assertEquals(List.of(f32(N, 4, 32, 2)), emulated.main().returns().stream().map(HloValue::type).toList());
  }
}
