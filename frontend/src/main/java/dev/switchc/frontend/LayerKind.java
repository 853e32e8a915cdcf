package dev.switchc.frontend;

import dev.switchc.ir.DType;
import dev.switchc.ir.Diagnostic;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code switch_layer} definition: one Switch FFN layer ({@link SwitchLayerSpec}). */
final class LayerKind extends KindBase<SwitchLayerSpec> {
  private LayerKind() {
    super("switch_layer", "layer", "'switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }'", FIELDS, DIMENSIONS);
  }

  private static final List<Field> FIELDS = List.of(Field.BATCH, Field.SEQ, Field.D_MODEL, Field.D_FF, Field.EXPERTS, Field.GROUP_SIZE,
      Field.CAPACITY_FACTOR, Field.TRAIN_CAPACITY_FACTOR, Field.EVAL_CAPACITY_FACTOR, Field.MIN_CAPACITY, Field.ACTIVATION, Field.ACTIVATION_DTYPE,
      Field.ROUTER_DTYPE, Field.ROUTER_AUX_LOSS_COEF, Field.INIT_SCALE, Field.DISPATCH);

  private static final List<Field> REQUIRED = List.of(Field.BATCH, Field.SEQ, Field.D_MODEL, Field.D_FF, Field.EXPERTS);

  /**
   * The IR dimension names of the Switch layer ({@code SwitchLayerIr.LayerDims}), in that order:
   * the names a layout rule may split.
   */
  static final List<String> DIMENSIONS = List.of("batch", "seq", "d_model", "d_ff", "experts", "group", "token", "expert_capacity",
      "experts_unsplit", "group_unsplit");

  /** Made after the tables above, which its constructor reads. */
  static final LayerKind INSTANCE = new LayerKind();

  /** {@code group_size} defaults to one group per sequence; the factors to Mesh TensorFlow's. */
  @Override
  public Object defaultValue(Field f, Map<Field, Object> values) {
    return switch (f) {
      case GROUP_SIZE -> values.get(Field.SEQ);
      case MIN_CAPACITY -> 4L;
      case TRAIN_CAPACITY_FACTOR -> new BigDecimal("1.25");
      case EVAL_CAPACITY_FACTOR -> new BigDecimal("2.0");
      case ACTIVATION -> Activation.RELU;
      case ACTIVATION_DTYPE, ROUTER_DTYPE -> DType.F32;
      case ROUTER_AUX_LOSS_COEF -> new BigDecimal("0.01");
      case INIT_SCALE -> new BigDecimal("0.1");
      case DISPATCH -> Dispatch.GATHER;
      default -> null;
    };
  }

  @Override
  public List<Field> required(Map<Field, Object> values, Set<Field> written) {
    return REQUIRED;
  }

  @Override
  public String rangeProblem(Field f, Object v) {
    if (v instanceof Long n) return SpecValidator.integerRange(n, 1, Long.MAX_VALUE, expected(f));
    if (v instanceof BigDecimal d) return SpecValidator.decimalRange(d, f == Field.ROUTER_AUX_LOSS_COEF, false, expected(f));
    return null;
  }

  @Override
  public void crossFieldRules(Map<Field, Object> values, Provenance where, List<Diagnostic> errors) {
    long batch = (Long) values.get(Field.BATCH), seq = (Long) values.get(Field.SEQ);
    long group = (Long) (values.containsKey(Field.GROUP_SIZE) ? values.get(Field.GROUP_SIZE) : seq);
    long tokens;
    try {
      tokens = Math.multiplyExact(batch, seq);
    } catch (ArithmeticException e) {
      errors.add(new Diagnostic(where.of(Field.SEQ), "batch * seq = " + batch + " * " + seq + " overflows 64 bits"));
      return;
    }
    if (tokens % group != 0)
      errors.add(new Diagnostic(where.of(Field.GROUP_SIZE), "group_size = " + group + " does not divide batch * seq = " + batch + " * " + seq + " = "
          + tokens + "; every group must be full: use a divisor of " + tokens + " such as " + SpecValidator.divisorAtMost(tokens, group)));
  }

  @Override
  public SwitchLayerSpec create(Map<Field, Object> values) {
    FieldValues v = new FieldValues(this, values);
    return new SwitchLayerSpec(v.integer(Field.BATCH), v.integer(Field.SEQ), v.integer(Field.D_MODEL), v.integer(Field.D_FF), v.integer(Field.EXPERTS),
        v.integer(Field.GROUP_SIZE), v.decimal(Field.TRAIN_CAPACITY_FACTOR), v.decimal(Field.EVAL_CAPACITY_FACTOR), v.integer(Field.MIN_CAPACITY),
        v.get(Field.ACTIVATION, Activation.class), v.get(Field.ACTIVATION_DTYPE, DType.class), v.get(Field.ROUTER_DTYPE, DType.class), v.real(Field.ROUTER_AUX_LOSS_COEF),
        v.real(Field.INIT_SCALE), v.get(Field.DISPATCH, Dispatch.class));
  }
}
