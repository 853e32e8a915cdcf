package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;


import dev.switchc.driver.report.PlanHtml;
import dev.switchc.ir.plan.Plan;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTML plan as a browser shows it: headless Chromium (installed by .ci/run) renders the page;
 * the rendered DOM has one device cell per device for every pictured tensor, each labelled with the
 * right shard, and the screenshot shows the cells' colours. Without Chromium the test fails; switched
 * off deliberately (-Dswitchc.noBrowser=true) it reports itself skipped.
 */
class PlanHtmlBrowserTest {
  static final String CHROMIUM = "/usr/bin/chromium";

  @TempDir
  Path dir;

  List<String> chromium(String... args) {
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile")));
    cmd.addAll(List.of(args));
    return cmd;
  }

  String run(List<String> cmd) throws Exception {
    Path out = dir.resolve("chromium.out");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("chromium did not finish in 90 s: " + cmd);
    }
    return Files.readString(out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"expert=4", "data=2,expert=4", "data=2,expert=2,model=2"})
  void theMeshPicturesRender(String mesh) throws Exception {
    assumeFalse(Boolean.getBoolean("switchc.noBrowser"), "the browser test is switched off (-Dswitchc.noBrowser=true)");
    if (!new File(CHROMIUM).canExecute()) fail(CHROMIUM + " is missing: .ci/install-chromium (run by the tests module build) could not install it; apt-get install chromium");
    Plan plan = PlanTest.compile(mesh).plan();
    List<String> drawn = PlanHtml.defaultTensors(plan);
    Path html = dir.resolve("plan.html");
    Files.writeString(html, PlanHtml.render(plan, drawn));

    String dom = run(chromium("--dump-dom", html.toUri().toString()));
    Matcher m = Pattern.compile("<rect class=\"device-cell\" data-device=\"(\\d+)\" data-shard=\"([^\"]*)\"").matcher(dom);
    int cells = 0;
    Set<String> xShards = new HashSet<>();
    while (m.find()) {
      cells++;
      if (cells <= plan.mesh().devices()) xShards.add(m.group(1) + " " + m.group(2)); // the first figure is x
    }
    assertEquals(drawn.size() * plan.mesh().devices(), cells, "one cell per device per pictured tensor");
    assertTrue(drawn.get(0).equals("x"));
    // x is [batch=8, ...] split over the batch-like axes: device 0 holds rows 0:k, the last device the last rows
    int parts = plan.mesh().size(plan.rules().stream().filter(r -> r.dim().equals("batch")).findFirst().orElseThrow().axes());
    assertTrue(xShards.contains("0 batch 0:" + 8 / parts), xShards.toString());

    Path png = dir.resolve("plan.png");
    run(chromium("--screenshot=" + png, "--window-size=1200,1400", html.toUri().toString()));
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(img != null && img.getWidth() == 1200, "a decodable screenshot");
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) colours.add(img.getRGB(x, y) & 0xFFFFFF);
    assertTrue(colours.contains(0x8dd3c7), "the first shard colour is on screen");
    if (parts > 1) assertTrue(colours.contains(0xffffb3), "a second shard colour is on screen");
  }
}
