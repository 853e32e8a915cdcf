package dev.switchc.frontend;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds one Switch FFN layer as named-dimension IR (paper section 2.1-2.2, appendix F; the
 * semantics are spelled out in the README). Parameters {@code x}, {@code router/w},
 * {@code experts/wi}, {@code experts/wo}; results {@code y}, {@code aux_loss},
 * {@code tokens_per_expert}, {@code dropped_fraction}.
 *
 * <p>Dimension names are chosen for the sharding pass: tokens live in {@code [group, token]} and
 * are routed over {@code experts_unsplit} (the router is replicated: every device routes its own
 * tokens over all experts);
 * dispatched tokens first carry {@code [experts_unsplit, group, ...]} (laid out like the tokens)
 * and are then relabelled to {@code [experts, group_unsplit, ...]} (laid out like the experts).
 * That relabel is where the all-to-all of appendix F goes, once each way.
 */
public final class SwitchLayerIr {
  private SwitchLayerIr() {}

  /** Names of the function's parameters and results, shared with parameter files and the CLI. */
  public static final String X = "x", ROUTER_W = "router/w", EXPERTS_WI = "experts/wi", EXPERTS_WO = "experts/wo";

  public static final String Y = "y", AUX_LOSS = "aux_loss", TOKENS_PER_EXPERT = "tokens_per_expert", DROPPED_FRACTION = "dropped_fraction";

