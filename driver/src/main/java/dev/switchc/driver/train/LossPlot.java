package dev.switchc.driver.train;

import dev.switchc.driver.io.IoConsumer;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The loss curves of a run: training loss at every step and validation loss at each validation,
 * against the step, as SVG text and as a PNG drawn with Java2D (headless). Both come from one
 * {@link Frame}, the same axes and points, and depend only on the metrics, so a resumed run draws
 * the same files as an uninterrupted one.
 */
public final class LossPlot {
  public static final int WIDTH = 720, HEIGHT = 405;
  private static final int LEFT = 64, RIGHT = 24, TOP = 32, BOTTOM = 48;
  public static final String TRAIN_COLOR = "#1f77b4", VALIDATION_COLOR = "#d62728";

  private LossPlot() {}

  /** A point of a curve. */
  public record Point(double step, double loss) {}

  /** The two curves of {@code log}: {@code loss} of the training lines and of the validation lines (non-finite values left out). */
  public static List<List<Point>> curves(List<MetricsLog.Entry> log, String metric) {
    List<Point> train = new ArrayList<>(), validation = new ArrayList<>();
    for (MetricsLog.Entry e : log) {
      double v = e.get(metric);
      if (Double.isFinite(v)) (e.kind() == MetricsLog.Kind.TRAIN ? train : validation).add(new Point(e.step(), v));
    }
    return List.of(train, validation);
  }

  /** The axes: steps 0 to the last step, loss from the lowest to the highest value shown, with round ticks. */
  record Frame(double xMax, double yMin, double yMax, double yTick) {
    static Frame of(List<Point> train, List<Point> validation) {
      double xMax = 1, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
      for (List<Point> c : List.of(train, validation))
        for (Point p : c) {
          xMax = Math.max(xMax, p.step());
          lo = Math.min(lo, p.loss());
          hi = Math.max(hi, p.loss());
        }
      if (lo > hi) {
        lo = 0;
        hi = 1;
      }
      if (hi - lo < 1e-9) hi = lo + 1;
      double tick = niceStep((hi - lo) / 5);
      return new Frame(xMax, Math.floor(lo / tick) * tick, Math.ceil(hi / tick) * tick, tick);
    }

    double x(double step) {
      return LEFT + (WIDTH - LEFT - RIGHT) * step / xMax;
    }

    double y(double loss) {
      return TOP + (HEIGHT - TOP - BOTTOM) * (yMax - loss) / (yMax - yMin);
    }

    List<Double> yTicks() {
      List<Double> t = new ArrayList<>();
      for (long i = 0; yMin + i * yTick <= yMax + yTick * 1e-6; i++) t.add(yMin + i * yTick);
      return t;
    }

    List<Double> xTicks() {
      double step = Math.max(1, niceStep(xMax / 6));
      List<Double> t = new ArrayList<>();
      for (long i = 0; i * step <= xMax + 1e-9; i++) t.add(i * step);
      return t;
    }
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) if (m * p >= raw) return m * p;
    return 10 * p;
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String label(double v) {
    // Ticks are multiples of 1, 2 or 5 times a power of ten: six significant digits hold them exactly.
    return new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
  }

