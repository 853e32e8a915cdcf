package dev.switchc.bench;

import java.util.List;
import java.util.Locale;

/** Line charts (SVG) of several series over one x axis, with axes, ticks and a legend; deterministic text. */
final class LineChart {
  private LineChart() {}

  record Series(String name, double[] x, double[] y) {}

  private static final String[] COLORS = {"#4c78a8", "#e45756", "#54a24b", "#f58518", "#b279a2", "#72b7b2", "#9d755d", "#111111"};
  private static final int W = 640, H = 400, LEFT = 64, RIGHT = 180, TOP = 36, BOTTOM = 48;

  static String svg(String title, String xLabel, String yLabel, List<Series> series) {
    double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
    for (Series s : series)
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i])) continue;
        x0 = Math.min(x0, s.x()[i]);
        x1 = Math.max(x1, s.x()[i]);
        y0 = Math.min(y0, s.y()[i]);
        y1 = Math.max(y1, s.y()[i]);
      }
    if (x1 <= x0) x1 = x0 + 1;
    double pad = (y1 - y0) * 0.05 + 1e-9;
    y0 -= pad;
    y1 += pad;
    StringBuilder s = new StringBuilder(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
    s.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
    s.append(f("<text x=\"%d\" y=\"20\" font-weight=\"bold\">%s</text>%n", LEFT, esc(title)));
    int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
    s.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP, pw, ph));
    for (int t = 0; t <= 4; t++) {
      double xv = x0 + (x1 - x0) * t / 4, yv = y0 + (y1 - y0) * t / 4;
      double px = LEFT + pw * t / 4.0, py = TOP + ph - ph * t / 4.0;
      s.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", px, TOP, px, TOP + ph));
      s.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, py, LEFT + pw, py));
      s.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + ph + 16, tick(xv)));
      s.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 4, py + 4, tick(yv)));
    }
    s.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + pw / 2.0, H - 10, esc(xLabel)));
    s.append(f("<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s</text>%n", TOP + ph / 2.0, TOP + ph / 2.0, esc(yLabel)));
    for (int k = 0; k < series.size(); k++) {
      Series se = series.get(k);
      String color = COLORS[k % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < se.x().length; i++) {
        if (!Double.isFinite(se.y()[i])) continue;
        pts.append(f("%.1f,%.1f ", LEFT + pw * (se.x()[i] - x0) / (x1 - x0), TOP + ph - ph * (se.y()[i] - y0) / (y1 - y0)));
      }
      s.append(f("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color, pts.toString().trim()));
      int ly = TOP + 14 + 18 * k;
      s.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n", LEFT + pw + 10, ly - 4, LEFT + pw + 30, ly - 4, color));
      s.append(f("<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + pw + 34, ly, esc(se.name())));
    }
    return s.append("</svg>\n").toString();
  }

  private static String tick(double v) {
    return Math.abs(v) >= 100 ? f("%.0f", v) : f("%.2f", v);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
