package dev.switchc.frontend;

import dev.switchc.ir.DType;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The fields of a {@code switch_layer} definition, by their spec-file (snake_case) names. The spec
 * parser, {@code --set} overrides and the DSL all set fields through this one table, which is why
 * they produce the same {@link SwitchLayerSpec}.
 */
public enum LayerField {
  BATCH(Kind.INTEGER),
  SEQ(Kind.INTEGER),
  D_MODEL(Kind.INTEGER),
  D_FF(Kind.INTEGER),
  EXPERTS(Kind.INTEGER),
  GROUP_SIZE(Kind.INTEGER),
  /** Sets both the train and the eval capacity factor. */
  CAPACITY_FACTOR(Kind.DECIMAL),
  TRAIN_CAPACITY_FACTOR(Kind.DECIMAL),
  EVAL_CAPACITY_FACTOR(Kind.DECIMAL),
  MIN_CAPACITY(Kind.INTEGER),
  ACTIVATION(Kind.ACTIVATION),
  ACTIVATION_DTYPE(Kind.DTYPE),
  ROUTER_AUX_LOSS_COEF(Kind.DECIMAL),
  INIT_SCALE(Kind.DECIMAL),
  DISPATCH(Kind.DISPATCH);

  enum Kind { INTEGER, DECIMAL, ACTIVATION, DTYPE, DISPATCH }

  private final Kind kind;

  LayerField(Kind kind) {
    this.kind = kind;
  }

  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<LayerField> bySpecName(String name) {
    return Arrays.stream(values()).filter(f -> f.specName().equals(name)).findFirst();
  }

  public static String allNames() {
    return Arrays.stream(values()).map(LayerField::specName).collect(Collectors.joining(", "));
  }

  /** What a value of this field looks like, for messages. */
  public String expected() {
    return switch (kind) {
      case INTEGER -> "a positive integer";
      case DECIMAL -> "a decimal number such as 1.25";
      case ACTIVATION -> "one of relu, gelu";
      case DTYPE -> "one of f32, bf16";
      case DISPATCH -> "one of gather, einsum";
    };
  }

  /**
   * Converts the literal text of a value (a spec-file token or the right side of {@code --set}) to
   * this field's type: Long, BigDecimal or an enum. Range checks happen later, in validation, so the
   * DSL and the spec file share them.
   *
   * @throws IllegalArgumentException with a message naming the field, the text and what is expected
   */
  public Object parse(String text) {
    String t = text.trim();
    switch (kind) {
      case INTEGER -> {
        if (t.matches("[-+]?[0-9]+")) {
          try {
            return Long.parseLong(t);
          } catch (NumberFormatException e) {
            throw bad(t, "is too large");
          }
        }
        if (t.matches("[-+]?[0-9]*\\.[0-9]+")) throw bad(t, "is not an integer");
        if (t.matches("[-+]?[0-9]*\\.?[0-9]+[eE][-+]?[0-9]+")) throw bad(t, "is not written as a plain integer");
        throw bad(t, "is not a number");
      }
      case DECIMAL -> {
        if (!t.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) throw bad(t, "is not a number");
        try {
          return new BigDecimal(t);
        } catch (NumberFormatException e) { // an exponent beyond int range, such as 1e99999999999
          throw bad(t, "is out of range");
        }
      }
      case ACTIVATION -> {
        return enumValue(Activation.class, t);
      }
      case DTYPE -> {
        if (t.equals("f32")) return DType.F32;
        if (t.equals("bf16")) return DType.BF16;
        throw bad(t, "is not a supported activation dtype");
      }
      case DISPATCH -> {
        return enumValue(Dispatch.class, t);
      }
    }
    throw new AssertionError(kind);
  }

  private <E extends Enum<E>> E enumValue(Class<E> type, String t) {
    for (E e : type.getEnumConstants()) if (e.name().toLowerCase(Locale.ROOT).equals(t)) return e;
    throw bad(t, "is not a valid value");
  }

  private IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException(specName() + " = " + text + ": '" + text + "' " + why + "; expected " + expected());
  }
}
