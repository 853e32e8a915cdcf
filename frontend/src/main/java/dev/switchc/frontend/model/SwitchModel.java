package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Provenance;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.DType;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;

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
 * that made it; {@link Builder#build()} validates everything at once ({@link ModelValidator}).
 */
public final class SwitchModel {
  private SwitchModel() {}

  public static Builder builder() {
    return new Builder(callerLoc("SwitchModel.builder()"));
  }

  static SourceLoc callerLoc(String call) {
    return dev.switchc.frontend.CallSite.of(call, java.util.Set.of(SwitchModel.class, Builder.class));
  }

  /** Accumulates fields; used by the DSL directly and by spec files and presets through {@link #set}. */
  public static final class Builder {
    private final Map<ModelField, Object> values = new EnumMap<>(ModelField.class);
    private final Map<ModelField, Diagnostic> rejected = new EnumMap<>(ModelField.class);
    private Provenance where;

    /** {@code block} is the place of the whole definition (the spec block, preset or builder() call). */
    public Builder(SourceLoc block) {
      this.where = new Provenance(block, Map.of());
    }

    /** Sets {@code field} to {@code value} (as {@link ModelField#parse} returns it), written at {@code loc}. */
    public Builder set(ModelField field, Object value, SourceLoc loc) {
      for (ModelField f : field.parts()) {
        values.put(f, value);
        rejected.remove(f);
        where = where.with(f.specName(), loc);
      }
      if (field == ModelField.LAYERS) // both stacks: an earlier encoder_layers or decoder_layers no longer applies
        for (ModelField f : java.util.List.of(ModelField.ENCODER_LAYERS, ModelField.DECODER_LAYERS)) {
          values.remove(f);
          rejected.remove(f);
          where = where.with(f.specName(), loc);
        }
      return this;
    }

    /** {@code field} was written with a value that could not be read: reported by {@link #build()}, not also as missing. */
    public Builder reject(ModelField field, Diagnostic why) {
      for (ModelField f : field.parts()) {
        values.remove(f);
        rejected.put(f, why);
      }
      return this;
    }

    private Builder dsl(ModelField field, Object value, String call) {
      return set(field, value, callerLoc(call));
    }

    private Builder dslDecimal(ModelField field, double value, String call) {
      // The shortest decimal that prints as the double: what the user typed; non-finite is reported by validation.
      return dsl(field, Double.isFinite(value) ? BigDecimal.valueOf(value) : null, call);
    }

    public Builder architecture(Architecture v) { return dsl(ModelField.ARCHITECTURE, v, "architecture(" + v + ")"); }

    public Builder vocab(long v) { return dsl(ModelField.VOCAB, v, "vocab(" + v + ")"); }

    public Builder dModel(long v) { return dsl(ModelField.D_MODEL, v, "dModel(" + v + ")"); }

    public Builder dFf(long v) { return dsl(ModelField.D_FF, v, "dFf(" + v + ")"); }

    public Builder dKv(long v) { return dsl(ModelField.D_KV, v, "dKv(" + v + ")"); }

    public Builder heads(long v) { return dsl(ModelField.HEADS, v, "heads(" + v + ")"); }

    /** Both stacks' depth (the decoder's only, for decoder-only models). */
    public Builder layers(long v) { return dsl(ModelField.LAYERS, v, "layers(" + v + ")"); }

    public Builder encoderLayers(long v) { return dsl(ModelField.ENCODER_LAYERS, v, "encoderLayers(" + v + ")"); }

    public Builder decoderLayers(long v) { return dsl(ModelField.DECODER_LAYERS, v, "decoderLayers(" + v + ")"); }

    public Builder ffn(Activation v) { return dsl(ModelField.FFN, v, "ffn(" + v + ")"); }

    public Builder experts(long v) { return dsl(ModelField.EXPERTS, v, "experts(" + v + ")"); }

    public Builder switchEvery(long v) { return dsl(ModelField.SWITCH_EVERY, v, "switchEvery(" + v + ")"); }

    public Builder topK(long v) { return dsl(ModelField.TOP_K, v, "topK(" + v + ")"); }

    public Builder batch(long v) { return dsl(ModelField.BATCH, v, "batch(" + v + ")"); }

    public Builder seq(long v) { return dsl(ModelField.SEQ, v, "seq(" + v + ")"); }

    public Builder decSeq(long v) { return dsl(ModelField.DEC_SEQ, v, "decSeq(" + v + ")"); }

    public Builder groupSize(long v) { return dsl(ModelField.GROUP_SIZE, v, "groupSize(" + v + ")"); }

    public Builder capacityFactor(double v) { return dslDecimal(ModelField.CAPACITY_FACTOR, v, "capacityFactor(" + v + ")"); }

    public Builder trainCapacityFactor(double v) { return dslDecimal(ModelField.TRAIN_CAPACITY_FACTOR, v, "trainCapacityFactor(" + v + ")"); }

    public Builder evalCapacityFactor(double v) { return dslDecimal(ModelField.EVAL_CAPACITY_FACTOR, v, "evalCapacityFactor(" + v + ")"); }

    public Builder minCapacity(long v) { return dsl(ModelField.MIN_CAPACITY, v, "minCapacity(" + v + ")"); }

    public Builder routerAuxLossCoef(double v) { return dslDecimal(ModelField.ROUTER_AUX_LOSS_COEF, v, "routerAuxLossCoef(" + v + ")"); }

    public Builder routerZLossCoef(double v) { return dslDecimal(ModelField.ROUTER_Z_LOSS_COEF, v, "routerZLossCoef(" + v + ")"); }

    public Builder routerJitter(double v) { return dslDecimal(ModelField.ROUTER_JITTER, v, "routerJitter(" + v + ")"); }

    public Builder dropout(double v) { return dslDecimal(ModelField.DROPOUT, v, "dropout(" + v + ")"); }

    public Builder expertDropout(double v) { return dslDecimal(ModelField.EXPERT_DROPOUT, v, "expertDropout(" + v + ")"); }

    public Builder relativeBuckets(long v) { return dsl(ModelField.RELATIVE_BUCKETS, v, "relativeBuckets(" + v + ")"); }

    public Builder relativeMaxDistance(long v) { return dsl(ModelField.RELATIVE_MAX_DISTANCE, v, "relativeMaxDistance(" + v + ")"); }

    public Builder tiedEmbeddings(boolean v) { return dsl(ModelField.TIED_EMBEDDINGS, v, "tiedEmbeddings(" + v + ")"); }

    public Builder activationDtype(DType v) { return dsl(ModelField.ACTIVATION_DTYPE, v, "activationDtype(" + v + ")"); }

    public Builder dispatch(Dispatch v) { return dsl(ModelField.DISPATCH, v, "dispatch(" + v + ")"); }

    public Builder initScale(double v) { return dslDecimal(ModelField.INIT_SCALE, v, "initScale(" + v + ")"); }

    /**
     * The validated model with the place of every field.
     *
     * @throws CompileError listing every problem, each at the call or spec line that caused it
     */
    public Located<ModelSpec> build() {
      ModelValidator.validate(values, rejected, where);
      Architecture arch = (Architecture) get(ModelField.ARCHITECTURE);
      boolean encDec = arch == Architecture.ENCODER_DECODER;
      long layers = values.containsKey(ModelField.LAYERS) ? integer(ModelField.LAYERS) : 0;
      long encoderLayers = !encDec ? 0 : values.containsKey(ModelField.ENCODER_LAYERS) ? integer(ModelField.ENCODER_LAYERS) : layers;
      long decoderLayers = values.containsKey(ModelField.DECODER_LAYERS) ? integer(ModelField.DECODER_LAYERS) : layers;
      ModelSpec spec = new ModelSpec(arch, integer(ModelField.VOCAB), integer(ModelField.D_MODEL), integer(ModelField.D_FF),
          integer(ModelField.D_KV), integer(ModelField.HEADS), encoderLayers, decoderLayers, (Activation) get(ModelField.FFN),
          integer(ModelField.EXPERTS), integer(ModelField.SWITCH_EVERY), integer(ModelField.TOP_K), integer(ModelField.BATCH),
          integer(ModelField.SEQ), encDec ? integer(ModelField.DEC_SEQ) : integer(ModelField.SEQ), integer(ModelField.GROUP_SIZE),
          decimal(ModelField.TRAIN_CAPACITY_FACTOR), decimal(ModelField.EVAL_CAPACITY_FACTOR), integer(ModelField.MIN_CAPACITY),
          real(ModelField.ROUTER_AUX_LOSS_COEF), real(ModelField.ROUTER_Z_LOSS_COEF), real(ModelField.ROUTER_JITTER),
          real(ModelField.DROPOUT), real(ModelField.EXPERT_DROPOUT), integer(ModelField.RELATIVE_BUCKETS),
          integer(ModelField.RELATIVE_MAX_DISTANCE), (Boolean) get(ModelField.TIED_EMBEDDINGS), (DType) get(ModelField.ACTIVATION_DTYPE),
          (Dispatch) get(ModelField.DISPATCH), real(ModelField.INIT_SCALE));
      return new Located<>(spec, where);
    }

    private Object get(ModelField f) {
      Object v = values.get(f);
      return v != null ? v : ModelValidator.defaultValue(f, values);
    }

    private long integer(ModelField f) {
      return (Long) get(f);
    }

    private BigDecimal decimal(ModelField f) {
      return (BigDecimal) get(f);
    }

    private double real(ModelField f) {
      return decimal(f).doubleValue();
    }
  }
}
