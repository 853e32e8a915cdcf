package dev.switchc.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line: its fields, the dropped fraction only when reported, and one line per K steps off a terminal. */
class ProgressLineTest {
  private static Map<String, Double> metrics(boolean dropped) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", 3.21);
    m.put("aux_loss", 0.0102);
    if (dropped) m.put("dropped_fraction", 0.0125);
    return m;
  }

  @Test
  void fields() {
    assertEquals("step 120/300  2,410 tok/s  loss 3.2100  aux 0.0102  dropped 1.3%  val 3.4012  ETA 0:42",
        ProgressLine.format(120, 300, 2410.4, metrics(true), 3.4012, 42.2));
    assertEquals("step 1/300  12 tok/s  loss 3.2100  aux 0.0102  ETA 1:02:03", ProgressLine.format(1, 300, 12, metrics(false), Double.NaN, 3723));
  }

  @Test
  void offATerminalOneLineEveryKStepsAndAtTheEnd() {
    StringWriter s = new StringWriter();
    ProgressLine p = new ProgressLine(new PrintWriter(s, true), false, 5, 12);
    for (int step = 1; step <= 12; step++) p.update(step, 100, metrics(false), Double.NaN, 1);
    p.finish();
    assertEquals(3, s.toString().lines().count(), s.toString());
    assertEquals(true, s.toString().lines().toList().get(2).startsWith("step 12/12 "));
  }

  @Test
  void onATerminalTheLineIsRewrittenInPlace() {
    StringWriter s = new StringWriter();
    ProgressLine p = new ProgressLine(new PrintWriter(s, true), true, 5, 2);
    p.update(1, 100, metrics(true), 4.5, 1);
    p.update(2, 100, metrics(false), Double.NaN, 0);
    p.finish();
    String text = s.toString();
    assertEquals(true, text.startsWith("\rstep 1/2 ") && text.contains("\rstep 2/2 ") && text.endsWith("\n"), text);
    assertEquals(1, text.chars().filter(c -> c == '\n').count());
  }
}
