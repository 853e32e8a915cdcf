package dev.switchc.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Times two workloads side by side: warm-up runs of each, then rounds that run A then B, so that
 * load from elsewhere on this shared machine hits both alike. Reports medians and their ratio.
 */
record Interleaved(double medianA, double medianB, int rounds) {
  /** B's median time divided by A's: above 1, A is faster. */
  double ratio() {
    return medianB / medianA;
  }

  static Interleaved time(Runnable a, Runnable b, int warmup, int rounds) {
    for (int i = 0; i < warmup; i++) {
      a.run();
      b.run();
    }
    List<Double> ta = new ArrayList<>(), tb = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      ta.add(seconds(a));
      tb.add(seconds(b));
    }
    return new Interleaved(median(ta), median(tb), rounds);
  }

  static double seconds(Runnable r) {
    long t = System.nanoTime();
    r.run();
    return (System.nanoTime() - t) / 1e9;
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
