package dev.switchc.driver.train;

import dev.switchc.driver.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metrics of a run as JSON lines ({@code metrics.jsonl}): one object per training step and one
 * per validation, in the order they happened.
 *
 * <p>A line: {@code kind} ({@code "train"} or {@code "validation"}), {@code step}, {@code tokens}
 * (stream tokens trained on so far), {@code wall_s} (seconds of training so far, across resumes),
 * for a training step {@code tokens_per_s}, then every metric as a number, except that the per-expert
 * counts {@code tokens_per_expert/<layer>/<e>} are grouped into {@code "tokens_per_expert": {"<layer>":
 * [n0, n1, ...]}}. {@code wall_s} and {@code tokens_per_s} are the only fields that depend on the
 * clock ({@link #TIME_FIELDS}); everything else is a function of the run's options and data.
 *
 * <p>The lines are kept as text: a checkpoint stores the lines so far, and a resumed run starts its
 * log from exactly those, so its file equals an uninterrupted run's.
 */
public final class MetricsLog {
  public static final String KIND = "kind", STEP = "step", TOKENS = "tokens", WALL = "wall_s", RATE = "tokens_per_s";
  public static final List<String> TIME_FIELDS = List.of(WALL, RATE);
  public static final String TOKENS_PER_EXPERT = "tokens_per_expert";

  /** Training step or validation. */
  public enum Kind {
    TRAIN("train"), VALIDATION("validation");

    private final String json;

    Kind(String json) {
      this.json = json;
    }

    public String json() {
      return json;
    }
  }

  /** One line's values; {@code tokensPerSecond} is NaN (and left out) for a validation. */
  public record Entry(Kind kind, int step, long tokens, double wallSeconds, double tokensPerSecond, Map<String, Double> metrics) {
    public Entry {
      metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** The metric {@code name}, or NaN if this line has none. */
    public double get(String name) {
      Double v = metrics.get(name);
      return v == null ? Double.NaN : v;
    }
  }

  private final List<String> lines = new ArrayList<>();
  private final List<Entry> entries = new ArrayList<>();

  /** A log starting with the lines of a checkpoint ({@link #lines} of an earlier run), as they were written. */
  public static MetricsLog of(List<String> saved) {
    MetricsLog log = new MetricsLog();
    for (String line : saved) {
      log.lines.add(line);
      log.entries.add(parse(line));
    }
    return log;
  }

  public void add(Entry e) {
    lines.add(line(e));
    entries.add(e);
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The file: every line, each ending in a newline. */
  public String text() {
    StringBuilder b = new StringBuilder();
    for (String l : lines) b.append(l).append('\n');
    return b.toString();
  }

  /** One entry as a JSON object on one line. */
  public static String line(Entry e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put(KIND, e.kind().json());
    o.put(STEP, e.step());
    o.put(TOKENS, e.tokens());
    o.put(WALL, round(e.wallSeconds(), 1e3));
    if (!Double.isNaN(e.tokensPerSecond())) o.put(RATE, round(e.tokensPerSecond(), 10));
    Map<String, Map<Integer, Double>> perExpert = new LinkedHashMap<>();
    for (Map.Entry<String, Double> m : e.metrics().entrySet()) {
      String name = m.getKey();
      if (name.startsWith(TOKENS_PER_EXPERT + "/") && name.lastIndexOf('/') > TOKENS_PER_EXPERT.length()) {
        int cut = name.lastIndexOf('/');
        String layer = name.substring(TOKENS_PER_EXPERT.length() + 1, cut);
        perExpert.computeIfAbsent(layer, k -> new TreeMap<>()).put(Integer.parseInt(name.substring(cut + 1)), m.getValue());
      } else {
        o.put(name, m.getValue());
      }
    }
    if (!perExpert.isEmpty()) {
      Map<String, Object> grouped = new LinkedHashMap<>();
      perExpert.forEach((layer, counts) -> grouped.put(layer, counts.values().stream().map(MetricsLog::count).toList()));
      o.put(TOKENS_PER_EXPERT, grouped);
    }
    return Json.writeCompact(o);
  }

  /** A line written by {@link #line}, back to its entry (the grouped counts flattened again). */
  static Entry parse(String line) {
    if (!(Json.parse(line) instanceof Map<?, ?> o)) throw new IllegalArgumentException("not a metrics line: " + line);
    Kind kind = Kind.TRAIN.json().equals(o.get(KIND)) ? Kind.TRAIN : Kind.VALIDATION;
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Map.Entry<?, ?> f : o.entrySet()) {
      String name = (String) f.getKey();
      if (List.of(KIND, STEP, TOKENS, WALL, RATE).contains(name)) continue;
      if (name.equals(TOKENS_PER_EXPERT) && f.getValue() instanceof Map<?, ?> layers) {
        layers.forEach((layer, counts) -> {
          List<?> c = (List<?>) counts;
          for (int i = 0; i < c.size(); i++) metrics.put(TOKENS_PER_EXPERT + "/" + layer + "/" + i, ((Number) c.get(i)).doubleValue());
        });
      } else if (f.getValue() instanceof Number n) {
        metrics.put(name, n.doubleValue());
      } else if (f.getValue() == null) {
        metrics.put(name, Double.NaN); // a non-finite value is written as null
      }
    }
    double rate = o.get(RATE) instanceof Number n ? n.doubleValue() : Double.NaN;
    return new Entry(kind, ((Number) o.get(STEP)).intValue(), ((Number) o.get(TOKENS)).longValue(), ((Number) o.get(WALL)).doubleValue(), rate, metrics);
  }

  /** A count as an integer when it is one (it always is: tokens routed to an expert). */
  private static Object count(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
  }

  /** Clock readings to a fixed resolution: more digits would only be noise. */
  private static double round(double v, double scale) {
    return Math.round(v * scale) / scale;
  }
}
