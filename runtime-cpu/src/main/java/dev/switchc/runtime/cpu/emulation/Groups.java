package dev.switchc.runtime.cpu.emulation;

import java.util.List;

/** Replica groups of one collective, checked: every device in exactly one group, all of one size. */
record Groups(List<List<Integer>> groups, int[] groupIndex, int[] position) {
  static Groups of(List<List<Integer>> groups, int devices, String what) {
    int[] index = new int[devices], position = new int[devices];
    java.util.Arrays.fill(index, -1);
    int size = groups.isEmpty() ? 0 : groups.get(0).size();
    for (int g = 0; g < groups.size(); g++) {
      if (groups.get(g).size() != size) throw new IllegalStateException(what + ": replica groups differ in size: " + groups);
      for (int p = 0; p < size; p++) {
        int d = groups.get(g).get(p);
        if (d < 0 || d >= devices) throw new IllegalStateException(what + ": device " + d + " is not in a " + devices + "-device mesh");
        if (index[d] >= 0) throw new IllegalStateException(what + ": device " + d + " is in two replica groups: " + groups);
        index[d] = g;
        position[d] = p;
      }
    }
    for (int d = 0; d < devices; d++) if (index[d] < 0) throw new IllegalStateException(what + ": device " + d + " is in no replica group: " + groups);
    return new Groups(groups, index, position);
  }

  int size() {
    return groups.get(0).size();
  }

  List<Integer> groupOf(int device) {
    return groups.get(groupIndex[device]);
  }

  int positionOf(int device) {
    return position[device];
  }
}
