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
   * Converts {@code text}, written for field {@code field}.
   *
   * @throws IllegalArgumentException with a message naming the field, the text and what is expected
   */
  public Object parse(String field, String text) {
    String t = text.trim();
    switch (this) {
      case INTEGER -> {
        if (t.matches("[-+]?[0-9]+")) {
          try {
            return Long.parseLong(t);
          } catch (NumberFormatException e) {
            throw bad(field, t, "is too large");
          }
        }
        if (t.matches("[-+]?[0-9]*\\.[0-9]+")) throw bad(field, t, "is not an integer");
        if (t.matches("[-+]?[0-9]*\\.?[0-9]+[eE][-+]?[0-9]+")) throw bad(field, t, "is not written as a plain integer");
        throw bad(field, t, "is not a number");
      }
      case DECIMAL -> {
        if (!t.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) throw bad(field, t, "is not a number");
        try {
          return new BigDecimal(t);
        } catch (NumberFormatException e) { // an exponent beyond int range, such as 1e99999999999
          throw bad(field, t, "is out of range");
        }
      }
      case ACTIVATION -> {
        return enumValue(Activation.class, field, t);
      }
      case DTYPE -> {
        if (t.equals("f32")) return DType.F32;
        if (t.equals("bf16")) return DType.BF16;
        throw bad(field, t, "is not a supported activation dtype");
      }
      case DISPATCH -> {
        return enumValue(Dispatch.class, field, t);
      }
      case ARCHITECTURE -> {
        return enumValue(dev.switchc.frontend.model.Architecture.class, field, t);
      }
      case BOOLEAN -> {
        if (t.equals("true")) return Boolean.TRUE;
        if (t.equals("false")) return Boolean.FALSE;
        throw bad(field, t, "is not a boolean");
      }
    }
    throw new AssertionError(this);
  }

  private <E extends Enum<E>> E enumValue(Class<E> type, String field, String t) {
    for (E e : type.getEnumConstants()) if (e.name().toLowerCase(Locale.ROOT).equals(t)) return e;
    throw bad(field, t, "is not a valid value");
  }

  private IllegalArgumentException bad(String field, String text, String why) {
    return new IllegalArgumentException(field + " = " + text + ": '" + text + "' " + why + "; expected " + expected());
  }
}
