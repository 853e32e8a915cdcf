package dev.switchc.frontend.spec;

import dev.switchc.frontend.LayerField;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.SourceLoc;
import java.nio.file.Path;
import java.util.List;

/**
 * A spec file with the CLI's {@code --set name=value} overrides applied, in order: a later
 * {@code --set} wins, {@code capacity_factor} sets both the train and the eval factor, and any
 * field can be set whether or not the file mentions it. Validation runs once, on the result, so a
 * range error from an override points at that {@code --set}.
 */
public final class Overrides {
  private Overrides() {}

  /**
   * The layer of spec text {@code text} with {@code sets} (each {@code name=value}) applied.
   *
   * @throws CompileError listing every problem in the file, in the overrides and in the result
   */
  public static Located<SwitchLayerSpec> apply(String fileName, String text, List<String> sets) {
    LayerDraft draft = SpecFile.read(fileName, text);
    for (String set : sets) {
      try {
        draft.override(assignment(set));
      } catch (CompileError e) {
        draft.errors(e.diagnostics());
      }
    }
    return draft.build();
  }

  /** {@link #apply(String, String, List)} on a file; an unreadable file is a CompileError at its path. */
  public static Located<SwitchLayerSpec> apply(Path file, List<String> sets) {
    return apply(file.toString(), SpecFile.readText(file), sets);
  }

  /** One {@code --set} as an assignment located at the option itself, or why it is malformed. */
  static FieldAssignment assignment(String set) {
    SourceLoc at = new SourceLoc("--set " + set, 0, 0, set);
    int eq = set.indexOf('=');
    String name = eq < 0 ? set.trim() : set.substring(0, eq).trim();
    if (eq < 0 || name.isEmpty())
      throw new CompileError(at, "expected name=value, got '" + set + "'; write --set "
          + (name.isEmpty() ? "<field>" : name) + "=<value>, e.g. --set batch=8");
    String value = set.substring(eq + 1).trim();
    boolean quoted = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"");
    FieldAssignment a = new FieldAssignment(name, at, value, quoted, at);
    if (value.isEmpty()) {
      LayerField field = a.field(); // an unknown name is the bigger problem; report that first
      throw new CompileError(at, name + " = : the value is missing; write --set " + name + "=<value> (" + field.expected() + ")");
    }
    return a;
  }
}
