package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Field;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.SpecBuilder;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.DType;
import dev.switchc.ir.SourceLoc;

/**
 * The Java DSL for a whole model:
 *
 * <pre>{@code
 * Located<ModelSpec> model = SwitchModel.builder()
 *     .dModel(768).dFf(3072).heads(12).layers(12)
 *     .experts(128).switchEvery(2)
 *     .batch(8).seq(512).decSeq(114).groupSize(114)
 *     .build();
 * }</pre>
 *
 * Every setter records the caller's file and line, so a mistake is reported at the builder call
 * that made it; {@link Builder#build()} validates everything at once ({@code SpecValidator}).
 */
public final class SwitchModel {
  private SwitchModel() {}

  public static Builder builder() {
    return new Builder(callerLoc("SwitchModel.builder()"));
  }

  static SourceLoc callerLoc(String call) {
    return dev.switchc.frontend.CallSite.of(call, java.util.Set.of(SwitchModel.class, Builder.class));
  }

  /** The typed setters of a model definition, over the {@link SpecBuilder} every kind shares. */
  public static final class Builder {
    private final SpecBuilder<ModelSpec> fields;

    /** {@code block} is the place of the whole definition (the builder() call). */
    public Builder(SourceLoc block) {
      this.fields = new SpecBuilder<>(ModelSpec.KIND, block);
    }

    private Builder dsl(Field field, Object value, String call) {
      fields.set(field, value, callerLoc(call));
      return this;
    }

    public Builder architecture(Architecture v) { return dsl(Field.ARCHITECTURE, v, "architecture(" + v + ")"); }

    public Builder vocab(long v) { return dsl(Field.VOCAB, v, "vocab(" + v + ")"); }

    public Builder dModel(long v) { return dsl(Field.D_MODEL, v, "dModel(" + v + ")"); }

    public Builder dFf(long v) { return dsl(Field.D_FF, v, "dFf(" + v + ")"); }

    public Builder dKv(long v) { return dsl(Field.D_KV, v, "dKv(" + v + ")"); }

    public Builder heads(long v) { return dsl(Field.HEADS, v, "heads(" + v + ")"); }

    /** Both stacks' depth (the decoder's only, for decoder-only models). */
    public Builder layers(long v) { return dsl(Field.LAYERS, v, "layers(" + v + ")"); }

    public Builder encoderLayers(long v) { return dsl(Field.ENCODER_LAYERS, v, "encoderLayers(" + v + ")"); }

    public Builder decoderLayers(long v) { return dsl(Field.DECODER_LAYERS, v, "decoderLayers(" + v + ")"); }

    public Builder ffn(Activation v) { return dsl(Field.FFN, v, "ffn(" + v + ")"); }

    public Builder experts(long v) { return dsl(Field.EXPERTS, v, "experts(" + v + ")"); }

    public Builder switchEvery(long v) { return dsl(Field.SWITCH_EVERY, v, "switchEvery(" + v + ")"); }

    public Builder topK(long v) { return dsl(Field.TOP_K, v, "topK(" + v + ")"); }

    public Builder batch(long v) { return dsl(Field.BATCH, v, "batch(" + v + ")"); }

    public Builder seq(long v) { return dsl(Field.SEQ, v, "seq(" + v + ")"); }

    public Builder decSeq(long v) { return dsl(Field.DEC_SEQ, v, "decSeq(" + v + ")"); }

    public Builder groupSize(long v) { return dsl(Field.GROUP_SIZE, v, "groupSize(" + v + ")"); }

    public Builder capacityFactor(double v) { return dsl(Field.CAPACITY_FACTOR, SwitchLayer.decimal(v), "capacityFactor(" + v + ")"); }

    public Builder trainCapacityFactor(double v) { return dsl(Field.TRAIN_CAPACITY_FACTOR, SwitchLayer.decimal(v), "trainCapacityFactor(" + v + ")"); }

    public Builder evalCapacityFactor(double v) { return dsl(Field.EVAL_CAPACITY_FACTOR, SwitchLayer.decimal(v), "evalCapacityFactor(" + v + ")"); }

    public Builder minCapacity(long v) { return dsl(Field.MIN_CAPACITY, v, "minCapacity(" + v + ")"); }

    public Builder routerAuxLossCoef(double v) { return dsl(Field.ROUTER_AUX_LOSS_COEF, SwitchLayer.decimal(v), "routerAuxLossCoef(" + v + ")"); }

    public Builder routerZLossCoef(double v) { return dsl(Field.ROUTER_Z_LOSS_COEF, SwitchLayer.decimal(v), "routerZLossCoef(" + v + ")"); }

    public Builder routerJitter(double v) { return dsl(Field.ROUTER_JITTER, SwitchLayer.decimal(v), "routerJitter(" + v + ")"); }

    public Builder dropout(double v) { return dsl(Field.DROPOUT, SwitchLayer.decimal(v), "dropout(" + v + ")"); }

    public Builder expertDropout(double v) { return dsl(Field.EXPERT_DROPOUT, SwitchLayer.decimal(v), "expertDropout(" + v + ")"); }

    public Builder relativeBuckets(long v) { return dsl(Field.RELATIVE_BUCKETS, v, "relativeBuckets(" + v + ")"); }

    public Builder relativeMaxDistance(long v) { return dsl(Field.RELATIVE_MAX_DISTANCE, v, "relativeMaxDistance(" + v + ")"); }

    public Builder tiedEmbeddings(boolean v) { return dsl(Field.TIED_EMBEDDINGS, v, "tiedEmbeddings(" + v + ")"); }

    public Builder activationDtype(DType v) { return dsl(Field.ACTIVATION_DTYPE, v, "activationDtype(" + v + ")"); }

    public Builder dispatch(Dispatch v) { return dsl(Field.DISPATCH, v, "dispatch(" + v + ")"); }

    public Builder routerDtype(DType v) { return dsl(Field.ROUTER_DTYPE, v, "routerDtype(" + v + ")"); }
    public Builder initScale(double v) { return dsl(Field.INIT_SCALE, SwitchLayer.decimal(v), "initScale(" + v + ")"); }

    /**
     * The validated model with the place of every field.
     *
     * @throws CompileError listing every problem, each at the call that caused it
     */
    public Located<ModelSpec> build() {
      return fields.build();
    }
  }
}
