package dev.switchc.frontend;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Switch feed-forward computation (paper sections 2.1-2.2, appendix F; README "Layer
 * semantics" and "Model semantics"), appended to a function under construction: used once by
 * {@link SwitchLayerIr} and once per sparse layer by the model builder.
 *
 * <p>Dimension names are chosen for the sharding pass: tokens live in {@code [group, token]} and
 * are routed over {@code experts_unsplit} (the router is replicated: every device routes its own
 * tokens over all experts); dispatched tokens first carry {@code [experts_unsplit, group, ...]}
 * (laid out like the tokens) and are then relabelled to {@code [experts, group_unsplit, ...]} (laid
 * out like the experts). That relabel is where the all-to-all of appendix F goes, once each way.
 */
public final class SwitchFfn {
  private SwitchFfn() {}

  /**
   * One Switch FFN's static configuration.
   *
   * @param group the groups of this call's tokens ({@code batch * length / group_size})
   * @param capacityField the spec field the capacity came from (train or eval capacity factor), for locations
   * @param kindField the spec field that chose the nonlinearity {@code kind} (a layer's activation, a model's ffn)
   * @param topK 1 (Switch) or 2 (Mesh TensorFlow's top-2 MoE, second policy "all")
   * @param router the dtype of the router's matmul and softmax: f32 (selective precision) or bf16 (the paper's ablation)
   * @param zLossCoef 0 emits no z-loss ops
   */
  public record Config(Dim experts, Dim group, Dim token, Dim capacity, Field capacityField, Dim dFf, int topK, Activation kind,
      Field kindField, DType act, DType router, double auxLossCoef, double zLossCoef, Dispatch dispatch) {
    Dim expertsUnsplit() {
      return new Dim("experts_unsplit", experts.size());
    }

    Dim groupUnsplit() {
      return new Dim("group_unsplit", group.size());
    }
  }

  /**
   * Training-mode noise of one Switch FFN (README "Noise"): router jitter and dropout of the
   * experts' hidden activations, drawn from {@code seed} at sites named after {@code site}
   * ({@code encoder/layer_001/ffn}).
   */
  public record NoiseSites(Value seed, String site, double routerJitter, double hiddenDropout) {
    static final NoiseSites NONE = new NoiseSites(null, "", 0, 0);
  }

  /** The trained tensors: {@code wi} has one matrix, or two ({@code wi_0}, {@code wi_1}) for GEGLU. */
  public record Weights(Value routerW, List<Value> wi, Value wo) {}

  /**
   * @param y same shape and dtype as the input
   * @param zLoss null when the coefficient is 0
   * @param tokensPerExpert first choices per expert before capacity, over all groups
   * @param dropped fraction of tokens whose first choice was dropped
   */
  public record Out(Value y, Value auxLoss, Value zLoss, Value tokensPerExpert, Value dropped) {}

  /** {@code x}: {@code [batch, length, d_model]} tokens in {@code c.act()}; flattened row-major into groups. */
  public static Out apply(FuncBuilder b, Provenance at, Config c, Value x, Weights w) {
    return apply(b, at, c, x, w, NoiseSites.NONE);
  }

  /**
   * {@link #apply(FuncBuilder, Provenance, Config, Value, Weights)} with training-mode noise. Each
   * step's ops are located at the field that decides them ({@code at.of(...)}).
   */
  public static Out apply(FuncBuilder b, Provenance at, Config c, Value x, Weights w, NoiseSites noise) {
    Dim dModel = x.shape().dims().get(2);
    Dim eu = c.expertsUnsplit();
    DType act = c.act();

    // Tokens in groups of group_size consecutive (row-major) tokens.
    Value tokens = b.at(at.of(Field.GROUP_SIZE)).reshape(x, Shape.of(c.group(), c.token(), dModel));

    // Router in f32 by default (selective precision, section 2.4): its input is cast to f32 and the
    // matmul and softmax run in f32. With router = bf16 (table 2's ablation) the jittered input, the
    // weights, the matmul and the softmax are bf16; logits and probabilities are then widened to f32
    // exactly, so everything after them (argmax, gate, aux and z losses) sees the bf16-rounded router.
    FuncBuilder.Ops o = b.at(at.of(Field.EXPERTS));
    Value routerIn = o.cast(tokens, DType.F32);
    if (noise.routerJitter() != 0)
      routerIn = Noise.jitter(b.at(at.of(Field.ROUTER_JITTER)), routerIn, noise.seed(), noise.site() + "/router_jitter", noise.routerJitter());
    Value logits, probs;
    if (c.router() == DType.F32) {
      logits = o.einsum(routerIn, w.routerW(), Shape.of(c.group(), c.token(), eu));
      probs = softmax(o, logits, eu.name());
    } else {
      FuncBuilder.Ops r = b.at(at.of(Field.ROUTER_DTYPE));
      Value narrowLogits = r.einsum(r.cast(routerIn, c.router()), r.cast(w.routerW(), c.router()), Shape.of(c.group(), c.token(), eu));
      probs = r.cast(softmax(r, narrowLogits, eu.name()), DType.F32);
      logits = r.cast(narrowLogits, DType.F32);
    }
    Value expert = o.argmax(logits, eu.name()); // same argmax as probs, without exp's ties
    Value gate = o.reduce(Op.ReduceFn.MAX, probs, eu.name()); // probability of the chosen expert

    // Load-balancing loss, equations 4-6, per group then averaged (appendix F, figure 14).
    o = b.at(at.of(Field.ROUTER_AUX_LOSS_COEF));
    Value mask = o.oneHot(expert, eu, DType.F32);
    Value fTimesP = o.mul(o.reduce(Op.ReduceFn.SUM, mask, "token"), o.reduce(Op.ReduceFn.SUM, probs, "token"));
    double scale = c.auxLossCoef() * c.experts().size() / ((double) c.group().size() * c.token().size() * c.token().size());
    Value auxLoss = o.mul(o.reduce(Op.ReduceFn.SUM, fTimesP, "group", eu.name()), o.scalar(scale, DType.F32));

    Value zLoss = null;
    if (c.zLossCoef() != 0) { // ST-MoE's router z-loss: mean over tokens of logsumexp(logits)^2
      o = b.at(at.of(Field.ROUTER_Z_LOSS_COEF));
      Value lse = logSumExp(o, logits, eu.name());
      zLoss = o.mul(o.reduce(Op.ReduceFn.SUM, o.mul(lse, lse), "group", "token"),
          o.scalar(c.zLossCoef() / ((double) c.group().size() * c.token().size()), DType.F32));
    }

    // Position in expert = earlier tokens of the group routed to the same expert; keep if < capacity.
    FuncBuilder.Ops cap = b.at(at.of(c.capacityField()));
    Value maskI = cap.oneHot(expert, eu, DType.I32);
    Value position = cap.reduce(Op.ReduceFn.SUM, cap.mul(cap.cumsum(maskI, "token", true), maskI), eu.name());
    Value capacity = cap.scalar(c.capacity().size(), DType.I32);
    Value kept = cap.compare(Op.Cmp.LT, position, capacity);

    List<Choice> choices;
    if (c.topK() == 1) {
      choices = List.of(new Choice(expert, position, kept, gate, cap.select(kept, gate, cap.scalar(0, DType.F32))));
    } else {
      // Second choice: the best other expert; its positions follow the group's kept first choices.
      o = b.at(at.of(Field.TOP_K));
      Value isFirst = o.compare(Op.Cmp.EQ, maskI, o.scalar(1, DType.I32));
      Value expert2 = o.argmax(o.select(isFirst, o.scalar(-3.0e38, DType.F32), logits), eu.name());
      Value mask2I = o.oneHot(expert2, eu, DType.I32);
      Value gate2 = o.reduce(Op.ReduceFn.SUM, o.mul(probs, o.oneHot(expert2, eu, DType.F32)), eu.name());
      Value denom = o.add(o.add(gate, gate2), o.scalar(1e-9, DType.F32));
      Value keptFirst = o.reduce(Op.ReduceFn.SUM, o.mul(maskI, o.cast(kept, DType.I32)), "token");
      Value position2 = o.reduce(Op.ReduceFn.SUM, o.mul(o.add(o.cumsum(mask2I, "token", true), keptFirst), mask2I), eu.name());
      Value kept2 = o.compare(Op.Cmp.LT, position2, capacity);
      Value gate1 = o.div(gate, denom);
      gate2 = o.div(gate2, denom);
      choices = List.of(new Choice(expert, position, kept, gate1, o.select(kept, gate1, o.scalar(0, DType.F32))),
          new Choice(expert2, position2, kept2, gate2, o.select(kept2, gate2, o.scalar(0, DType.F32))));
    }

    Value tokensPerExpert = cap.reduce(Op.ReduceFn.SUM, maskI, "group", "token");
    Value keptCount = cap.reduce(Op.ReduceFn.SUM, cap.cast(kept, DType.I32), "group", "token");
    long total = c.group().size() * c.token().size();
    Value dropped = cap.div(cap.cast(cap.sub(cap.scalar(total, DType.I32), keptCount), DType.F32), cap.scalar(total, DType.F32));

    // Dispatch to [experts_unsplit, group, capacity, d_model], laid out like the tokens.
    o = b.at(at.of(Field.DISPATCH));
    Shape groupSide = Shape.of(eu, c.group(), c.capacity(), dModel);
    Value dispatched = null;
    Value combine = null;
    if (c.dispatch() == Dispatch.GATHER) {
      // A dropped choice's slot index is out of range, so the scatter drops it; kept slots are distinct.
      for (Choice ch : choices) {
        Map<String, Value> slots = slots(ch.expert(), o.select(ch.kept(), ch.position(), capacity));
        dispatched = o.scatterAdd(dispatched == null ? o.constant(0, act, groupSide) : dispatched, tokens, slots);
      }
    } else {
      // One-hot of an out-of-range position is all zeros: dropped choices vanish from both tensors.
      Value dispatch = null;
      for (Choice ch : choices) {
        Value d = o.mul(o.oneHot(ch.expert(), eu, act), o.oneHot(ch.position(), c.capacity(), act));
        Value g = o.mul(d, o.cast(ch.gate(), act));
        dispatch = dispatch == null ? d : o.add(dispatch, d);
        combine = combine == null ? g : o.add(combine, g);
      }
      dispatched = o.einsum(tokens, dispatch, groupSide);
    }

    // Expert FFN on [experts, group_unsplit, capacity, ...], laid out like the experts.
    o = b.at(at.of(Field.EXPERTS));
    Dim[] expertSide = {c.experts(), c.groupUnsplit(), c.capacity()};
    Value expertIn = o.relabel(dispatched, Shape.of(expertSide[0], expertSide[1], expertSide[2], dModel));
    Value expertOut = ffn(b, at, expertIn, w.wi(), w.wo(), c.kind(), c.kindField(), c.dFf(), act,
        h -> Noise.dropout(b.at(at.of(Field.EXPERT_DROPOUT)), h, noise.seed(), noise.site() + "/hidden_dropout", noise.hiddenDropout()));
    Value back = o.relabel(expertOut, groupSide);

    // Combine: each kept choice takes its slot's output times its gate; dropped ones give 0.
    o = b.at(at.of(Field.DISPATCH));
    Value combined = null;
    Shape tokenShape = Shape.of(c.group(), c.token(), dModel);
    if (c.dispatch() == Dispatch.GATHER) {
      for (Choice ch : choices) {
        Value slot = o.select(ch.kept(), ch.position(), o.scalar(0, DType.I32));
        Value picked = o.gather(back, slots(ch.expert(), slot), tokenShape);
        Value y = o.mul(picked, o.cast(ch.gateKept(), act));
        combined = combined == null ? y : o.add(combined, y);
      }
    } else {
      combined = o.einsum(back, combine, tokenShape);
    }
    return new Out(b.at(at.block()).reshape(combined, x.shape()), auxLoss, zLoss, tokensPerExpert, dropped);
  }

  /** One routing choice of every token: its expert, position in that expert, whether kept, gate. */
  private record Choice(Value expert, Value position, Value kept, Value gate, Value gateKept) {}

  /**
   * The position-wise FFN {@code x·wi -> act -> ·wo} over whatever other dims {@code x} has (the
   * experts' batch dims, or a dense layer's tokens): {@code wi} is {@code [..., d_model, d_ff]}
   * (two of them for GEGLU), {@code wo} {@code [..., d_ff, d_model]}; weights are cast to {@code act}.
   * The matrix products are located at {@code d_ff}, the nonlinearity at {@code activation}.
   */
  public static Value ffn(FuncBuilder b, Provenance at, Value x, List<Value> wi, Value wo, Activation kind, Field kindField, Dim dFf, DType act) {
    return ffn(b, at, x, wi, wo, kind, kindField, dFf, act, h -> h);
  }

  /**
   * {@link #ffn(FuncBuilder, Provenance, Value, List, Value, Activation, Field, Dim, DType)}, with {@code hidden} applied to
   * the hidden activation (dropout); {@code kindField} is the field that chose the nonlinearity.
   */
  public static Value ffn(FuncBuilder b, Provenance at, Value x, List<Value> wi, Value wo, Activation kind, Field kindField, Dim dFf, DType act,
      java.util.function.UnaryOperator<Value> hidden) {
    List<Dim> hDims = new java.util.ArrayList<>(x.shape().dims());
    hDims.remove(hDims.size() - 1);
    hDims.add(dFf);
    Shape hShape = new Shape(hDims);
    FuncBuilder.Ops o = b.at(at.of(Field.D_FF));
    Value h = o.einsum(x, o.cast(wi.get(0), act), hShape);
    h = activation(b.at(at.of(kindField)), h, kind);
    if (kind.gated()) h = o.mul(h, o.einsum(x, o.cast(wi.get(1), act), hShape));
    h = hidden.apply(h);
    return o.einsum(h, o.cast(wo, act), x.shape());
  }

  /** Index map for the [experts_unsplit, expert_capacity] slots; ordered, so output is deterministic. */
  private static Map<String, Value> slots(Value expert, Value slot) {
    Map<String, Value> m = new LinkedHashMap<>();
    m.put("experts_unsplit", expert);
    m.put("expert_capacity", slot);
    return m;
  }

  public static Value softmax(FuncBuilder.Ops b, Value x, String dim) {
    Value shifted = b.sub(x, b.reduce(Op.ReduceFn.MAX, x, dim));
    Value e = b.unary(Op.UnaryFn.EXP, shifted);
    return b.div(e, b.reduce(Op.ReduceFn.SUM, e, dim));
  }

  /** {@code log(sum(exp(x)))} over {@code dim}, shifted by the max so that it cannot overflow. */
  public static Value logSumExp(FuncBuilder.Ops b, Value x, String dim) {
    Value max = b.reduce(Op.ReduceFn.MAX, x, dim);
    Value sum = b.reduce(Op.ReduceFn.SUM, b.unary(Op.UnaryFn.EXP, b.sub(x, max)), dim);
    return b.add(b.unary(Op.UnaryFn.LOG, sum), max);
  }

  /** The nonlinearity; for GEGLU the GELU of the gate half. */
  public static Value activation(FuncBuilder.Ops b, Value h, Activation a) {
    return switch (a) {
      case RELU -> b.max(h, b.scalar(0, h.dtype()));
      case GELU, GEGLU -> { // exact form: 0.5 h (1 + erf(h / sqrt 2))
        Value erf = b.unary(Op.UnaryFn.ERF, b.mul(h, b.scalar(1 / Math.sqrt(2), h.dtype())));
        yield b.mul(b.mul(h, b.scalar(0.5, h.dtype())), b.add(erf, b.scalar(1, h.dtype())));
      }
    };
  }
}
