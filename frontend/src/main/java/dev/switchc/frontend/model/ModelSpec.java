package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.ExpertCapacity;
import dev.switchc.frontend.Mode;
import dev.switchc.ir.DType;
import java.math.BigDecimal;

/**
 * A whole Switch Transformer (paper section 2, T5 v1.0 architecture; semantics in the README,
 * "Model semantics"): the value that the {@code model} spec block, the presets and the
 * {@link SwitchModel} DSL all produce. Plain values; where each was written lives in the
 * {@code Provenance} next to it. Validated by {@link ModelValidator}; the constructor only rejects nulls.
 *
 * @param experts experts per Switch FFN; 0 makes a dense model (no Switch layers)
 * @param switchEvery layer {@code i} of a stack has a Switch FFN iff {@code (i + 1) % switchEvery == 0}
 * @param seq encoder length (decoder length for decoder-only models)
 * @param decSeq decoder (target) length of an encoder-decoder; equals {@code seq} for decoder-only
 * @param groupSize tokens per routing group, in each stack
 */
public record ModelSpec(
    Architecture architecture,
    long vocab,
    long dModel,
    long dFf,
    long dKv,
    long heads,
    long encoderLayers,
    long decoderLayers,
    Activation ffn,
    long experts,
    long switchEvery,
    long topK,
    long batch,
    long seq,
    long decSeq,
    long groupSize,
    BigDecimal trainCapacityFactor,
    BigDecimal evalCapacityFactor,
    long minCapacity,
    double routerAuxLossCoef,
    double routerZLossCoef,
    double routerJitter,
    double dropout,
    double expertDropout,
    long relativeBuckets,
    long relativeMaxDistance,
    boolean tiedEmbeddings,
    DType activationDtype,
    Dispatch dispatch,
    double initScale) {

  public ModelSpec {
    if (architecture == null || ffn == null || trainCapacityFactor == null || evalCapacityFactor == null || activationDtype == null
        || dispatch == null)
      throw new IllegalArgumentException("ModelSpec fields must be non-null");
    trainCapacityFactor = trainCapacityFactor.stripTrailingZeros();
    evalCapacityFactor = evalCapacityFactor.stripTrailingZeros();
  }

  public boolean encoderDecoder() {
    return architecture == Architecture.ENCODER_DECODER;
  }

  /** Whether layer {@code layer} (0-based) of a stack has a Switch FFN. */
  public boolean isSwitch(long layer) {
    return experts > 0 && (layer + 1) % switchEvery == 0;
  }

  public BigDecimal capacityFactor(Mode mode) {
    return mode == Mode.TRAIN ? trainCapacityFactor : evalCapacityFactor;
  }

  /** Expert capacity per group (the same in both stacks: it depends on the group size only). */
  public long expertCapacity(Mode mode) {
    return ExpertCapacity.of(groupSize, Math.max(experts, 1), capacityFactor(mode), minCapacity);
  }

  /** The decoder's length: {@code decSeq} for an encoder-decoder, {@code seq} for a decoder-only model. */
  public long decoderLength() {
    return encoderDecoder() ? decSeq : seq;
  }
}
