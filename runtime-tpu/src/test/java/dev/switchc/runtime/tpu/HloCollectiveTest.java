package dev.switchc.runtime.tpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading collectives out of XLA's HLO text, in the forms XLA prints them. */
class HloCollectiveTest {
  @Test
  void readsOperandsAndGroupsOfEachForm() {
    String hlo = """
        HloModule m, entry_computation_layout={(f32[2,4]{1,0})->f32[2,4]{1,0}}, num_partitions=8
          %a = (f32[2,1,32]{2,1,0}, f32[2,1,32]{2,1,0}) all-to-all(f32[2,1,32]{2,1,0} %s, f32[2,1,32]{2,1,0} %t), channel_id=4, replica_groups={{0,1},{2,3}}, metadata={source_line=1}
          %b = (f32[], s32[8]{0}) all-reduce(f32[] %x, s32[8]{0} %y), channel_id=1, replica_groups=[2,4]<=[8], use_global_device_ids=true, to_apply=%sum
          %c = bf16[4,6]{1,0} all-gather(bf16[2,6]{1,0} %z), channel_id=2, replica_groups=[4,2]<=[2,4]T(1,0), dimensions={0}, use_global_device_ids=true
          %d = f32[4]{0} collective-permute-start(f32[4]{0} %w), channel_id=3, source_target_pairs={{0,1},{1,0}}
          %e = f32[4]{0} add(f32[4]{0} %w, f32[4]{0} %w)
        """;
    List<HloCollective> c = HloCollective.parse(hlo);
    assertEquals(List.of("all-to-all", "all-reduce", "all-gather", "collective-permute"), c.stream().map(HloCollective::opcode).toList());
    assertEquals(2 * 2 * 32 * 4, c.get(0).operandBytes());
    assertEquals(List.of(List.of(0, 1), List.of(2, 3)), c.get(0).groups());
    assertEquals(List.of(new HloCollective.Operand("f32", List.of()), new HloCollective.Operand("s32", List.of(8L))), c.get(1).operands());
    assertEquals(4 + 32, c.get(1).operandBytes());
    assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), c.get(1).groups());
    assertEquals(List.of(List.of(0, 4), List.of(1, 5), List.of(2, 6), List.of(3, 7)), c.get(2).groups());
    assertEquals(2 * 6 * 2, c.get(2).operandBytes());
    assertEquals(List.of(List.of(0, 1), List.of(1, 0)), c.get(3).groups());
  }

  @Test
  void iotaGroupsFollowXlasTransposeThenReshape() {
    // As numpy: arange(8).reshape(2,2,2).transpose(1,2,0), whose element (i,j,k) is (k,i,j) of the reshaped iota, then reshape(2,4).
    assertEquals(List.of(List.of(0, 4, 1, 5), List.of(2, 6, 3, 7)), HloCollective.iotaGroups(new int[] {2, 4}, new int[] {2, 2, 2}, new int[] {1, 2, 0}));
  }
}
