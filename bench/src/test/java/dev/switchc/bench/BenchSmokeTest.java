package dev.switchc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness at tiny sizes: every comparison runs, and both sides of each agree (checked before timing). */
class BenchSmokeTest {
  @Test
  void everyBenchmarkRunsAndBothSidesAgree() {
    List<Map<String, Object>> rows = BenchMain.runQuick();
    List<Object> kinds = rows.stream().map(r -> r.get("benchmark")).distinct().toList();
    assertEquals(List.of("peer", "dispatch", "switch vs dense", "roofline", "compile", "overhead", "mesh", "train", "goal"), kinds);
    assertTrue(rows.stream().anyMatch(r -> String.valueOf(r.get("configuration")).startsWith("tiny-switch on ")), "presets are compiled");
    for (Map<String, Object> r : rows)
      if (r.containsKey("ratio_b_over_a")) assertTrue((Double) r.get("ratio_b_over_a") > 0, r.toString());
    assertTrue(Chart.ratios(rows).contains("<rect"));
  }

  @Test
  void theAgreementCheckCanFail() {
    assertTrue(BenchMain.error(new float[] {1, 2}, new float[] {1, 2}) == 0);
    assertTrue(BenchMain.error(new float[] {1, 2.1f}, new float[] {1, 2}) > 1e-4);
  }
}
