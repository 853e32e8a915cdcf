package dev.switchc.frontend.spec;

import dev.switchc.frontend.Field;
import dev.switchc.frontend.Names;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.SourceLoc;
import java.util.Map;

/**
 * One {@code name = value} the user wrote, in a spec block or a {@code --set}, not yet checked.
 * Knows how to turn its two texts into a field and a typed value; each step reports a problem as
 * a one-diagnostic {@link CompileError} at the token at fault, which {@link BlockDraft} collects.
 *
 * @param name the field name as written
 * @param nameAt where the name is (unknown-field and duplicate errors point here)
 * @param value the value as written, including quotes if it is a string
 * @param quoted whether the value is a quoted string; no layer field takes one
 * @param valueAt where the value is, describing the whole assignment (range errors point here)
 */
record FieldAssignment(String name, SourceLoc nameAt, String value, boolean quoted, SourceLoc valueAt) {

  /**
   * For a {@code --set}: an empty value is reported with what the field expects (after an unknown
   * name, the bigger problem).
   */
  void checkValue(ProgramKind<?> kind) {
    if (!value.isEmpty()) return;
    Field field = field(kind);
    throw new CompileError(valueAt, name + " = : the value is missing; write --set " + name + "=<value> (" + kind.expected(field) + ")");
  }

  /** How messages quote this assignment, e.g. {@code group_size = 7}. */
  String text() {
    return name + " = " + value;
  }

  /** The field of {@code kind}'s definitions this assignment names. */
  Field field(ProgramKind<?> kind) {
    for (Field f : kind.fields()) if (f.specName().equals(name)) return f;
    String known = "known fields: " + String.join(", ", kind.fields().stream().map(Field::specName).toList());
    String hint = Names.closest(name, kind.fields().toArray(Field[]::new), Field::specName)
        .map(f -> "did you mean '" + f + "'? " + known)
        .orElse(known);
    throw new CompileError(nameAt, text() + ": unknown field '" + name + "' in " + kind.block() + "; " + hint);
  }

  /**
   * Throws unless this is the block's first write of {@code field} ({@code written}: the block's
   * earlier writes) and no earlier write covers it or is covered by it ({@link Field#covers()}).
   */
  void checkFirstWrite(java.util.Map<Field, FieldAssignment> written, Field field) {
    FieldAssignment first = written.get(field);
    if (first != null)
      throw new CompileError(nameAt, text() + ": duplicate field '" + name + "', first set at " + lineCol(first.nameAt()) + " ("
          + first.text() + "); remove one of them");
    for (Map.Entry<Field, FieldAssignment> earlier : written.entrySet())
      if (earlier.getKey().covers().contains(field) || field.covers().contains(earlier.getKey()))
        throw new CompileError(nameAt, text() + ": conflicts with '" + earlier.getValue().text() + "' at " + lineCol(earlier.getValue().nameAt()) + "; "
            + field.conflictWith(earlier.getKey()));
  }

  private static String lineCol(SourceLoc loc) {
    return loc.line() + ":" + loc.col();
  }

  /** The value converted to {@code field}'s type (Long, BigDecimal, Boolean or an enum), unchecked for range. */
  Object valueFor(Field field, ProgramKind<?> kind) {
    String expected = kind.expected(field);
    if (quoted) {
      String bare = value.substring(1, value.length() - 1);
      String hint = parses(field, bare, expected) ? "; remove the quotes" : "";
      throw new CompileError(valueAt, text() + ": " + field.specName() + " does not take a quoted string; expected " + expected + hint);
    }
    try {
      return field.kind().parse(field.specName(), value, expected);
    } catch (IllegalArgumentException e) {
      throw new CompileError(valueAt, e.getMessage());
    }
  }

  private static boolean parses(Field field, String text, String expected) {
    try {
      field.kind().parse(field.specName(), text, expected);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
