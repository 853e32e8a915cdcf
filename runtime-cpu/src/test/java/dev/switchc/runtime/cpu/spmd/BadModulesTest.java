package dev.switchc.runtime.cpu.spmd;

import static dev.switchc.runtime.cpu.spmd.Spmd.f32;
import static dev.switchc.runtime.cpu.spmd.Spmd.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import dev.switchc.runtime.cpu.spmd.Spmd.Arg;
import dev.switchc.runtime.cpu.spmd.Spmd.Body;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Modules the emulation refuses rather than run unfaithfully, with the message naming the body op,
 * the attribute and the problem. Nothing here reaches XLA.
 */
class BadModulesTest {
  static final int N = 4;

  static String rejected(HloType local, HloType localOut, BiFunction<HloValue, HloValue, HloOp> make) {
    Body b = new Body();
    HloValue x = b.arg(local);
    HloValue y = b.op(localOut, r -> make.apply(r, x));
    HloModule m = Spmd.module(N, List.of(new Arg("x", CollectivesTest.global(local), rows(local.rank(), N))), b.build(List.of(y)),
        List.of(new Arg("y", CollectivesTest.global(localOut), rows(localOut.rank(), N))));
    return assertThrows(IllegalStateException.class, () -> SpmdEmulation.rewrite(m)).getMessage();
  }

  static String allReduce(List<List<Integer>> groups) {
    return rejected(f32(2), f32(2), (r, x) -> new HloOp.AllReduce(r, x, groups, HloOp.Combiner.ADD, 7));
  }

  @Test
  void allReduce_deviceInTwoGroups() {
    assertEquals("@shmap_body op 0: all_reduce (channel 7): partition 1 is in replica group 0 and again in group 1 in [[0, 1], [1, 2]];"
        + " every partition must be in exactly one group", allReduce(List.of(List.of(0, 1), List.of(1, 2))));
  }

  @Test
  void allReduce_deviceInNoGroup() {
    assertEquals("@shmap_body op 0: all_reduce (channel 7): partitions [2, 3] are in no replica group of [[0, 1]];"
        + " every one of the 4 partitions must be in exactly one group", allReduce(List.of(List.of(0, 1))));
  }

  @Test
  void allReduce_groupsOfDifferentSizes() {
    assertEquals("@shmap_body op 0: all_reduce (channel 7): replica groups must all have one size, but group 0 has 3 devices and group 1 has 1"
        + " in [[0, 1, 2], [3]]", allReduce(List.of(List.of(0, 1, 2), List.of(3))));
  }

  @Test
  void allReduce_partitionOutsideTheMesh() {
    assertEquals("@shmap_body op 0: all_reduce (channel 7): replica group 1 names partition 4, outside the mesh's 4 partitions 0..3"
        + " in [[0, 1], [2, 4]]", allReduce(List.of(List.of(0, 1), List.of(2, 4))));
  }

  @Test
  void allReduce_noGroups() {
    assertEquals("@shmap_body op 0: all_reduce (channel 7): has no replica_groups; the emulation needs every one of the 4 partitions listed"
        + " in exactly one group", allReduce(List.of()));
  }

  @Test
  void allGather_deviceInTwoGroups() {
    String m = rejected(f32(2), f32(4), (r, x) -> new HloOp.AllGather(r, x, 0, List.of(List.of(0, 1), List.of(0, 3)), 5));
    assertEquals("@shmap_body op 0: all_gather (channel 5): partition 0 is in replica group 0 and again in group 1 in [[0, 1], [0, 3]];"
        + " every partition must be in exactly one group", m);
  }

  @Test
  void allGather_resultTypeDoesNotMatchTheGroupSize() {
    String m = rejected(f32(2), f32(8), (r, x) -> new HloOp.AllGather(r, x, 0, List.of(List.of(0, 1), List.of(2, 3)), 5));
    assertEquals("@shmap_body op 0: all_gather (channel 5): result type tensor<8xf32> should be tensor<4xf32>,"
        + " the operand's type with dim 0 times the group size 2", m);
  }

