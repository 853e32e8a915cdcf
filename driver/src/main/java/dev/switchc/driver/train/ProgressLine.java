package dev.switchc.driver.train;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * The live progress of a run: step, tokens/s, loss, aux loss, dropped fraction (when the step
 * reports it), the last validation loss and the ETA.
 *
 * <p>On a terminal the line is rewritten in place ({@code \r}) after every step, at most every
 * {@link #REDRAW_NANOS} so that a fast model does not spend its time printing; elsewhere (a
 * pipe, a log file, a test) it is printed as a line of its own every {@code every} steps and at
 * the last step, so a log holds a readable history instead of carriage returns.
 */
public final class ProgressLine {
  static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter out;
  private final boolean terminal;
  private final int every;
  private final int steps;
  private long lastDraw = Long.MIN_VALUE;
  private int width;

  public ProgressLine(PrintWriter out, boolean terminal, int every, int steps) {
    if (every < 1) throw new IllegalArgumentException("progress every " + every + " steps");
    this.out = out;
    this.terminal = terminal;
    this.every = every;
    this.steps = steps;
  }

  /** After step {@code step}: its metrics, the measured rate, the latest validation loss (NaN before any) and the seconds left. */
  public void update(int step, double tokensPerSecond, Map<String, Double> metrics, double validationLoss, double etaSeconds) {
    String line = format(step, steps, tokensPerSecond, metrics, validationLoss, etaSeconds);
    if (terminal) {
      long now = System.nanoTime();
      if (step != steps && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) return;
      lastDraw = now;
      // Pad over the end of a longer previous line, which \r alone would leave on screen.
      out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
      width = line.length();
      out.flush();
    } else if (step % every == 0 || step == steps) {
      out.println(line);
    }
  }

  /** Ends the line being rewritten (on a terminal), before other output. */
  public void finish() {
    if (terminal && width > 0) {
      out.println();
      width = 0;
    }
  }

  /** One progress line, e.g. {@code step 120/300  2,410 tok/s  loss 3.2100  aux 0.0102  dropped 1.2%  val 3.4012  ETA 0:42}. */
  public static String format(int step, int steps, double tokensPerSecond, Map<String, Double> metrics, double validationLoss, double etaSeconds) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "step %d/%d  %,.0f tok/s  loss %.4f", step, steps, tokensPerSecond, metrics.getOrDefault("loss", Double.NaN)));
    Double aux = metrics.get("aux_loss");
    if (aux != null) b.append(String.format(Locale.ROOT, "  aux %.4f", aux));
    Double dropped = metrics.get("dropped_fraction");
    if (dropped != null) b.append(String.format(Locale.ROOT, "  dropped %.1f%%", 100 * dropped));
    if (!Double.isNaN(validationLoss)) b.append(String.format(Locale.ROOT, "  val %.4f", validationLoss));
    b.append("  ETA ").append(duration(etaSeconds));
    return b.toString();
  }

  /** {@code h:mm:ss} or {@code m:ss}. */
  static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) return "-";
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
