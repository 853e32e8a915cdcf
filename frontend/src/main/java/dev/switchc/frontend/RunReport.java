package dev.switchc.frontend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of a program produced, for its user: {@code text} for the terminal (complete lines)
 * and {@code stats}, the JSON document written next to the outputs (keys in display order).
 */
public record RunReport(String text, Map<String, Object> stats) {
  public RunReport {
    stats = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stats));
  }
}
