package dev.switchc.runtime.tpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.runtime.RuntimeInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshDevicesTest {
  static DeviceInfo tpu(int id, long x, long y, long z, long core) {
    return new DeviceInfo(id, id, 0, "TPU v4", new long[] {x, y, z}, "", true, id, new Object[] {"coords", new long[] {x, y, z}, "core_on_chip", core});
  }

  @Test
  void partitionsGoAlongXFirstThenYThenZ() {
    // Ids that do not follow the chips' positions: the order must come from the coordinates.
    List<DeviceInfo> devices = List.of(tpu(0, 1, 1, 0, 0), tpu(1, 0, 0, 0, 1), tpu(2, 0, 1, 0, 0), tpu(3, 1, 0, 0, 0), tpu(4, 0, 0, 0, 0),
        tpu(5, 0, 0, 1, 0));
    assertEquals(List.of(4, 1, 3, 2, 0, 5), MeshDevices.assign(devices, 6, "tpu").stream().map(DeviceInfo::id).toList());
    assertEquals(List.of(4L, 1L, 3L), java.util.Arrays.stream(MeshDevices.ids(devices, 3, "tpu")).boxed().toList());
  }

  @Test
  void devicesWithoutCoordinatesKeepTheirIdOrder() {
    List<DeviceInfo> devices = List.of(new DeviceInfo(0, 2, 0, "cpu", null, "", true, 2, null), new DeviceInfo(0, 0, 0, "cpu", null, "", true, 0, null),
        new DeviceInfo(0, 1, 0, "cpu", null, "", true, 1, null));
    assertEquals(List.of(0, 1, 2), MeshDevices.assign(devices, 3, "cpu").stream().map(DeviceInfo::id).toList());
    RuntimeInputException e = assertThrows(RuntimeInputException.class, () -> MeshDevices.assign(devices, 4, "the cpu client"));
    assertEquals("the mesh has 4 devices, but the cpu client has 3; use a mesh of at most 3 devices", e.getMessage());
  }
}
