package dev.switchc.runtime.cpu.spmd;

import dev.switchc.lowering.hlo.HloType;
import java.util.ArrayList;
import java.util.List;

/** Dimension-number arithmetic for adding a leading device axis. */
final class Dims {
  private Dims() {}

  /** {@code from, from + 1, ..., to - 1}. */
  static List<Integer> range(int from, int to) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i < to; i++) r.add(i);
    return r;
  }

  /** Every dimension number moved past the device axis. */
  static List<Integer> shifted(List<Integer> dims) {
    return dims.stream().map(d -> d + 1).toList();
  }

  /** The device axis (0) first, then {@code dims} shifted past it. */
  static List<Integer> withDevice(List<Integer> dims) {
    return prepend(0, shifted(dims));
  }

  static <T> List<T> prepend(T first, List<T> rest) {
    List<T> r = new ArrayList<>();
    r.add(first);
    r.addAll(rest);
    return r;
  }

  /** A type as StableHLO spells it, for messages: {@code tensor<2x3xf32>}. */
  static String spell(HloType t) {
    return dev.switchc.lowering.StableHloPrinter.type(t);
  }

  static long product(List<Long> dims) {
    long n = 1;
    for (long d : dims) n = Math.multiplyExact(n, d);
    return n;
  }
}
