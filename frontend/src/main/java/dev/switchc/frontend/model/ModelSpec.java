package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.ExpertCapacity;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Outputs;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.frontend.ProgramSpec;
import dev.switchc.frontend.Provenance;
import dev.switchc.frontend.RunReport;
import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.plan.Plan;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A whole Switch Transformer (paper section 2, T5 v1.0 architecture; semantics in the README,
 * "Model semantics"): the value that the {@code model} spec block, the presets and the
 * {@link SwitchModel} DSL all produce. Plain values; where each was written lives in the
 * {@code Provenance} next to it. Validated through {@link #KIND}; the constructor only rejects nulls.
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
    DType routerDtype,
    Dispatch dispatch,
    double initScale) implements ProgramSpec {

  /** The {@code model} kind: fields, defaults and rules. */
  public static final ProgramKind<ModelSpec> KIND = ModelKind.INSTANCE;

  public ModelSpec {
    if (architecture == null || ffn == null || trainCapacityFactor == null || evalCapacityFactor == null || activationDtype == null || routerDtype == null
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

  @Override
  public ProgramKind<ModelSpec> kind() {
    return KIND;
  }

  @Override
  public Func ir(Provenance where, Mode mode) {
    return ModelIr.build(this, where, mode);
  }

  /** Token ids, the targets of an encoder-decoder, and the noise seed of a training-mode program with noise. */
  @Override
  public List<DataInput> dataInputs() {
    List<DataInput> in = new ArrayList<>(List.of(DataInput.tokenIds(ModelIr.INPUTS, DataInput.Role.INPUT, vocab)));
    if (encoderDecoder()) in.add(DataInput.tokenIds(ModelIr.TARGETS, DataInput.Role.TARGETS, vocab));
    in.add(DataInput.seed(ModelIr.SEED));
    return in;
  }

  @Override
  public Map<String, String> planFacts(Mode mode, Mesh mesh, Layout layout) {
    return ModelPlanFacts.of(this, mode, mesh, layout);
  }

  @Override
  public String mainOutput() {
    return ModelIr.LOGITS;
  }

  @Override
  public String summary(Mode mode, Plan plan) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "model %s, %d parameters%n", plan.program(), plan.parameterCount()));
    plan.facts().forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
    return sb.toString();
  }

  @Override
  public RunReport report(Mode mode, Plan plan, Outputs out) {
    float loss = out.floats(ModelIr.LOSS)[0], crossEntropy = out.floats(ModelIr.CROSS_ENTROPY)[0];
    float aux = out.floats(ModelIr.AUX_LOSS)[0], z = out.floats(ModelIr.Z_LOSS)[0];
    Map<String, Object> losses = new java.util.LinkedHashMap<>();
    losses.put("mode", mode.specName());
    losses.put("loss", loss);
    losses.put("cross_entropy", crossEntropy);
    losses.put("aux_loss", aux);
    losses.put("z_loss", z);
    return new RunReport(String.format(Locale.ROOT, "%s, %d parameters: loss %.6g = cross_entropy %.6g + aux_loss %.6g + z_loss %.6g%n",
        plan.program(), plan.parameterCount(), loss, crossEntropy, aux, z), losses);
  }
}
