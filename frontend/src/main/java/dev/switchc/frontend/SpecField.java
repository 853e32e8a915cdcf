package dev.switchc.frontend;

/** A field of a spec block ({@link LayerField}, {@code model.ModelField}): its name and how its value is read. */
public interface SpecField {
  /** The snake_case name written in spec files and {@code --set}. */
  String specName();

  /** What a value looks like, for messages. */
  String expected();

  /**
   * The typed value of {@code text} (Long, BigDecimal, Boolean or an enum), unchecked for range.
   *
   * @throws IllegalArgumentException naming the field, the text and what is expected
   */
  Object parse(String text);
}