  public static Func build(Located<SwitchLayerSpec> layer, Mode mode) {
    SwitchLayerSpec s = layer.value();
    Provenance at = layer.where();
    LayerDims d = LayerDims.of(s, mode);
    DType act = s.activationDtype();
    FuncBuilder b = new FuncBuilder("switch_layer").at(at.block());

    Value x = b.param(X, new TensorType(act, Shape.of(d.batch(), d.seq(), d.dModel())));
    // The router's expert dim is experts_unsplit: every device routes its own tokens over all experts.
    Value routerW = b.param(ROUTER_W, new TensorType(DType.F32, Shape.of(d.dModel(), d.expertsUnsplit())));
    Value wi = b.param(EXPERTS_WI, new TensorType(DType.F32, Shape.of(d.experts(), d.dModel(), d.dFf())));
    Value wo = b.param(EXPERTS_WO, new TensorType(DType.F32, Shape.of(d.experts(), d.dFf(), d.dModel())));

    // Tokens in groups of group_size consecutive (row-major) tokens.
    b.at(at.of("group_size"));
    Value tokens = b.reshape(x, Shape.of(d.group(), d.token(), d.dModel()));

    // Router, always in f32 (selective precision, section 2.4).
    b.at(at.of("experts"));
    Value logits = b.einsum(b.cast(tokens, DType.F32), routerW, Shape.of(d.group(), d.token(), d.expertsUnsplit()));
    Value probs = softmax(b, logits, "experts_unsplit");
    Value expert = b.argmax(logits, "experts_unsplit"); // same argmax as probs, without exp's ties
    Value gate = b.reduce(Op.ReduceFn.MAX, probs, "experts_unsplit"); // probability of the chosen expert

    // Load-balancing loss, equations 4-6, per group then averaged (appendix F, figure 14).
    b.at(at.of("router_aux_loss_coef"));
    Value mask = b.oneHot(expert, d.expertsUnsplit(), DType.F32);
    Value fTimesP = b.mul(b.reduce(Op.ReduceFn.SUM, mask, "token"), b.reduce(Op.ReduceFn.SUM, probs, "token"));
    double scale = s.routerAuxLossCoef() * d.experts().size() / ((double) d.group().size() * d.token().size() * d.token().size());
    Value auxLoss = b.mul(b.reduce(Op.ReduceFn.SUM, fTimesP, "group", "experts_unsplit"), b.scalar(scale, DType.F32));

    // Position in expert = earlier tokens of the group routed to the same expert; keep if < capacity.
    b.at(at.of(mode == Mode.TRAIN ? "train_capacity_factor" : "eval_capacity_factor"));
    Value maskI = b.oneHot(expert, d.expertsUnsplit(), DType.I32);
    Value position = b.reduce(Op.ReduceFn.SUM, b.mul(b.cumsum(maskI, "token", true), maskI), "experts_unsplit");
    Value capacity = b.scalar(d.capacity().size(), DType.I32);
    Value kept = b.compare(Op.Cmp.LT, position, capacity);
    Value gateKept = b.select(kept, gate, b.scalar(0, DType.F32));

    Value tokensPerExpert = b.reduce(Op.ReduceFn.SUM, maskI, "group", "token");
    Value keptCount = b.reduce(Op.ReduceFn.SUM, b.cast(kept, DType.I32), "group", "token");
    long total = d.group().size() * d.token().size();
    Value dropped = b.div(b.cast(b.sub(b.scalar(total, DType.I32), keptCount), DType.F32), b.scalar(total, DType.F32));

    // Dispatch to [experts_unsplit, group, capacity, d_model], laid out like the tokens.
    b.at(at.of("dispatch"));
    Shape groupSide = Shape.of(d.expertsUnsplit(), d.group(), d.capacity(), d.dModel());
    Value dispatched;
    Value combine = null;
    if (s.dispatch() == Dispatch.GATHER) {
      // A dropped token's slot index is out of range, so the scatter drops it.
      Value slot = b.select(kept, position, capacity);
      dispatched = b.scatterAdd(b.constant(0, act, groupSide), tokens, slots(expert, slot));
    } else {
      // One-hot of an out-of-range position is all zeros: dropped tokens vanish from both tensors.
      Value dispatch = b.mul(b.oneHot(expert, d.expertsUnsplit(), act), b.oneHot(position, d.capacity(), act));
      combine = b.mul(dispatch, b.cast(gate, act));
      dispatched = b.einsum(tokens, dispatch, groupSide);
    }

    // Expert FFN on [experts, group_unsplit, capacity, ...], laid out like the experts.
    b.at(at.of("experts"));
    Value expertIn = b.relabel(dispatched, Shape.of(d.experts(), d.groupUnsplit(), d.capacity(), d.dModel()));
    b.at(at.of("d_ff"));
    Value h = b.einsum(expertIn, b.cast(wi, act), Shape.of(d.experts(), d.groupUnsplit(), d.capacity(), d.dFf()));
    b.at(at.of("activation"));
    h = activation(b, h, s.activation());
    b.at(at.of("d_ff"));
    Value expertOut = b.einsum(h, b.cast(wo, act), Shape.of(d.experts(), d.groupUnsplit(), d.capacity(), d.dModel()));
    b.at(at.of("experts"));
    Value back = b.relabel(expertOut, groupSide);

    // Combine: each kept token takes its slot's output times its gate; dropped tokens give 0.
    b.at(at.of("dispatch"));
    Value combined;
    if (s.dispatch() == Dispatch.GATHER) {
      Value slot = b.select(kept, position, b.scalar(0, DType.I32));
      Value picked = b.gather(back, slots(expert, slot), Shape.of(d.group(), d.token(), d.dModel()));
      combined = b.mul(picked, b.cast(gateKept, act));
    } else {
      combined = b.einsum(back, combine, Shape.of(d.group(), d.token(), d.dModel()));
    }
    b.at(at.block());
    b.result(Y, b.reshape(combined, Shape.of(d.batch(), d.seq(), d.dModel())));
    b.result(AUX_LOSS, auxLoss);
    b.result(TOKENS_PER_EXPERT, tokensPerExpert);
    b.result(DROPPED_FRACTION, dropped);
    return b.build();
  }

  /** Index map for the [experts_unsplit, expert_capacity] slots; ordered, so output is deterministic. */
  private static Map<String, Value> slots(Value expert, Value slot) {
    Map<String, Value> m = new LinkedHashMap<>();
    m.put("experts_unsplit", expert);
    m.put("expert_capacity", slot);
    return m;
  }

  static Value softmax(FuncBuilder b, Value x, String dim) {
    Value shifted = b.sub(x, b.reduce(Op.ReduceFn.MAX, x, dim));
    Value e = b.unary(Op.UnaryFn.EXP, shifted);
    return b.div(e, b.reduce(Op.ReduceFn.SUM, e, dim));
  }

  static Value activation(FuncBuilder b, Value h, Activation a) {
    return switch (a) {
      case RELU -> b.max(h, b.scalar(0, h.dtype()));
      case GELU -> { // exact form: 0.5 h (1 + erf(h / sqrt 2))
        Value erf = b.unary(Op.UnaryFn.ERF, b.mul(h, b.scalar(1 / Math.sqrt(2), h.dtype())));
        yield b.mul(b.mul(h, b.scalar(0.5, h.dtype())), b.add(erf, b.scalar(1, h.dtype())));
      }
    };
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
