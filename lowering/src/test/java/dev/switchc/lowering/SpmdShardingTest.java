package dev.switchc.lowering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorLayout;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.hlo.HloSharding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tiled shardings: the mhlo.sharding strings and which device holds which tile. */
class SpmdShardingTest {
  static final Mesh MESH = Mesh.of(new MeshAxis("data", 2), new MeshAxis("expert", 4));

  static HloSharding of(Map<String, List<String>> split) {
    TensorType t = new TensorType(DType.F32, Shape.of(new Dim("experts", 8), new Dim("group", 4), new Dim("d_model", 16)));
    return SpmdLower.sharding(new TensorLayout(t, split, List.of()), MESH);
  }

  @Test
  void axesInMeshOrderGiveThePlainIotaForm() {
    HloSharding s = of(Map.of("group", List.of("data", "expert")));
    assertEquals("{devices=[1,8,1]<=[8]}", s.spell());
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), s.devices());
  }

  @Test
  void axesOutOfMeshOrderTransposeTheDeviceIota() {
    // experts over expert (tile i on expert coordinate i), group over data: tile (i, j) is device j * 4 + i
    HloSharding s = of(Map.of("experts", List.of("expert"), "group", List.of("data")));
    assertEquals("{devices=[4,2,1]<=[2,4]T(1,0)}", s.spell());
    assertEquals(List.of(0, 4, 1, 5, 2, 6, 3, 7), s.devices());
  }

  @Test
  void unusedAxesReplicateInTheLastTileDim() {
    HloSharding s = of(Map.of("experts", List.of("expert")));
    assertEquals("{devices=[4,1,1,2]<=[2,4]T(1,0) last_tile_dim_replicate}", s.spell());
    assertEquals(List.of(0, 4, 1, 5, 2, 6, 3, 7), s.devices());
    assertEquals("{replicated}", of(Map.of()).spell());
  }
}
