package dev.switchc.runtime.cpu.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.lowering.hlo.HloSharding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting global arrays into per-device shards by an XLA sharding, and putting them back. */
class TileMapTest {
  static final float[] GLOBAL = {0, 1, 2, 3, 4, 5, 6, 7}; // [4, 2]

  @Test
  void transposedDeviceOrderPutsEachTileOnItsDevice() {
    // devices=[2,1,2]<=[2,2]T(1,0) last_tile_dim_replicate on a 2x2 mesh: dim 0 split over mesh axis 1,
    // replicated over axis 0. Tile order is devices 0, 2, 1, 3: rows 0-1 on devices 0 and 2, rows 2-3 on 1 and 3.
    HloSharding s = new HloSharding(HloSharding.Kind.TILED, List.of(2L, 1L, 2L), List.of(2, 2), List.of(1, 0), true);
    assertEquals(List.of(0, 2, 1, 3), s.devices());
    TileMap m = TileMap.of(new long[] {4, 2}, s, 4);
    float[] stacked = m.shard(GLOBAL);
    assertArrayEquals(new float[] {0, 1, 2, 3, /* device 1 */ 4, 5, 6, 7, /* device 2 */ 0, 1, 2, 3, /* device 3 */ 4, 5, 6, 7}, stacked);
    assertArrayEquals(GLOBAL, m.assemble(stacked, "y"));
  }

  @Test
  void replicasThatDisagreeAreReported() {
    TileMap m = TileMap.of(new long[] {4, 2}, HloSharding.REPLICATED, 2);
    float[] stacked = m.shard(GLOBAL);
    stacked[8 + 5] = 99;
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.assemble(stacked, "aux_loss"));
    assertEquals("result 'aux_loss': devices 0 and 1 hold different values for element 5 (5.0 vs 99.0), though the sharding says they are replicas", e.getMessage());
  }

  @Test
  void replicaGroupsMustPartitionTheDevices() {
    assertTrue(assertThrows(IllegalStateException.class, () -> Groups.of(List.of(List.of(0, 1), List.of(1, 2)), 4, "all_to_all channel 3"))
        .getMessage().startsWith("all_to_all channel 3: device 1 is in two replica groups"));
    assertTrue(assertThrows(IllegalStateException.class, () -> Groups.of(List.of(List.of(0, 1)), 4, "all_reduce channel 1"))
        .getMessage().startsWith("all_reduce channel 1: device 2 is in no replica group"));
    assertTrue(assertThrows(IllegalStateException.class, () -> Groups.of(List.of(List.of(0, 1, 2), List.of(3)), 4, "x"))
        .getMessage().startsWith("x: replica groups differ in size"));
    Groups g = Groups.of(List.of(List.of(0, 2), List.of(1, 3)), 4, "ok");
    assertEquals(List.of(1, 3), g.groupOf(3));
    assertEquals(1, g.positionOf(3));
  }
}
