package dev.switchc.driver.report;

import java.util.Locale;

/** Human-readable sizes for reports (exact numbers stay in JSON and protobuf). */
final class Units {
  private Units() {}

  static String bytes(long b) {
    if (b < 1024) return b + " B";
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
  }

  static String flops(long f) {
    String[] units = {"", "K", "M", "G", "T", "P"};
    double v = f;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? f + " FLOP" : String.format(Locale.ROOT, "%.2f %sFLOP", v, units[u]);
  }
}
