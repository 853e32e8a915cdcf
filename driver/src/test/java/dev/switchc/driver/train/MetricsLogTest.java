package dev.switchc.driver.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.driver.io.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics lines: per-expert counts grouped per layer, every other metric a number, and a line read back to the same entry. */
class MetricsLogTest {
  private static Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", 3.25);
    m.put("aux_loss", 0.0125);
    m.put("dropped_fraction", 0.03125);
    m.put("dropped_fraction/encoder/layer_001", 0.0625);
    m.put("tokens_per_expert/encoder/layer_001/1", 12.0);
    m.put("tokens_per_expert/encoder/layer_001/0", 20.0);
    m.put("tokens_per_expert/decoder/layer_001/0", 7.0);
    m.put("tokens_per_expert/decoder/layer_001/1", 25.0);
    return m;
  }

  @Test
  void tokensPerExpertAreGroupedByLayerAndOtherMetricsAreNumbers() {
    String line = MetricsLog.line(new MetricsLog.Entry(MetricsLog.Kind.TRAIN, 7, 672, 1.23456, 5000.04, metrics()));
    assertEquals("{\"kind\":\"train\",\"step\":7,\"tokens\":672,\"wall_s\":1.235,\"tokens_per_s\":5000.0,\"loss\":3.25,\"aux_loss\":0.0125,"
        + "\"dropped_fraction\":0.03125,\"dropped_fraction/encoder/layer_001\":0.0625,"
        + "\"tokens_per_expert\":{\"encoder/layer_001\":[20,12],\"decoder/layer_001\":[7,25]}}", line);
    Map<?, ?> parsed = (Map<?, ?>) Json.parse(line);
    assertEquals(List.of(20L, 12L), ((Map<?, ?>) parsed.get("tokens_per_expert")).get("encoder/layer_001"));
  }

  @Test
  void aValidationLineHasNoRate() {
    String line = MetricsLog.line(new MetricsLog.Entry(MetricsLog.Kind.VALIDATION, 50, 4800, 2, Double.NaN, Map.of("loss", 2.5)));
    assertEquals("{\"kind\":\"validation\",\"step\":50,\"tokens\":4800,\"wall_s\":2.0,\"loss\":2.5}", line);
  }

  @Test
  void aSavedLogReadsBackToTheSameEntriesAndText() {
    MetricsLog log = new MetricsLog();
    log.add(new MetricsLog.Entry(MetricsLog.Kind.VALIDATION, 0, 0, 0, Double.NaN, Map.of("loss", 5.5)));
    log.add(new MetricsLog.Entry(MetricsLog.Kind.TRAIN, 1, 96, 0.5, 192, metrics()));
    MetricsLog again = MetricsLog.of(log.lines());
    assertEquals(log.text(), again.text());
    MetricsLog.Entry e = again.entries().get(1);
    assertEquals(MetricsLog.Kind.TRAIN, e.kind());
    assertEquals(96, e.tokens());
    assertEquals(25.0, e.get("tokens_per_expert/decoder/layer_001/1"));
    assertEquals(3.25, e.get("loss"));
    assertEquals(List.of("wall_s", "tokens_per_s"), MetricsLog.TIME_FIELDS);
  }
}
