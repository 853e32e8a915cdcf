package dev.switchc.frontend.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A fuzz input read as a spec file and the CLI's sharding and override options, so that one
 * readable seed file holds both: lines starting with {@code --set }, {@code --mesh } or
 * {@code --layout } are those options' values, in order (the last {@code --mesh} wins); every
 * other line belongs to the spec text. Bytes that are not UTF-8 become U+FFFD, as in a
 * spec file read by an editor.
 */
public record SpecAndOptions(String spec, List<String> sets, Optional<String> mesh, List<String> layouts) {
  public static SpecAndOptions of(byte[] input) {
    StringBuilder spec = new StringBuilder();
    List<String> sets = new ArrayList<>(), layouts = new ArrayList<>();
    Optional<String> mesh = Optional.empty();
    for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.startsWith("--set ")) sets.add(line.substring("--set ".length()));
      else if (line.startsWith("--mesh ")) mesh = Optional.of(line.substring("--mesh ".length()));
      else if (line.startsWith("--layout ")) layouts.add(line.substring("--layout ".length()));
      else spec.append(line).append('\n');
    }
    return new SpecAndOptions(spec.toString(), sets, mesh, layouts);
  }
}
