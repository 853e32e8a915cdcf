package dev.switchc.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MeshTest {
  static final Mesh M = Mesh.of(new MeshAxis("data", 2), new MeshAxis("expert", 4));

  @Test
  void deviceIdsAreRowMajorOverTheAxes() {
    assertEquals(8, M.devices());
    assertArrayEquals(new int[] {1, 1}, M.coordinates(5));
    assertEquals(5, M.device(new int[] {1, 1}));
  }

  @Test
  void groupsVaryTheNamedAxesAndFixTheOthers() {
    assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), M.groups(List.of("expert")));
    assertEquals(List.of(List.of(0, 4), List.of(1, 5), List.of(2, 6), List.of(3, 7)), M.groups(List.of("data")));
    assertEquals(List.of(List.of(0, 1, 2, 3, 4, 5, 6, 7)), M.groups(List.of("data", "expert")));
    // listed in the order of the axes given: expert major, data minor
    assertEquals(List.of(List.of(0, 4, 1, 5, 2, 6, 3, 7)), M.groups(List.of("expert", "data")));
  }
}
