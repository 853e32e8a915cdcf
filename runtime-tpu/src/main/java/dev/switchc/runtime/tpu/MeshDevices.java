package dev.switchc.runtime.tpu;

import dev.switchc.runtime.RuntimeInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which device runs each partition of an SPMD program: partition p (the mesh's devices in
 * row-major order, last axis fastest) on the p-th device of the platform's devices sorted by
 * physical position. TPU devices carry chip coordinates {x, y, z} and a core index: sorting by
 * (z, y, x, core) puts consecutive partitions, hence the mesh's last axis, on neighbouring chips
 * along x. Devices without coordinates (CPU, GPU) keep the order of their ids.
 */
public final class MeshDevices {
  private MeshDevices() {}

  /**
   * The first {@code partitions} devices of {@code available} in mesh order.
   *
   * @throws RuntimeInputException when there are fewer devices than partitions (the user's mesh does not fit)
   */
  public static List<DeviceInfo> assign(List<DeviceInfo> available, int partitions, String platform) {
    if (partitions < 1) throw new IllegalArgumentException("a program needs at least one partition, not " + partitions);
    if (available.size() < partitions)
      throw new RuntimeInputException("the mesh has " + partitions + " devices, but " + platform + " has " + available.size()
          + "; use a mesh of at most " + available.size() + " devices");
    List<DeviceInfo> sorted = new ArrayList<>(available);
    sorted.sort(PHYSICAL);
    return List.copyOf(sorted.subList(0, partitions));
  }

  /** The device ids of {@link #assign}, partition p's at index p. */
  public static long[] ids(List<DeviceInfo> available, int partitions, String platform) {
    return assign(available, partitions, platform).stream().mapToLong(DeviceInfo::id).toArray();
  }

  private static final Comparator<DeviceInfo> PHYSICAL = (a, b) -> {
    long[] ca = a.coords(), cb = b.coords();
    if (ca != null && cb != null && ca.length == cb.length) {
      for (int i = ca.length - 1; i >= 0; i--) {
        int c = Long.compare(ca[i], cb[i]);
        if (c != 0) return c;
      }
      int c = Long.compare(core(a), core(b));
      if (c != 0) return c;
    }
    return Integer.compare(a.id(), b.id());
  };

  private static long core(DeviceInfo d) {
    return d.attributeMap().get("core_on_chip") instanceof Long l ? l : 0;
  }
}
