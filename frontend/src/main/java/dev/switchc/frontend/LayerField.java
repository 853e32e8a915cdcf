package dev.switchc.frontend;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The fields of a {@code switch_layer} definition, by their spec-file (snake_case) names. The spec
 * parser, {@code --set} overrides and the DSL all set fields through this one table, which is why
 * they produce the same {@link SwitchLayerSpec}.
 */
public enum LayerField implements SpecField {
  BATCH(FieldKind.INTEGER),
  SEQ(FieldKind.INTEGER),
  D_MODEL(FieldKind.INTEGER),
  D_FF(FieldKind.INTEGER),
  EXPERTS(FieldKind.INTEGER),
  GROUP_SIZE(FieldKind.INTEGER),
  /** Sets both the train and the eval capacity factor. */
  CAPACITY_FACTOR(FieldKind.DECIMAL),
  TRAIN_CAPACITY_FACTOR(FieldKind.DECIMAL),
  EVAL_CAPACITY_FACTOR(FieldKind.DECIMAL),
  MIN_CAPACITY(FieldKind.INTEGER),
  ACTIVATION(FieldKind.ACTIVATION),
  ACTIVATION_DTYPE(FieldKind.DTYPE),
  ROUTER_AUX_LOSS_COEF(FieldKind.DECIMAL),
  INIT_SCALE(FieldKind.DECIMAL),
  DISPATCH(FieldKind.DISPATCH);

  private final FieldKind kind;

  LayerField(FieldKind kind) {
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
    return kind.expected();
  }

  /**
   * Converts the literal text of a value (a spec-file token or the right side of {@code --set}) to
   * this field's type: Long, BigDecimal or an enum. Range checks happen later, in validation, so the
   * DSL and the spec file share them.
   *
   * @throws IllegalArgumentException with a message naming the field, the text and what is expected
   */
  public Object parse(String text) {
    return kind.parse(specName(), text);
  }
}
