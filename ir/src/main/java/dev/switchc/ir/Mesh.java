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
    List<List<Integer>> groups = new ArrayList<>();
    Set<Integer> done = new HashSet<>();
    for (int d = 0; d < devices(); d++) {
      if (done.contains(d)) continue;
      int[] base = coordinates(d);
      List<Integer> group = new ArrayList<>();
      int n = size(over);
      for (int k = 0; k < n; k++) {
        int[] c = base.clone();
        int rest = k;
        for (int j = over.size() - 1; j >= 0; j--) {
          int i = indexOf(over.get(j));
          c[i] = rest % axes.get(i).size();
          rest /= axes.get(i).size();
        }
        group.add(device(c));
      }
      done.addAll(group);
      groups.add(group);
    }
    return groups;
  }

  @Override
  public String toString() {
    return axes.isEmpty() ? "single device" : axes.stream().map(MeshAxis::toString).collect(Collectors.joining(","));
  }
}
