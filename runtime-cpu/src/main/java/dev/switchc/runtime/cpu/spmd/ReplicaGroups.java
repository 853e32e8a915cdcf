package dev.switchc.runtime.cpu.spmd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The replica groups of one collective (partition ids, one replica, {@code use_global_device_ids}),
 * checked to partition the mesh: every device in exactly one group, all groups of one size. For
 * each device, its group and its position in that group; group order is the order written.
 */
record ReplicaGroups(List<List<Integer>> groups, int devices, int[] groupIndex, int[] position) {
  /**
   * Checks {@code groups} on an {@code devices}-device mesh; {@code what} names the op in the
   * message ("@shmap_body op 7: all_to_all (channel 3)").
   */
  static ReplicaGroups of(List<List<Integer>> groups, int devices, String what) {
    if (groups == null || groups.isEmpty())
      throw new IllegalStateException(what + ": has no replica_groups; the emulation needs every one of the " + devices
          + " partitions listed in exactly one group");
    int size = groups.get(0).size();
    if (size == 0) throw new IllegalStateException(what + ": replica group 0 is empty in " + groups);
    for (int g = 1; g < groups.size(); g++)
      if (groups.get(g).size() != size)
        throw new IllegalStateException(what + ": replica groups must all have one size, but group 0 has " + size + " devices and group " + g
            + " has " + groups.get(g).size() + " in " + groups);
    int[] index = new int[devices], position = new int[devices];
    Arrays.fill(index, -1);
    for (int g = 0; g < groups.size(); g++)
      for (int p = 0; p < size; p++) {
        Integer d = groups.get(g).get(p);
        if (d == null || d < 0 || d >= devices)
          throw new IllegalStateException(what + ": replica group " + g + " names partition " + d + ", outside the mesh's " + devices
              + " partitions 0.." + (devices - 1) + " in " + groups);
        if (index[d] >= 0)
          throw new IllegalStateException(what + ": partition " + d + " is in replica group " + index[d] + " and again in group " + g + " in " + groups
              + "; every partition must be in exactly one group");
        index[d] = g;
        position[d] = p;
      }
    List<Integer> missing = new ArrayList<>();
    for (int d = 0; d < devices; d++) if (index[d] < 0) missing.add(d);
    if (!missing.isEmpty())
      throw new IllegalStateException(what + ": partition" + (missing.size() > 1 ? "s " : " ") + missing + (missing.size() > 1 ? " are" : " is")
          + " in no replica group of " + groups + "; every one of the " + devices + " partitions must be in exactly one group");
    List<List<Integer>> copy = groups.stream().map(List::copyOf).toList();
    return new ReplicaGroups(copy, devices, index, position);
  }

  /** Devices per group. */
  int size() {
    return groups.get(0).size();
  }

  /** The {@code j}-th member of {@code device}'s group. */
  int member(int device, int j) {
    return groups.get(groupIndex[device]).get(j);
  }

  /** {@code device}'s position in its own group. */
  int positionOf(int device) {
    return position[device];
  }
}
