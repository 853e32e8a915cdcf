package dev.switchc.frontend;

import java.util.List;
import java.util.Locale;

/**
 * Every field a program definition may set, by its spec-file (snake_case) name: the one table that
 * spec files, {@code --set} and the DSL builders all set fields through. Which fields a definition
 * accepts, their defaults and their ranges belong to its {@link ProgramKind}; meanings are in the
 * README ("Describing a layer", "Model semantics").
 */
public enum Field {
  ARCHITECTURE(FieldKind.ARCHITECTURE),
  VOCAB(FieldKind.INTEGER),
  BATCH(FieldKind.INTEGER),
  SEQ(FieldKind.INTEGER),
  DEC_SEQ(FieldKind.INTEGER),
  D_MODEL(FieldKind.INTEGER),
  D_FF(FieldKind.INTEGER),
  D_KV(FieldKind.INTEGER),
  HEADS(FieldKind.INTEGER),
  /** Sets both encoder_layers and decoder_layers (only decoder_layers for decoder-only models). */
  LAYERS(FieldKind.INTEGER),
  ENCODER_LAYERS(FieldKind.INTEGER),
  DECODER_LAYERS(FieldKind.INTEGER),
  /** A lone Switch layer's nonlinearity. */
  ACTIVATION(FieldKind.ACTIVATION),
  /** A model's feed-forward nonlinearity. */
  FFN(FieldKind.ACTIVATION),
  EXPERTS(FieldKind.INTEGER),
  SWITCH_EVERY(FieldKind.INTEGER),
  TOP_K(FieldKind.INTEGER),
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
  /** The router's computation dtype: f32 (selective precision, paper section 2.4) or bf16 (the paper's ablation). */
  ROUTER_DTYPE(FieldKind.DTYPE),
  DISPATCH(FieldKind.DISPATCH),
  INIT_SCALE(FieldKind.DECIMAL);

  private final FieldKind kind;

  Field(FieldKind kind) {
    this.kind = kind;
  }

  /** The snake_case name written in spec files and {@code --set}. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public FieldKind kind() {
    return kind;
  }

  /**
   * The fields this one stands for: writing it writes each of them, so a definition may not also
   * write one of them (capacity_factor for the train and eval factors, layers for both stacks).
   * Empty for an ordinary field.
   */
  public List<Field> covers() {
    return switch (this) {
      case CAPACITY_FACTOR -> List.of(TRAIN_CAPACITY_FACTOR, EVAL_CAPACITY_FACTOR);
      case LAYERS -> List.of(ENCODER_LAYERS, DECODER_LAYERS);
      default -> List.of();
    };
  }

  /**
   * The fields a value of this one is stored as: capacity_factor is stored as its two parts; every
   * other field (layers too, whose meaning depends on the architecture) as itself.
   */
  public List<Field> storedAs() {
    return this == CAPACITY_FACTOR ? covers() : List.of(this);
  }

  /** Why {@code this} and {@code other} (one covers the other) may not both be written. */
  public String conflictWith(Field other) {
    Field whole = covers().contains(other) ? this : other;
    List<Field> parts = whole.covers();
    return whole.specName() + " sets both " + parts.get(0).specName() + " and " + parts.get(1).specName() + ", so write either "
        + whole.specName() + " or " + parts.get(0).specName() + "/" + parts.get(1).specName() + ", not both";
  }
}