  /** The plot as a standalone SVG document: one polyline per curve (class {@code train} and {@code validation}). */
  public static String svg(List<Point> train, List<Point> validation) {
    Frame f = Frame.of(train, validation);
    StringBuilder s = new StringBuilder();
    s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
        .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    for (double t : f.yTicks()) {
      String y = num(f.y(t));
      s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y2=\"").append(y)
          .append("\" stroke=\"#dddddd\"/>\n");
      s.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(num(f.y(t) + 4)).append("\" text-anchor=\"end\">").append(label(t)).append("</text>\n");
    }
    for (double t : f.xTicks())
      s.append("<text x=\"").append(num(f.x(t))).append("\" y=\"").append(HEIGHT - BOTTOM + 16).append("\" text-anchor=\"middle\">").append(label(t)).append("</text>\n");
    s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(WIDTH - LEFT - RIGHT).append("\" height=\"")
        .append(HEIGHT - TOP - BOTTOM).append("\" fill=\"none\" stroke=\"black\"/>\n");
    s.append("<text x=\"").append((LEFT + WIDTH - RIGHT) / 2).append("\" y=\"").append(HEIGHT - 12).append("\" text-anchor=\"middle\">step</text>\n");
    s.append("<text x=\"16\" y=\"").append((TOP + HEIGHT - BOTTOM) / 2).append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ")
        .append((TOP + HEIGHT - BOTTOM) / 2).append(")\">loss</text>\n");
    polyline(s, f, train, "train", TRAIN_COLOR);
    polyline(s, f, validation, "validation", VALIDATION_COLOR);
    s.append("<text x=\"").append(LEFT + 8).append("\" y=\"").append(TOP - 10).append("\" fill=\"").append(TRAIN_COLOR).append("\">training loss</text>\n");
    s.append("<text x=\"").append(LEFT + 120).append("\" y=\"").append(TOP - 10).append("\" fill=\"").append(VALIDATION_COLOR).append("\">validation loss</text>\n");
    s.append("</svg>\n");
    return s.toString();
  }

  private static void polyline(StringBuilder s, Frame f, List<Point> points, String cls, String color) {
    s.append("<polyline class=\"").append(cls).append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\" points=\"");
    for (int i = 0; i < points.size(); i++) {
      if (i > 0) s.append(' ');
      s.append(num(f.x(points.get(i).step()))).append(',').append(num(f.y(points.get(i).loss())));
    }
    s.append("\"/>\n");
  }

  /** The same plot as a PNG. */
  public static IoConsumer<OutputStream> png(List<Point> train, List<Point> validation) {
    return out -> ImageIO.write(image(train, validation), "png", out);
  }

  static BufferedImage image(List<Point> train, List<Point> validation) {
    Frame f = Frame.of(train, validation);
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      for (double t : f.yTicks()) {
        g.setColor(new Color(0xdddddd));
        g.drawLine(LEFT, (int) Math.round(f.y(t)), WIDTH - RIGHT, (int) Math.round(f.y(t)));
        g.setColor(Color.BLACK);
        String l = label(t);
        g.drawString(l, LEFT - 6 - g.getFontMetrics().stringWidth(l), (float) f.y(t) + 4);
      }
      for (double t : f.xTicks()) {
        String l = label(t);
        g.drawString(l, (float) f.x(t) - g.getFontMetrics().stringWidth(l) / 2f, HEIGHT - BOTTOM + 16);
      }
      g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
      g.drawString("step", (LEFT + WIDTH - RIGHT) / 2f - 12, HEIGHT - 12);
      java.awt.geom.AffineTransform upright = g.getTransform();
      g.rotate(-Math.PI / 2, 16, (TOP + HEIGHT - BOTTOM) / 2.0);
      g.drawString("loss", 16 - 12, (TOP + HEIGHT - BOTTOM) / 2f + 4);
      g.setTransform(upright);
      g.setColor(Color.decode(TRAIN_COLOR));
      g.drawString("training loss", LEFT + 8, TOP - 10);
      curve(g, f, train);
      g.setColor(Color.decode(VALIDATION_COLOR));
      g.drawString("validation loss", LEFT + 120, TOP - 10);
      curve(g, f, validation);
    } finally {
      g.dispose();
    }
    return img;
  }

  private static void curve(Graphics2D g, Frame f, List<Point> points) {
    if (points.isEmpty()) return;
    Path2D.Double path = new Path2D.Double();
    path.moveTo(f.x(points.get(0).step()), f.y(points.get(0).loss()));
    for (Point p : points.subList(1, points.size())) path.lineTo(f.x(p.step()), f.y(p.loss()));
    g.setStroke(new BasicStroke(1.5f));
    g.draw(path);
  }
}
