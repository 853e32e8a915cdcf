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
    return switch (this) {
      case EXPERTS -> "an integer >= 0 (0: a dense model)";
      case ENCODER_LAYERS -> "an integer >= 0 (0: no encoder layers)";
      case TOP_K -> "1 (Switch routing) or 2 (top-2 routing)";
      case RELATIVE_BUCKETS -> "an even integer of at least 4 (half of the buckets per direction in the encoder), e.g. 32";
      case ROUTER_JITTER, DROPOUT, EXPERT_DROPOUT -> "a fraction in [0, 1) such as 0.1";
      default -> kind.expected();
    };
  }

  @Override
  public Object parse(String text) {
    try {
      return kind.parse(specName(), text);
    } catch (IllegalArgumentException e) { // the kind's message ends with what the kind expects; say what this field expects
      String m = e.getMessage(), kindExpects = "; expected " + kind.expected();
      if (!m.endsWith(kindExpects) || expected().equals(kind.expected())) throw e;
      throw new IllegalArgumentException(m.substring(0, m.length() - kindExpects.length()) + "; expected " + expected(), e);
    }
  }

  /** The fields this one sets (itself, or its parts). */
  java.util.List<ModelField> parts() {
    return switch (this) {
      case CAPACITY_FACTOR -> java.util.List.of(TRAIN_CAPACITY_FACTOR, EVAL_CAPACITY_FACTOR);
      default -> java.util.List.of(this);
    };
  }
}