  @Test
  void allToAll_splitDimNotDivisibleBySplitCount() {
    String m = rejected(f32(3, 4), f32(1, 16), (r, x) -> new HloOp.AllToAll(r, x, 0, 1, List.of(List.of(0, 1, 2, 3)), 3));
    assertEquals("@shmap_body op 0: all_to_all (channel 3): split dimension 0 has size 3, not divisible by split_count 4", m);
  }

  @Test
  void allToAll_groupsOfDifferentSizes() {
    // split_count is spelt from the first group's size; the others must match it.
    String m = rejected(f32(4, 4), f32(2, 8), (r, x) -> new HloOp.AllToAll(r, x, 0, 1, List.of(List.of(0, 1), List.of(2), List.of(3)), 3));
    assertEquals("@shmap_body op 0: all_to_all (channel 3): replica groups must all have one size, but group 0 has 2 devices and group 1 has 1"
        + " in [[0, 1], [2], [3]]", m);
  }

  @Test
  void allToAll_resultTypeDoesNotMatch() {
    String m = rejected(f32(4, 4), f32(4, 4), (r, x) -> new HloOp.AllToAll(r, x, 0, 1, List.of(List.of(0, 1), List.of(2, 3)), 3));
    assertEquals("@shmap_body op 0: all_to_all (channel 3): result type tensor<4x4xf32> should be tensor<2x8xf32>,"
        + " the operand's type with dim 0 divided and dim 1 multiplied by split_count 2", m);
  }

  @Test
  void entry_bodyShapeIsNotTheShardingsTile() {
    Body b = new Body();
    HloValue x = b.arg(f32(3));
    HloModule m = Spmd.module(N, List.of(new Arg("x", f32(8), rows(1, N))), b.build(List.of(x)), List.of(new Arg("y", f32(12), rows(1, N))));
    assertEquals("SPMD module @test: argument 0 ('x'): the sharding {devices=[4]<=[4]} cuts tensor<8xf32> into tiles tensor<2xf32>,"
        + " but the body's per-device value is tensor<3xf32>", assertThrows(IllegalStateException.class, () -> SpmdEmulation.rewrite(m)).getMessage());
  }

  @Test
  void entry_argumentsPassedInAnotherOrder() {
    Body b = new Body();
    HloValue x = b.arg(f32(2)), z = b.arg(f32(2));
    List<Arg> in = List.of(new Arg("x", f32(8), rows(1, N)), new Arg("z", f32(8), rows(1, N)));
    HloModule m = Spmd.module(N, in, b.build(List.of(x)), List.of(new Arg("y", f32(8), rows(1, N))));
    // swap the call's operands: argument 0 now feeds the body's argument 1
    List<HloOp> ops = new java.util.ArrayList<>(m.main().body());
    int call = ops.size() - 3;
    HloOp.Call c = (HloOp.Call) ops.get(call);
    ops.set(call, new HloOp.Call(c.results(), c.callee(), List.of(c.operands().get(1), c.operands().get(0))));
    HloModule swapped = new HloModule(m.name(), new HloFunc("main", m.main().args(), ops, m.main().returns()), m.functions(), m.argNames(),
        m.resultNames(), N, m.argShardings(), m.resultShardings());
    assertEquals("SPMD module @test: argument 0 ('x'): operand 0 of the call to @shmap_body does not come from main's argument 0",
        assertThrows(IllegalStateException.class, () -> SpmdEmulation.rewrite(swapped)).getMessage());
  }

  @Test
  void entry_shardingCallDisagreesWithTheArgumentSharding() {
    Body b = new Body();
    HloValue x = b.arg(f32(8));
    HloModule m = Spmd.module(N, List.of(new Arg("x", f32(8), HloSharding.REPLICATED)), b.build(List.of(x)),
        List.of(new Arg("y", f32(8), HloSharding.REPLICATED)));
    HloModule other = new HloModule(m.name(), m.main(), m.functions(), m.argNames(), m.resultNames(), N, List.of(rows(1, N)), m.resultShardings());
    assertEquals("SPMD module @test: argument 0 ('x') must pass @Sharding {devices=[4]<=[4]} before @SPMDFullToShardShape,"
        + " but it comes from @Sharding {replicated}", assertThrows(IllegalStateException.class, () -> SpmdEmulation.rewrite(other)).getMessage());
  }
}
