package dev.switchc.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A logical mesh of devices with named axes. Device (partition) ids are the row-major index of
 * a device's coordinates over the axes in their listed order: on {@code data=2, expert=4}, device
 * 5 is (data 1, expert 1).
 */
public record Mesh(List<MeshAxis> axes) {
  public Mesh {
    axes = List.copyOf(axes);
    Set<String> seen = new HashSet<>();
    for (MeshAxis a : axes) if (!seen.add(a.name())) throw new IllegalArgumentException("mesh axis '" + a.name() + "' appears twice");
  }

  /** The one-device mesh: every tensor whole on a single device. */
  public static final Mesh SINGLE = new Mesh(List.of());

  public static Mesh of(MeshAxis... axes) {
    return new Mesh(List.of(axes));
  }

  public int devices() {
    int n = 1;
    for (MeshAxis a : axes) n = Math.multiplyExact(n, a.size());
    return n;
  }

  public boolean has(String axis) {
    return indexOf(axis) >= 0;
  }

  public int indexOf(String axis) {
    for (int i = 0; i < axes.size(); i++) if (axes.get(i).name().equals(axis)) return i;
    return -1;
  }

  public int size(String axis) {
    int i = indexOf(axis);
    if (i < 0) throw new IllegalArgumentException("no mesh axis '" + axis + "' in " + this);
    return axes.get(i).size();
  }

  /** Product of the sizes of {@code names}. */
  public int size(List<String> names) {
    int n = 1;
    for (String a : names) n = Math.multiplyExact(n, size(a));
    return n;
  }

  /** The coordinate of {@code device} along each axis. */
  public int[] coordinates(int device) {
    int[] c = new int[axes.size()];
    for (int i = axes.size() - 1; i >= 0; i--) {
      c[i] = device % axes.get(i).size();
      device /= axes.get(i).size();
    }
    return c;
  }

  public int device(int[] coordinates) {
    int d = 0;
    for (int i = 0; i < axes.size(); i++) d = d * axes.get(i).size() + coordinates[i];
    return d;
  }

  /**
   * The groups of devices that communicate over {@code over} (the other axes fixed), each listed in
   * the row-major order of {@code over}: what a collective over those axes writes as its
   * {@code replica_groups}. Groups are ordered by their smallest device.
   */
  public List<List<Integer>> groups(List<String> over) {
    int devices = devices(), n = size(over);
    int[] overAxis = over.stream().mapToInt(this::indexOf).toArray();
    // Stride of each axis in the row-major device id: a group member is the base plus offsets along `over`.
    int[] stride = new int[axes.size()];
    for (int i = axes.size() - 1, s = 1; i >= 0; s *= axes.get(i).size(), i--) stride[i] = s;
    int[] offsets = new int[n];
    for (int k = 0; k < n; k++) {
      int rest = k, offset = 0;
      for (int j = overAxis.length - 1; j >= 0; j--) {
        int size = axes.get(overAxis[j]).size();
        offset += (rest % size) * stride[overAxis[j]];
        rest /= size;
      }
      offsets[k] = offset;
    }
    List<List<Integer>> groups = new ArrayList<>(devices / n);
    boolean[] done = new boolean[devices];
    for (int d = 0; d < devices; d++) {
      if (done[d]) continue; // d is the smallest member of a new group: its coordinates along `over` are 0
      Integer[] group = new Integer[n];
      for (int k = 0; k < n; k++) {
        group[k] = d + offsets[k];
        done[d + offsets[k]] = true;
      }
      groups.add(List.of(group));
    }
    return groups;
  }

  @Override
  public String toString() {
    return axes.isEmpty() ? "single device" : axes.stream().map(MeshAxis::toString).collect(Collectors.joining(","));
  }
}
