package dev.switchc.frontend;

import dev.switchc.ir.DType;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * The kinds of value a spec field takes, and the one place that turns the text a user wrote (a
 * spec-file token, the right side of {@code --set}) into a typed value: Long, BigDecimal, Boolean
 * or an enum. Range checks happen later, in validation, so the DSL and the spec file share them.
 */
public enum FieldKind {
  INTEGER,
  DECIMAL,
  ACTIVATION,
  DTYPE,
  DISPATCH,
  ARCHITECTURE,
  BOOLEAN;

  /** What a value of this kind looks like, for messages. */
  public String expected() {
    return switch (this) {
      case INTEGER -> "a positive integer";
      case DECIMAL -> "a decimal number such as 1.25";
      case ACTIVATION -> "one of relu, gelu, geglu";
      case DTYPE -> "one of f32, bf16";
      case DISPATCH -> "one of gather, einsum";
      case ARCHITECTURE -> "one of encoder_decoder, decoder_only";
      case BOOLEAN -> "true or false";
    };
  }

  /**
   * Converts {@code text}, written for field {@code field}; {@code expected} says what the field
   * takes (its kind's {@link #expected()}, or something narrower), for the message.
   *
   * @throws IllegalArgumentException with a message naming the field, the text and what is expected
   */
  public Object parse(String field, String text, String expected) {
    String t = text.trim();
    switch (this) {
      case INTEGER -> {
        if (t.matches("[-+]?[0-9]+")) {
          try {
            return Long.parseLong(t);
          } catch (NumberFormatException e) {
            throw bad(field, t, expected, "is too large");
          }
        }
        if (t.matches("[-+]?[0-9]*\\.[0-9]+")) throw bad(field, t, expected, "is not an integer");
        if (t.matches("[-+]?[0-9]*\\.?[0-9]+[eE][-+]?[0-9]+")) throw bad(field, t, expected, "is not written as a plain integer");
        throw bad(field, t, expected, "is not a number");
      }
      case DECIMAL -> {
        if (!t.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) throw bad(field, t, expected, "is not a number");
        try {
          return new BigDecimal(t);
        } catch (NumberFormatException e) { // an exponent beyond int range, such as 1e99999999999
          throw bad(field, t, expected, "is out of range");
        }
      }
      case ACTIVATION -> {
        return enumValue(Activation.class, field, t, expected);
      }
      case DTYPE -> {
        if (t.equals("f32")) return DType.F32;
        if (t.equals("bf16")) return DType.BF16;
        throw bad(field, t, expected, field.equals(Field.ROUTER_DTYPE.specName()) ? "is not a supported router dtype" : "is not a supported activation dtype");
      }
      case DISPATCH -> {
        return enumValue(Dispatch.class, field, t, expected);
      }
      case ARCHITECTURE -> {
        return enumValue(dev.switchc.frontend.model.Architecture.class, field, t, expected);
      }
      case BOOLEAN -> {
        if (t.equals("true")) return Boolean.TRUE;
        if (t.equals("false")) return Boolean.FALSE;
        throw bad(field, t, expected, "is not a boolean");
      }
    }
    throw new AssertionError(this);
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String field, String t, String expected) {
    for (E e : type.getEnumConstants()) if (e.name().toLowerCase(Locale.ROOT).equals(t)) return e;
    throw bad(field, t, expected, "is not a valid value");
  }

  private static IllegalArgumentException bad(String field, String text, String expected, String why) {
    return new IllegalArgumentException(field + " = " + text + ": '" + text + "' " + why + "; expected " + expected);
  }
}
