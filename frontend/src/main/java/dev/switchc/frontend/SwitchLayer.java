package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.DType;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;

/**
 * The Java DSL for one Switch FFN layer:
 *
 * <pre>{@code
 * Located<SwitchLayerSpec> layer = SwitchLayer.builder()
 *     .batch(8).seq(64).dModel(128).dFf(512).experts(8).groupSize(128)
 *     .capacityFactor(1.25).activation(Activation.GELU).activationDtype(DType.BF16)
 *     .build();
 * }</pre>
 *
 * Every setter records the caller's file and line, so a mistake is reported at the builder call
 * that made it. {@link #build()} validates everything at once ({@link LayerValidator}).
 */
public final class SwitchLayer {
  private SwitchLayer() {}

  public static Builder builder() {
    return new Builder(callerLoc("SwitchLayer.builder()"));
  }

  /** Where user code called into the DSL: the first stack frame outside this package. */
  static SourceLoc callerLoc(String call) {
    return CallSite.of(call, java.util.Set.of(SwitchLayer.class, Builder.class));
  }

  /** Accumulates fields; used by the DSL directly and by the spec parser through {@link #set}. */
  public static final class Builder {
    private final Map<LayerField, Object> values = new EnumMap<>(LayerField.class);
    private final Map<LayerField, Diagnostic> rejected = new EnumMap<>(LayerField.class);
    private Provenance where;

    /** {@code block} is the place of the whole definition (the spec block or the builder() call). */
    public Builder(SourceLoc block) {
      this.where = new Provenance(block, Map.of());
    }

    /**
     * Sets {@code field} to {@code value} (as returned by {@link LayerField#parse}), written at
     * {@code loc}. {@code capacity_factor} sets both the train and the eval factor.
     */
    public Builder set(LayerField field, Object value, SourceLoc loc) {
      if (field == LayerField.CAPACITY_FACTOR) {
        set(LayerField.TRAIN_CAPACITY_FACTOR, value, loc);
        return set(LayerField.EVAL_CAPACITY_FACTOR, value, loc);
      }
      values.put(field, value);
      rejected.remove(field);
      where = where.with(field.specName(), loc);
      return this;
    }

    /**
     * Records that {@code field} was written with a value that could not be converted (the spec
     * parser's case): {@link #build()} reports {@code why} and does not also call the field missing.
     * A later {@link #set} of the field (a {@code --set} override) clears the rejection.
     */
    public Builder reject(LayerField field, Diagnostic why) {
      for (LayerField f : parts(field)) {
        values.remove(f);
        rejected.put(f, why);
      }
      return this;
    }

    private static java.util.List<LayerField> parts(LayerField field) {
      return field == LayerField.CAPACITY_FACTOR ? java.util.List.of(LayerField.TRAIN_CAPACITY_FACTOR, LayerField.EVAL_CAPACITY_FACTOR)
          : java.util.List.of(field);
    }

    public boolean isSet(LayerField field) {
      return values.containsKey(field);
    }

    private Builder dsl(LayerField field, Object value, String call) {
      return set(field, value, callerLoc(call));
    }

    public Builder batch(long v) { return dsl(LayerField.BATCH, v, "batch(" + v + ")"); }

    public Builder seq(long v) { return dsl(LayerField.SEQ, v, "seq(" + v + ")"); }

    public Builder dModel(long v) { return dsl(LayerField.D_MODEL, v, "dModel(" + v + ")"); }

    public Builder dFf(long v) { return dsl(LayerField.D_FF, v, "dFf(" + v + ")"); }

    public Builder experts(long v) { return dsl(LayerField.EXPERTS, v, "experts(" + v + ")"); }

    public Builder groupSize(long v) { return dsl(LayerField.GROUP_SIZE, v, "groupSize(" + v + ")"); }

    public Builder minCapacity(long v) { return dsl(LayerField.MIN_CAPACITY, v, "minCapacity(" + v + ")"); }

    /** Both train and eval; the decimal is taken as written ({@code 1.1} is exactly 11/10). */
    public Builder capacityFactor(double v) { return dsl(LayerField.CAPACITY_FACTOR, decimal(v), "capacityFactor(" + v + ")"); }

    public Builder trainCapacityFactor(double v) { return dsl(LayerField.TRAIN_CAPACITY_FACTOR, decimal(v), "trainCapacityFactor(" + v + ")"); }

    public Builder evalCapacityFactor(double v) { return dsl(LayerField.EVAL_CAPACITY_FACTOR, decimal(v), "evalCapacityFactor(" + v + ")"); }

    public Builder activation(Activation v) { return dsl(LayerField.ACTIVATION, v, "activation(" + v + ")"); }

    public Builder activationDtype(DType v) { return dsl(LayerField.ACTIVATION_DTYPE, v, "activationDtype(" + v + ")"); }

    public Builder routerAuxLossCoef(double v) { return dsl(LayerField.ROUTER_AUX_LOSS_COEF, decimal(v), "routerAuxLossCoef(" + v + ")"); }

    public Builder initScale(double v) { return dsl(LayerField.INIT_SCALE, decimal(v), "initScale(" + v + ")"); }

    public Builder dispatch(Dispatch v) { return dsl(LayerField.DISPATCH, v, "dispatch(" + v + ")"); }

    private static BigDecimal decimal(double v) {
      if (!Double.isFinite(v)) return null; // reported by validation with the call that passed it
      return BigDecimal.valueOf(v); // the shortest decimal that prints as v: what the user typed
    }

    /**
     * The validated layer with the place of every field.
     *
     * @throws CompileError listing every problem, each at the call or spec line that caused it
     */
    public Located<SwitchLayerSpec> build() {
      LayerValidator.validate(values, rejected, where);
      SwitchLayerSpec spec = new SwitchLayerSpec(
          integer(LayerField.BATCH), integer(LayerField.SEQ), integer(LayerField.D_MODEL), integer(LayerField.D_FF),
          integer(LayerField.EXPERTS), integer(LayerField.GROUP_SIZE),
          decimal(LayerField.TRAIN_CAPACITY_FACTOR), decimal(LayerField.EVAL_CAPACITY_FACTOR), integer(LayerField.MIN_CAPACITY),
          (Activation) get(LayerField.ACTIVATION), (DType) get(LayerField.ACTIVATION_DTYPE),
          decimal(LayerField.ROUTER_AUX_LOSS_COEF).doubleValue(), decimal(LayerField.INIT_SCALE).doubleValue(),
          (Dispatch) get(LayerField.DISPATCH));
      return new Located<>(spec, where);
    }

    private Object get(LayerField f) {
      Object v = values.get(f);
      return v != null ? v : LayerValidator.defaultValue(f, values);
    }

    private long integer(LayerField f) {
      return (Long) get(f);
    }

    private BigDecimal decimal(LayerField f) {
      return (BigDecimal) get(f);
    }
  }
}
