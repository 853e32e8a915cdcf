package dev.switchc.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A horizontal bar chart (SVG) of the B / A ratios, one bar per timed row, with the 1.0 line marked. */
final class Chart {
  private Chart() {}

  static String ratios(List<Map<String, Object>> rows) {
    List<Map<String, Object>> timed = rows.stream().filter(r -> r.containsKey("ratio_b_over_a")).toList();
    int barH = 22, left = 560, width = 1040, height = 40 + timed.size() * (barH + 8);
    double max = timed.stream().mapToDouble(r -> (Double) r.get("ratio_b_over_a")).max().orElse(1);
    double scale = (width - left - 60) / Math.max(max, 1.0);
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
    s.append("<text x=\"10\" y=\"18\" font-weight=\"bold\">time of B / time of A (medians of interleaved runs; above 1: A faster)</text>\n");
    for (int i = 0; i < timed.size(); i++) {
      Map<String, Object> r = timed.get(i);
      double ratio = (Double) r.get("ratio_b_over_a");
      int y = 32 + i * (barH + 8);
      s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 15, esc(label(r))));
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", left, y, ratio * scale, barH, ratio >= 1 ? "#4c78a8" : "#e45756"));
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.2f</text>%n", left + ratio * scale + 4, y + 15, ratio));
    }
    s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"26\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>%n", left + scale, left + scale, height - 4));
    return s.append("</svg>\n").toString();
  }

  /** "peer S=4096 E=8 ...: TF Java ops / switchc", shortened to fit. */
  private static String label(Map<String, Object> r) {
    String config = String.valueOf(r.get("configuration"));
    int colon = config.indexOf(':');
    String l = r.get("benchmark") + " " + (colon > 0 ? config.substring(0, colon) : config) + ": " + side(r.get("b")) + " / " + side(r.get("a"));
    return l.length() > 90 ? l.substring(0, 87) + "..." : l;
  }

  private static String side(Object side) {
    String s = String.valueOf(side);
    int paren = s.indexOf(" (");
    return paren > 0 ? s.substring(0, paren) : s;
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
