package dev.switchc.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The loss plot: well-formed SVG with one polyline per curve at the expected points, a PNG that decodes, both a function of the metrics alone. */
class LossPlotTest {
  private static List<MetricsLog.Entry> log() {
    List<MetricsLog.Entry> log = new ArrayList<>();
    log.add(new MetricsLog.Entry(MetricsLog.Kind.VALIDATION, 0, 0, 0, Double.NaN, Map.of("loss", 6.0)));
    for (int s = 1; s <= 10; s++) log.add(new MetricsLog.Entry(MetricsLog.Kind.TRAIN, s, 96L * s, s, 100, Map.of("loss", 6.0 - 0.3 * s)));
    log.add(new MetricsLog.Entry(MetricsLog.Kind.VALIDATION, 10, 960, 10, Double.NaN, Map.of("loss", 3.5)));
    return log;
  }

  @Test
  void svgHasATrainAndAValidationPolylineInTheFrame() throws Exception {
    List<List<LossPlot.Point>> c = LossPlot.curves(log(), "loss");
    String svg = LossPlot.svg(c.get(0), c.get(1));
    Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertEquals("svg", d.getDocumentElement().getTagName());
    Element train = (Element) d.getElementsByTagName("polyline").item(0), val = (Element) d.getElementsByTagName("polyline").item(1);
    assertEquals("train", train.getAttribute("class"));
    assertEquals(10, train.getAttribute("points").split(" ").length);
    assertEquals("validation", val.getAttribute("class"));
    // Step 0 at the frame's left edge, step 10 at its right; the axis from 3 to 6 (ticks of 1) over y 32 to 357, so 6.0 at the top and 3.5 at 32 + 325 * 2.5 / 3.
    assertEquals("64.00,32.00 696.00,302.83", val.getAttribute("points"));
    assertEquals(svg, LossPlot.svg(c.get(0), c.get(1)), "deterministic");
  }

  @Test
  void pngDecodes() throws Exception {
    List<List<LossPlot.Point>> c = LossPlot.curves(log(), "loss");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LossPlot.png(c.get(0), c.get(1)).accept(out);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(LossPlot.WIDTH, img.getWidth());
    assertEquals(LossPlot.HEIGHT, img.getHeight());
    assertEquals(0xffffffff, img.getRGB(0, 0), "white background");
  }

  @Test
  void anEmptyOrFlatCurveStillHasAFrame() {
    assertTrue(LossPlot.svg(List.of(), List.of()).contains("<polyline class=\"train\""));
    assertTrue(LossPlot.svg(List.of(new LossPlot.Point(1, 2)), List.of()).contains("points=\"696.00,"));
  }
}
