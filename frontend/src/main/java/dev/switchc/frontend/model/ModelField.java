package dev.switchc.frontend.model;

import dev.switchc.frontend.FieldKind;
import dev.switchc.frontend.SpecField;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The fields of a {@code model} block, by their spec-file names. The spec parser, {@code --set},
 * presets and the {@link SwitchModel} DSL all set fields through this one table. Meanings are in
 * the README ("Model semantics"); defaults in {@link ModelValidator#defaultValue}.
 */
public enum ModelField implements SpecField {
  ARCHITECTURE(FieldKind.ARCHITECTURE),
  VOCAB(FieldKind.INTEGER),
  D_MODEL(FieldKind.INTEGER),
  D_FF(FieldKind.INTEGER),
  D_KV(FieldKind.INTEGER),
  HEADS(FieldKind.INTEGER),
  /** Sets both encoder_layers and decoder_layers (only decoder_layers for decoder-only models). */
  LAYERS(FieldKind.INTEGER),
  ENCODER_LAYERS(FieldKind.INTEGER),
  DECODER_LAYERS(FieldKind.INTEGER),
  FFN(FieldKind.ACTIVATION),
  EXPERTS(FieldKind.INTEGER),
  SWITCH_EVERY(FieldKind.INTEGER),
  TOP_K(FieldKind.INTEGER),
  BATCH(FieldKind.INTEGER),
  SEQ(FieldKind.INTEGER),
  DEC_SEQ(FieldKind.INTEGER),
  GROUP_SIZE(FieldKind.INTEGER),
  /** Sets both the train and the eval capacity factor. */
  CAPACITY_FACTOR(FieldKind.DECIMAL),
  TRAIN_CAPACITY_FACTOR(FieldKind.DECIMAL),
  EVAL_CAPACITY_FACTOR(FieldKind.DECIMAL),
  MIN_CAPACITY(FieldKind.INTEGER),
  ROUTER_AUX_LOSS_COEF(FieldKind.DECIMAL),
  ROUTER_Z_LOSS_COEF(FieldKind.DECIMAL),
  ROUTER_JITTER(FieldKind.DECIMAL),
  DROPOUT(FieldKind.DECIMAL),
  EXPERT_DROPOUT(FieldKind.DECIMAL),
  RELATIVE_BUCKETS(FieldKind.INTEGER),
  RELATIVE_MAX_DISTANCE(FieldKind.INTEGER),
  TIED_EMBEDDINGS(FieldKind.BOOLEAN),
  ACTIVATION_DTYPE(FieldKind.DTYPE),
  DISPATCH(FieldKind.DISPATCH),
  INIT_SCALE(FieldKind.DECIMAL);

  private final FieldKind kind;

  ModelField(FieldKind kind) {
    this.kind = kind;
  }

  FieldKind kind() {
    return kind;
  }

  @Override
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ModelField> bySpecName(String name) {
    return Arrays.stream(values()).filter(f -> f.specName().equals(name)).findFirst();
  }

  public static String allNames() {
    return Arrays.stream(values()).map(ModelField::specName).collect(Collectors.joining(", "));
  }

  @Override
  public String expected() {
    return this == EXPERTS ? "an integer >= 0 (0: a dense model)" : kind.expected();
  }

  @Override
  public Object parse(String text) {
    return kind.parse(specName(), text);
  }

  /** The fields this one sets (itself, or its parts). */
  java.util.List<ModelField> parts() {
    return switch (this) {
      case CAPACITY_FACTOR -> java.util.List.of(TRAIN_CAPACITY_FACTOR, EVAL_CAPACITY_FACTOR);
      default -> java.util.List.of(this);
    };
  }
}
