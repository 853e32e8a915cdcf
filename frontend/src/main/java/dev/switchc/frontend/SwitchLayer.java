package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.DType;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;

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
 * that made it. {@link Builder#build()} validates everything at once ({@link SpecValidator}).
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

  /** The typed setters of a layer definition, over the {@link SpecBuilder} every kind shares. */
  public static final class Builder {
    private final SpecBuilder<SwitchLayerSpec> fields;

    /** {@code block} is the place of the whole definition (the builder() call). */
    public Builder(SourceLoc block) {
      this.fields = new SpecBuilder<>(SwitchLayerSpec.KIND, block);
    }

    private Builder dsl(Field field, Object value, String call) {
      fields.set(field, value, callerLoc(call));
      return this;
    }

    public Builder batch(long v) { return dsl(Field.BATCH, v, "batch(" + v + ")"); }

    public Builder seq(long v) { return dsl(Field.SEQ, v, "seq(" + v + ")"); }

    public Builder dModel(long v) { return dsl(Field.D_MODEL, v, "dModel(" + v + ")"); }

    public Builder dFf(long v) { return dsl(Field.D_FF, v, "dFf(" + v + ")"); }

    public Builder experts(long v) { return dsl(Field.EXPERTS, v, "experts(" + v + ")"); }

    public Builder groupSize(long v) { return dsl(Field.GROUP_SIZE, v, "groupSize(" + v + ")"); }

    public Builder minCapacity(long v) { return dsl(Field.MIN_CAPACITY, v, "minCapacity(" + v + ")"); }

    /** Both train and eval; the decimal is taken as written ({@code 1.1} is exactly 11/10). */
    public Builder capacityFactor(double v) { return dsl(Field.CAPACITY_FACTOR, decimal(v), "capacityFactor(" + v + ")"); }

    public Builder trainCapacityFactor(double v) { return dsl(Field.TRAIN_CAPACITY_FACTOR, decimal(v), "trainCapacityFactor(" + v + ")"); }

    public Builder evalCapacityFactor(double v) { return dsl(Field.EVAL_CAPACITY_FACTOR, decimal(v), "evalCapacityFactor(" + v + ")"); }

    public Builder activation(Activation v) { return dsl(Field.ACTIVATION, v, "activation(" + v + ")"); }

    public Builder activationDtype(DType v) { return dsl(Field.ACTIVATION_DTYPE, v, "activationDtype(" + v + ")"); }

    public Builder routerAuxLossCoef(double v) { return dsl(Field.ROUTER_AUX_LOSS_COEF, decimal(v), "routerAuxLossCoef(" + v + ")"); }

    public Builder routerDtype(DType v) { return dsl(Field.ROUTER_DTYPE, v, "routerDtype(" + v + ")"); }
    public Builder initScale(double v) { return dsl(Field.INIT_SCALE, decimal(v), "initScale(" + v + ")"); }

    public Builder dispatch(Dispatch v) { return dsl(Field.DISPATCH, v, "dispatch(" + v + ")"); }

    /**
     * The validated layer with the place of every field.
     *
     * @throws CompileError listing every problem, each at the call that caused it
     */
    public Located<SwitchLayerSpec> build() {
      return fields.build();
    }
  }

  /** The shortest decimal that prints as {@code v}: what the user typed; non-finite is null, reported by validation at the call. */
  public static BigDecimal decimal(double v) {
    return Double.isFinite(v) ? BigDecimal.valueOf(v) : null;
  }
}
