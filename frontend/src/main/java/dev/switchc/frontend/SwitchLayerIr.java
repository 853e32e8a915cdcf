package dev.switchc.frontend;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one Switch FFN layer as named-dimension IR (paper section 2.1-2.2, appendix F; the
 * semantics are spelled out in the README). Parameters {@code x}, {@code router/w},
 * {@code experts/wi} (GEGLU: {@code experts/wi_0} and {@code experts/wi_1}), {@code experts/wo};
 * results {@code y}, {@code aux_loss}, {@code tokens_per_expert}, {@code dropped_fraction}.
 *
 * <p>The computation itself, and the dimension names chosen for the sharding pass, are in {@link SwitchFfn}.
 */
public final class SwitchLayerIr {
  private SwitchLayerIr() {}

  /** Names of the function's parameters and results, shared with parameter files and the CLI. */
  public static final String X = "x", ROUTER_W = "router/w", EXPERTS_WI = "experts/wi", EXPERTS_WO = "experts/wo";

  public static final String Y = "y", AUX_LOSS = "aux_loss", TOKENS_PER_EXPERT = "tokens_per_expert", DROPPED_FRACTION = "dropped_fraction";

  /** The layer in {@code mode}: {@link SwitchLayerSpec#ir} of a located definition. */
  public static Func build(Located<SwitchLayerSpec> layer, Mode mode) {
    return build(layer.value(), layer.where(), mode);
  }

  /** The layer {@code s} in {@code mode}; {@code at} says where each of its fields was written. */
  static Func build(SwitchLayerSpec s, Provenance at, Mode mode) {
    LayerDims d = LayerDims.of(s, mode);
    DType act = s.activationDtype();
    FuncBuilder b = new FuncBuilder("switch_layer");

    Value x = b.param(X, new TensorType(act, Shape.of(d.batch(), d.seq(), d.dModel())));
    // The router's expert dim is experts_unsplit: every device routes its own tokens over all experts.
    Value routerW = b.param(ROUTER_W, new TensorType(DType.F32, Shape.of(d.dModel(), d.expertsUnsplit())));

    List<Value> wiList = new ArrayList<>();
    if (s.activation().gated()) {
      for (String name : List.of(EXPERTS_WI + "_0", EXPERTS_WI + "_1"))
        wiList.add(b.param(name, new TensorType(DType.F32, Shape.of(d.experts(), d.dModel(), d.dFf()))));
    } else {
      wiList.add(b.param(EXPERTS_WI, new TensorType(DType.F32, Shape.of(d.experts(), d.dModel(), d.dFf()))));
    }
    Value wo = b.param(EXPERTS_WO, new TensorType(DType.F32, Shape.of(d.experts(), d.dFf(), d.dModel())));

    SwitchFfn.Config config = new SwitchFfn.Config(d.experts(), d.group(), d.token(), d.capacity(),
        mode == Mode.TRAIN ? Field.TRAIN_CAPACITY_FACTOR : Field.EVAL_CAPACITY_FACTOR, d.dFf(), 1, s.activation(), Field.ACTIVATION, act,
        s.routerDtype(), s.routerAuxLossCoef(), 0, s.dispatch());
    SwitchFfn.Out out = SwitchFfn.apply(b, at, config, x, new SwitchFfn.Weights(routerW, wiList, wo));
    b.result(Y, out.y());
    b.result(AUX_LOSS, out.auxLoss());
    b.result(TOKENS_PER_EXPERT, out.tokensPerExpert());
    b.result(DROPPED_FRACTION, out.dropped());
    return b.build();
  }

  /** The named dimensions of one layer in one mode. */
  public record LayerDims(Dim batch, Dim seq, Dim dModel, Dim dFf, Dim experts, Dim group, Dim token, Dim capacity,
      Dim expertsUnsplit, Dim groupUnsplit) {
    public static LayerDims of(SwitchLayerSpec s, Mode mode) {
      return new LayerDims(new Dim("batch", s.batch()), new Dim("seq", s.seq()), new Dim("d_model", s.dModel()),
          new Dim("d_ff", s.dFf()), new Dim("experts", s.experts()), new Dim("group", s.groups()),
          new Dim("token", s.groupSize()), new Dim("expert_capacity", s.expertCapacity(mode)),
          new Dim("experts_unsplit", s.experts()), new Dim("group_unsplit", s.groups()));
    }
  }
}
