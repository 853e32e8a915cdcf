package dev.switchc.frontend.spec;

import dev.switchc.frontend.Program;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Excerpt;
import dev.switchc.ir.SourceLoc;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A spec file with the CLI's overrides applied, in order: first {@code --set name=value} (a later
 * {@code --set} wins, {@code capacity_factor} sets both the train and the eval factor, and any
 * field can be set whether or not the file mentions it), then {@code --mesh} (replaces the file's
 * mesh) and {@code --layout} (each replaces the rules it names; see {@link ShardingFlags}).
 * Validation runs once, on the result, so a range error from an override points at that option,
 * and the file's layout rules are checked against the final mesh.
 */
public final class Overrides {
  private Overrides() {}

  /**
   * The program of spec text {@code text} with {@code sets} (each {@code name=value}), then
   * {@code mesh} (a {@code --mesh} value, if present), then {@code layouts} (each a
   * {@code --layout} value) applied.
   *
   * @throws CompileError listing every problem in the file, in the overrides and in the result
   */
  public static Program load(String fileName, String text, List<String> sets, Optional<String> mesh, List<String> layouts) {
    ProgramDraft draft = SpecFile.read(fileName, text);
    for (String set : sets) {
      try {
        draft.override(assignment(set));
      } catch (CompileError e) {
        draft.errors(e.diagnostics());
      }
    }
    mesh.ifPresent(m -> ShardingFlags.mesh(draft.sharding, m));
    layouts.forEach(l -> ShardingFlags.layout(draft.sharding, l));
    return draft.build();
  }

  /** {@link #load(String, String, List, Optional, List)} on a file; an unreadable file is a CompileError at its path. */
  public static Program load(Path file, List<String> sets, Optional<String> mesh, List<String> layouts) {
    return load(file.toString(), SpecFile.readText(file), sets, mesh, layouts);
  }

  /** The program of spec text {@code text} with only {@code --set} overrides. */
  public static Program load(String fileName, String text, List<String> sets) {
    return load(fileName, text, sets, Optional.empty(), List.of());
  }

  /** One {@code --set} as an assignment located at the option itself, or why it is malformed. */
  static FieldAssignment assignment(String set) {
    SourceLoc at = new SourceLoc("--set " + Excerpt.clip(set, Excerpt.MAX_WORD), 0, 0, set); // the option is the location: keep it one short line
    int eq = set.indexOf('=');
    String name = eq < 0 ? set.trim() : set.substring(0, eq).trim();
    if (eq < 0 || name.isEmpty())
      throw new CompileError(at, "expected name=value, got '" + set + "'; write --set "
          + (name.isEmpty() ? "<field>" : name) + "=<value>, e.g. --set batch=8");
    String value = set.substring(eq + 1).trim();
    boolean quoted = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"");
    return new FieldAssignment(name, at, value, quoted, at);
  }
}
