package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Accumulates the fields of one definition of {@code kind}, with where each was written: used by
 * the DSL builders ({@link SwitchLayer}, {@code model.SwitchModel}) and, through the spec reader,
 * by spec files, presets and {@code --set}. {@link #build()} validates everything at once.
 */
public final class SpecBuilder<S extends ProgramSpec> {
  private final ProgramKind<S> kind;
  private final Map<Field, Object> values = new EnumMap<>(Field.class);
  private final Map<Field, Diagnostic> rejected = new EnumMap<>(Field.class);
  private Provenance where;

  /** {@code block} is the place of the whole definition (the spec block, preset or builder() call). */
  public SpecBuilder(ProgramKind<S> kind, SourceLoc block) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.where = new Provenance(block, Map.of());
  }

  public ProgramKind<S> kind() {
    return kind;
  }

  /**
   * Sets {@code field} to {@code value} (as {@link FieldKind#parse} returns it; null for a
   * non-finite DSL number, reported by validation), written at {@code loc}. A field that stands
   * for others ({@link Field#covers()}) replaces whatever they held.
   */
  public SpecBuilder<S> set(Field field, Object value, SourceLoc loc) {
    for (Field f : field.covers()) {
      values.remove(f);
      rejected.remove(f);
      where = where.with(f, loc);
    }
    for (Field f : field.storedAs()) {
      values.put(f, value);
      rejected.remove(f);
      where = where.with(f, loc);
    }
    return this;
  }

  /**
   * Records that {@code field} was written with a value that could not be read: {@link #build()}
   * reports {@code why} and does not also call the field missing. A later {@link #set} clears it.
   */
  public SpecBuilder<S> reject(Field field, Diagnostic why) {
    for (Field f : field.storedAs()) {
      values.remove(f);
      rejected.put(f, why);
    }
    return this;
  }

  public boolean isSet(Field field) {
    return values.containsKey(field);
  }

  /**
   * The validated definition with the place of every field.
   *
   * @throws CompileError listing every problem, each at the call or spec line that caused it
   */
  public Located<S> build() {
    SpecValidator.validate(kind, values, rejected, where);
    return new Located<>(kind.create(values), where);
  }
}
