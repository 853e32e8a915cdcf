package dev.switchc.frontend.spec;

import dev.switchc.frontend.LayerField;
import dev.switchc.frontend.Names;
import dev.switchc.frontend.SpecField;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.SourceLoc;

/**
 * One {@code name = value} the user wrote, in a spec block or a {@code --set}, not yet checked.
 * Knows how to turn its two texts into a field and a typed value; each step reports a problem as
 * a one-diagnostic {@link CompileError} at the token at fault, which {@link LayerDraft} collects.
 *
 * @param name the field name as written
 * @param nameAt where the name is (unknown-field and duplicate errors point here)
 * @param value the value as written, including quotes if it is a string
 * @param quoted whether the value is a quoted string; no layer field takes one
 * @param valueAt where the value is, describing the whole assignment (range errors point here)
 */
record FieldAssignment(String name, SourceLoc nameAt, String value, boolean quoted, SourceLoc valueAt) {

  /** How messages quote this assignment, e.g. {@code group_size = 7}. */
  String text() {
    return name + " = " + value;
  }

  /** The field this assignment names. */
  LayerField field() {
    return field(LayerField.values(), "switch_layer");
  }

  /** The field of {@code table} (a block's fields) this assignment names; {@code block} is the block's name for messages. */
  <F extends SpecField> F field(F[] table, String block) {
    for (F f : table) if (f.specName().equals(name)) return f;
    String known = "known fields: " + String.join(", ", java.util.Arrays.stream(table).map(SpecField::specName).toList());
    String hint = Names.closest(name, table, SpecField::specName)
        .map(f -> "did you mean '" + f + "'? " + known)
        .orElse(known);
    throw new CompileError(nameAt, text() + ": unknown field '" + name + "' in " + block + "; " + hint);
  }

  /**
   * Throws unless this is the block's first write of {@code field} ({@code written}: the block's
   * earlier writes) and no earlier write sets part of what it sets ({@code overlapping});
   * {@code why} explains such a conflict with the earlier field.
   */
  <F> void checkFirstWrite(java.util.Map<F, FieldAssignment> written, F field, java.util.List<F> overlapping,
      java.util.function.Function<F, String> why) {
    FieldAssignment first = written.get(field);
    if (first != null)
      throw new CompileError(nameAt, text() + ": duplicate field '" + name + "', first set at " + lineCol(first.nameAt()) + " ("
          + first.text() + "); remove one of them");
    for (F other : overlapping) {
      FieldAssignment earlier = written.get(other);
      if (earlier != null)
        throw new CompileError(nameAt, text() + ": conflicts with '" + earlier.text() + "' at " + lineCol(earlier.nameAt()) + "; " + why.apply(other));
    }
  }

  private static String lineCol(SourceLoc loc) {
    return loc.line() + ":" + loc.col();
  }

  /** The value converted to {@code field}'s type (Long, BigDecimal or an enum), unchecked for range. */
  Object valueFor(SpecField field) {
    if (quoted) {
      String bare = value.substring(1, value.length() - 1);
      String hint = parses(field, bare) ? "; remove the quotes" : "";
      throw new CompileError(valueAt, text() + ": " + field.specName() + " does not take a quoted string; expected "
          + field.expected() + hint);
    }
    try {
      return field.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CompileError(valueAt, e.getMessage());
    }
  }

  private static boolean parses(SpecField field, String text) {
    try {
      field.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
