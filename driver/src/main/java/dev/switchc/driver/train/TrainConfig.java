package dev.switchc.driver.train;

import dev.switchc.driver.data.CorpusSplit;
import dev.switchc.driver.data.TextRecord;
import dev.switchc.driver.io.Json;
import dev.switchc.frontend.spec.ProgramSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes two runs the same run, so that a checkpoint may only be resumed by a run equal in all
 * of it: the spec (its file name and a hash of its text) with every override, the optimizer with
 * its settings, the seed, the data (a hash of every record of both sides of the split, so a moved
 * copy of the same corpus still resumes and an edited one does not), and the evaluation settings
 * (they decide which validation lines the metrics hold). The number of steps, the checkpoint
 * interval and the output directory are not part of it: a resume may train longer or write elsewhere.
 */
public record TrainConfig(String spec, String specSha256, List<String> sets, String mesh, List<String> layouts, String optimizer, long seed,
    String data, String dataSha256, int evalEvery, int evalBatches) {
  public TrainConfig {
    sets = List.copyOf(sets);
    layouts = List.copyOf(layouts);
  }

  public static TrainConfig of(ProgramSource source, String optimizer, long seed, String data, CorpusSplit split, int evalEvery, int evalBatches) {
    MessageDigest d = sha256();
    for (List<TextRecord> side : List.of(split.train(), split.validation())) {
      for (TextRecord r : side) {
        d.update(r.text().getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0); // the record separator: no two splits of the text into records hash alike
      }
      d.update((byte) 1);
    }
    return new TrainConfig(source.fileName(), hex(sha256().digest(source.text().getBytes(StandardCharsets.UTF_8))), source.sets(),
        source.mesh().orElse(""), source.layouts(), optimizer, seed, data, hex(d.digest()), evalEvery, evalBatches);
  }

  /** The fields in a fixed order, as a checkpoint stores them. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("spec", spec);
    m.put("spec_sha256", specSha256);
    m.put("set", sets);
    m.put("mesh", mesh);
    m.put("layout", layouts);
    m.put("optimizer", optimizer);
    m.put("seed", seed);
    m.put("data", data);
    m.put("data_sha256", dataSha256);
    m.put("eval_every", evalEvery);
    m.put("eval_batches", evalBatches);
    return m;
  }

  /**
   * Where {@code saved} (a checkpoint's {@link #toJson}) differs from this run, one phrase per
   * field: {@code "--seed: the checkpoint's 1, this run's 2"}. The paths of the data and the spec file may differ.
   */
  public List<String> differences(Map<String, Object> saved) {
    Object mine = Json.parse(Json.writeCompact(toJson())); // the types a parse gives (Long for ints), to compare alike
    List<String> out = new ArrayList<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) mine).entrySet()) {
      String key = (String) e.getKey();
      if (key.equals("data") || key.equals("spec")) continue; // where the data or spec file lies; their contents are compared
      Object theirs = saved.get(key);
      if (!e.getValue().equals(theirs))
        out.add(option(key) + ": the checkpoint's " + shown(key, theirs, saved) + ", this run's " + shown(key, e.getValue(), toJson()));
    }
    return out;
  }

  private static String option(String key) {
    return switch (key) {
      case "spec", "spec_sha256" -> "spec";
      case "set" -> "--set";
      case "mesh" -> "--mesh";
      case "layout" -> "--layout";
      case "optimizer" -> "--optimizer (and its settings)";
      case "seed" -> "--seed";
      case "data_sha256" -> "--data (its records)";
      case "eval_every" -> "--eval-every";
      case "eval_batches" -> "--eval-batches";
      default -> key;
    };
  }

  private static String shown(String key, Object value, Map<String, Object> all) {
    if (key.equals("spec_sha256")) return all.get("spec") + " with text SHA-256 " + String.valueOf(value).substring(0, Math.min(12, String.valueOf(value).length()));
    if (key.equals("data_sha256")) return all.get("data") + " (records SHA-256 " + String.valueOf(value).substring(0, Math.min(12, String.valueOf(value).length())) + ")";
    return String.valueOf(value);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
