package dev.switchc.frontend;

import dev.switchc.ir.Diagnostic;
import java.util.List;
import java.util.Map;

/**
 * A kind of program definition: a {@code switch_layer}, a {@code model}, ... Everything that
 * differs between kinds before the definition is a {@link ProgramSpec} is here, as data and small
 * rules; the spec reader, {@code --set}, the DSL builders ({@link SpecBuilder}) and validation
 * ({@link SpecValidator}) are shared by every kind. {@link ProgramKinds#ALL} lists the kinds a
 * spec file may define.
 *
 * @param <S> the value a valid definition builds
 */
public interface ProgramKind<S extends ProgramSpec> {
  /** The spec-file block that defines one: {@code switch_layer}, {@code model}. */
  String block();

  /** What one is called in messages: "layer", "model". */
  String noun();

  /** A small definition to quote in messages, e.g. {@code 'switch_layer { batch = 8 ... }'}. */
  String example();

  /** The fields a definition may write, in the order messages list them. */
  List<Field> fields();

  /** What a value of {@code field} looks like here, for messages. */
  default String expected(Field field) {
    return field.kind().expected();
  }

  /** The value of {@code field} when it is not written ({@code values}: what was written), or null if it has none. */
  Object defaultValue(Field field, Map<Field, Object> values);

  /**
   * The fields that must be written, given what was: {@code values} holds the usable values,
   * {@code written} every field written (usable or not). Each missing one is reported with
   * {@link #missingHint}.
   */
  List<Field> required(Map<Field, Object> values, java.util.Set<Field> written);

  /** Appended to the "missing required field" message of {@code field}: how else to write it, or empty. */
  default String missingHint(Field field, Map<Field, Object> values) {
    return "";
  }

  /**
   * Why {@code value}, written for {@code field} (a Long, BigDecimal, Boolean or enum), is out of
   * range, with the fix and what is expected; null when it is in range.
   */
  String rangeProblem(Field field, Object value);

  /**
   * Rules between fields, checked when every written value is in range (so sizes can be
   * multiplied): each problem is added to {@code errors}, located at the field to change.
   */
  void crossFieldRules(Map<Field, Object> values, Provenance where, List<Diagnostic> errors);

  /** Rules about which fields may be written together; checked always, before the cross-field rules. */
  default void structuralRules(Map<Field, Object> values, Provenance where, List<Diagnostic> errors) {}

  /** The definition from validated values (unset fields take their defaults). */
  S create(Map<Field, Object> values);

  /** The dimension names of its IR: what a layout rule may split. */
  List<String> dimensions();
}
