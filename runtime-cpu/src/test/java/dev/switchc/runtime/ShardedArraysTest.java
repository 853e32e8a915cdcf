package dev.switchc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.hlo.HloSharding;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cutting global arrays into per-device shards by an XLA sharding, and assembling them back. */
class ShardedArraysTest {
  /** [4, 4] holding 0..15 row-major. */
  static final float[] GLOBAL = new float[16];

  static {
    for (int i = 0; i < 16; i++) GLOBAL[i] = i;
  }

  static HloSharding tiled(List<Long> tiles, List<Integer> mesh, List<Integer> perm, boolean replicate) {
    return new HloSharding(HloSharding.Kind.TILED, tiles, mesh, perm, replicate);
  }

  static float[] stacked(float[]... perDevice) {
    int n = 0;
    for (float[] d : perDevice) n += d.length;
    float[] out = new float[n];
    int at = 0;
    for (float[] d : perDevice) {
      System.arraycopy(d, 0, out, at, d.length);
      at += d.length;
    }
    return out;
  }

  // the four 2x2 quadrants of GLOBAL
  static final float[] TOP_LEFT = {0, 1, 4, 5}, TOP_RIGHT = {2, 3, 6, 7}, BOTTOM_LEFT = {8, 9, 12, 13}, BOTTOM_RIGHT = {10, 11, 14, 15};

  @Test
  void tiledInIotaOrder() {
    ShardedArrays a = ShardedArrays.of(List.of(4L, 4L), tiled(List.of(2L, 2L), List.of(4), List.of(0), false), 4);
    assertEquals(List.of(2L, 2L), a.localDims());
    assertArrayEquals(stacked(TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT), a.shard(GLOBAL));
    assertArrayEquals(GLOBAL, a.assemble(a.shard(GLOBAL), "y"));
  }

  @Test
  void tiledInTransposedDeviceOrder() {
    // devices=[2,2]<=[2,2]T(1,0): tiles in row-major order go to devices 0, 2, 1, 3.
    HloSharding s = tiled(List.of(2L, 2L), List.of(2, 2), List.of(1, 0), false);
    assertEquals("{devices=[2,2]<=[2,2]T(1,0)}", s.spell());
    assertEquals(List.of(0, 2, 1, 3), s.devices());
    ShardedArrays a = ShardedArrays.of(List.of(4L, 4L), s, 4);
    assertEquals(List.of(1L, 0L), a.tileOf(1));
    assertArrayEquals(stacked(TOP_LEFT, BOTTOM_LEFT, TOP_RIGHT, BOTTOM_RIGHT), a.shard(GLOBAL));
    assertArrayEquals(GLOBAL, a.assemble(a.shard(GLOBAL), "y"));
  }

  @Test
  void lastTileDimReplicate() {
    // devices=[2,1,2]<=[4] last_tile_dim_replicate: rows 0-1 on devices 0 and 1, rows 2-3 on 2 and 3.
    ShardedArrays a = ShardedArrays.of(List.of(4L, 4L), tiled(List.of(2L, 1L, 2L), List.of(4), List.of(0), true), 4);
    float[] top = {0, 1, 2, 3, 4, 5, 6, 7}, bottom = {8, 9, 10, 11, 12, 13, 14, 15};
    assertArrayEquals(stacked(top, top, bottom, bottom), a.shard(GLOBAL));
    assertArrayEquals(GLOBAL, a.assemble(a.shard(GLOBAL), "y"));
  }

  @Test
  void lastTileDimReplicateInTransposedOrder() {
    // devices=[2,1,2]<=[2,2]T(1,0) last_tile_dim_replicate on mesh (a=2, b=2): rows split over b,
    // replicated over a. Tile order 0, 2 | 1, 3: rows 0-1 on devices 0 and 2, rows 2-3 on 1 and 3.
    HloSharding s = tiled(List.of(2L, 1L, 2L), List.of(2, 2), List.of(1, 0), true);
    ShardedArrays a = ShardedArrays.of(List.of(4L, 4L), s, 4);
    float[] top = {0, 1, 2, 3, 4, 5, 6, 7}, bottom = {8, 9, 10, 11, 12, 13, 14, 15};
    assertArrayEquals(stacked(top, bottom, top, bottom), a.shard(GLOBAL));
    assertArrayEquals(GLOBAL, a.assemble(a.shard(GLOBAL), "y"));
  }

  @Test
  void replicated() {
    ShardedArrays a = ShardedArrays.of(List.of(4L, 4L), HloSharding.REPLICATED, 3);
    assertArrayEquals(stacked(GLOBAL, GLOBAL, GLOBAL), a.shard(GLOBAL));
    assertArrayEquals(GLOBAL, a.assemble(a.shard(GLOBAL), "y"));
    ShardedArrays scalar = ShardedArrays.of(List.of(), HloSharding.REPLICATED, 2);
    assertArrayEquals(new int[] {7, 7}, scalar.shard(new int[] {7}));
    assertArrayEquals(new int[] {7}, scalar.assemble(new int[] {7, 7}, "count"));
  }

