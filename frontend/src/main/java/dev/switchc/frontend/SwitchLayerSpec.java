package dev.switchc.frontend;

import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.plan.Plan;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One Switch feed-forward layer (paper sections 2.1-2.2, appendix F): the model object that the
 * spec file and the Java DSL both produce. Plain values only; where each was written lives in
 * {@link Provenance}. Build it with {@link SwitchLayer#builder()} or {@code SpecFile.parse}, which
 * validate it; the constructor itself only rejects nulls.
 *
 * @param batch sequences per step; with {@code seq}, the static input shape [batch, seq, d_model]
 * @param groupSize tokens per routing group; batch * seq must be a multiple of it
 * @param trainCapacityFactor capacity factor in {@link Mode#TRAIN}, an exact decimal
 * @param evalCapacityFactor capacity factor in {@link Mode#EVAL}, an exact decimal
 * @param minCapacity lower bound on the expert capacity
 * @param activationDtype f32 or bf16 for the layer's activations
 * @param routerDtype the router's computation: f32 (selective precision, the default) or bf16 (the paper's table 2 ablation)
 */
public record SwitchLayerSpec(
    long batch,
    long seq,
    long dModel,
    long dFf,
    long experts,
    long groupSize,
    BigDecimal trainCapacityFactor,
    BigDecimal evalCapacityFactor,
    long minCapacity,
    Activation activation,
    DType activationDtype,
    DType routerDtype,
    double routerAuxLossCoef,
    double initScale,
    Dispatch dispatch) implements ProgramSpec {

  /** The {@code switch_layer} kind: fields, defaults and rules. */
  public static final ProgramKind<SwitchLayerSpec> KIND = LayerKind.INSTANCE;

  public SwitchLayerSpec {
    if (trainCapacityFactor == null || evalCapacityFactor == null || activation == null || activationDtype == null || routerDtype == null || dispatch == null)
      throw new IllegalArgumentException("SwitchLayerSpec fields must be non-null");
    // Normalised so that 1.0 written in Java and 1 written in a spec file are the same value.
    trainCapacityFactor = trainCapacityFactor.stripTrailingZeros();
    evalCapacityFactor = evalCapacityFactor.stripTrailingZeros();
  }

  public BigDecimal capacityFactor(Mode mode) {
    return mode == Mode.TRAIN ? trainCapacityFactor : evalCapacityFactor;
  }

  public long tokens() {
    return batch * seq;
  }

  public long groups() {
    return tokens() / groupSize;
  }

  /** Expert capacity per group in {@code mode}; see {@link ExpertCapacity}. */
  public long expertCapacity(Mode mode) {
    return ExpertCapacity.of(groupSize, experts, capacityFactor(mode), minCapacity);
  }

  @Override
  public ProgramKind<SwitchLayerSpec> kind() {
    return KIND;
  }

  @Override
  public Func ir(Provenance where, Mode mode) {
    return SwitchLayerIr.build(this, where, mode);
  }

  @Override
  public List<DataInput> dataInputs() {
    return List.of(DataInput.activations(SwitchLayerIr.X));
  }

  @Override
  public Map<String, String> planFacts(Mode mode, Mesh mesh, Layout layout) {
    return LayerPlanFacts.of(this, mode, mesh, layout);
  }

  @Override
  public String mainOutput() {
    return SwitchLayerIr.Y;
  }

  @Override
  public String summary(Mode mode, Plan plan) {
    return String.format(Locale.ROOT, "switch layer, %s mode: capacity factor %s, expert capacity %d per group, %d groups of %d tokens%n",
        mode.specName(), Decimals.text(capacityFactor(mode)), expertCapacity(mode), groups(), groupSize)
        + String.format(Locale.ROOT, "dispatch %s, activation %s, activations %s (router f32)%n", dispatch.specName(), activation.specName(),
            activationDtype.specName());
  }

  @Override
  public RunReport report(Mode mode, Plan plan, Outputs outputs) {
    return LayerReport.of(this, mode, outputs);
  }
}