  static Stream<Arguments> roundTrips() {
    return Stream.of(
        Arguments.of(List.of(8L, 6L, 4L), tiled(List.of(2L, 1L, 4L), List.of(8), List.of(0), false), 8),
        Arguments.of(List.of(8L, 6L, 4L), tiled(List.of(4L, 3L, 1L), List.of(3, 4), List.of(1, 0), false), 12),
        Arguments.of(List.of(8L, 6L, 4L), tiled(List.of(1L, 2L, 2L, 2L), List.of(2, 2, 2), List.of(2, 0, 1), true), 8),
        Arguments.of(List.of(8L, 6L, 4L), tiled(List.of(2L, 1L, 1L, 4L), List.of(2, 2, 2), List.of(1, 2, 0), true), 8),
        Arguments.of(List.of(5L), tiled(List.of(1L, 3L), List.of(3), List.of(0), true), 3));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("roundTrips")
  void shardThenAssembleIsTheIdentity(List<Long> dims, HloSharding s, int devices) {
    ShardedArrays a = ShardedArrays.of(dims, s, devices);
    int n = (int) dims.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    int[] global = new int[n];
    for (int i = 0; i < n; i++) global[i] = 1000 + i;
    int[] shards = a.shard(global);
    assertEquals(devices * a.localDims().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact), shards.length);
    assertArrayEquals(global, a.assemble(shards, "y"));
    // every device holds its own tile: its first element is at tile * local in the global array
    for (int d = 0; d < devices; d++) {
      long g = 0;
      for (int i = 0; i < dims.size(); i++) g = g * dims.get(i) + a.tileOf(d).get(i) * a.localDims().get(i);
      assertEquals(1000 + g, shards[d * (shards.length / devices)], "first element of device " + d);
    }
  }

  @Test
  void replicasThatDisagreeAreReported() {
    // devices=[2,1,2]<=[2,2]T(1,0) last_tile_dim_replicate: tile [1, 0] (rows 2-3) is on devices 1 and 3.
    HloSharding s = tiled(List.of(2L, 1L, 2L), List.of(2, 2), List.of(1, 0), true);
    ShardedArrays a = ShardedArrays.of(List.of(4L, 4L), s, 4);
    float[] shards = a.shard(GLOBAL);
    shards[3 * 8 + 6] = -0f; // device 3, local [1, 2], global [3, 2] = 14
    assertEquals("result 'aux_loss': tile [1, 0] is held by devices 1 and 3, which disagree at local element [1, 2] (global [3, 2]):"
        + " 14.0 on device 1, -0.0 on device 3; the sharding {devices=[2,1,2]<=[2,2]T(1,0) last_tile_dim_replicate} says they are replicas",
        assertThrows(IllegalStateException.class, () -> a.assemble(shards, "aux_loss")).getMessage());
  }

  @Test
  void replicasAreComparedBitwise() {
    ShardedArrays a = ShardedArrays.of(List.of(1L), HloSharding.REPLICATED, 2);
    // +0 and -0 compare equal as floats but are different bits
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.assemble(new float[] {0f, -0f}, "y"));
    assertEquals("result 'y': tile [0] is held by devices 0 and 1, which disagree at local element [0] (global [0]): 0.0 on device 0,"
        + " -0.0 on device 1; the sharding {replicated} says they are replicas", e.getMessage());
    float nan = Float.intBitsToFloat(0x7fc00001);
    assertArrayEquals(new float[] {nan}, a.assemble(new float[] {nan, nan}, "y")); // the same NaN bits agree
  }

  @Test
  void tensorsKeepTheirDimNames() {
    ShardedArrays a = ShardedArrays.of(List.of(4L, 4L), tiled(List.of(2L, 1L, 2L), List.of(2, 2), List.of(1, 0), true), 4);
    TensorType global = new TensorType(dev.switchc.ir.DType.F32, Shape.of(new Dim("batch", 4), new Dim("d_model", 4)));
    HostTensor s = a.shard(HostTensor.f32(global.shape(), GLOBAL), "device");
    assertEquals("f32[device=4, batch=2, d_model=4]", s.type().toString());
    assertEquals(HostTensor.f32(global.shape(), GLOBAL), a.assemble(s, global, "y"));
  }

  @Test
  void shardingsThatDoNotFitAreRefused() {
    assertEquals("sharding {devices=[3,1]<=[3]} cuts dim 0 of size 4 into 3 tiles: not evenly divisible",
        assertThrows(IllegalArgumentException.class,
            () -> ShardedArrays.of(List.of(4L, 4L), tiled(List.of(3L, 1L), List.of(3), List.of(0), false), 3)).getMessage());
    assertEquals("sharding {devices=[2,2]<=[4]} has 4 tiles over 4 devices, but the mesh has 8 devices",
        assertThrows(IllegalArgumentException.class,
            () -> ShardedArrays.of(List.of(4L, 4L), tiled(List.of(2L, 2L), List.of(4), List.of(0), false), 8)).getMessage());
    assertEquals("sharding {devices=[4]<=[4]} has 1 tile counts; a rank-2 array needs 2 (one per dim)",
        assertThrows(IllegalArgumentException.class,
            () -> ShardedArrays.of(List.of(4L, 4L), tiled(List.of(4L), List.of(4), List.of(0), false), 4)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> ShardedArrays.of(List.of(4L), HloSharding.MANUAL, 4));
  }
}
