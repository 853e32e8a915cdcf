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
   * @param topK 1 (Switch) or 2 (Mesh TensorFlow's top-2 MoE, second policy "all")
   * @param zLossCoef 0 emits no z-loss ops
   */
  public record Config(Dim experts, Dim group, Dim token, Dim capacity, String capacityField, Dim dFf, int topK, Activation kind,
      DType act, double auxLossCoef, double zLossCoef, Dispatch dispatch) {
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

  /** {@link #apply(FuncBuilder, Provenance, Config, Value, Weights)} with training-mode noise. */
  public static Out apply(FuncBuilder b, Provenance at, Config c, Value x, Weights w, NoiseSites noise) {
    Dim dModel = x.shape().dims().get(2);
    Dim eu = c.expertsUnsplit();
    DType act = c.act();

    // Tokens in groups of group_size consecutive (row-major) tokens.
    b.at(at.of("group_size"));
    Value tokens = b.reshape(x, Shape.of(c.group(), c.token(), dModel));

    // Router, always in f32 (selective precision, section 2.4).
    b.at(at.of("experts"));
    Value routerIn = b.cast(tokens, DType.F32);
    if (noise.routerJitter() != 0) {
      b.at(at.of("router_jitter"));
      routerIn = Noise.jitter(b, routerIn, noise.seed(), noise.site() + "/router_jitter", noise.routerJitter());
      b.at(at.of("experts"));
    }
    Value logits = b.einsum(routerIn, w.routerW(), Shape.of(c.group(), c.token(), eu));
    Value probs = softmax(b, logits, eu.name());
    Value expert = b.argmax(logits, eu.name()); // same argmax as probs, without exp's ties
    Value gate = b.reduce(Op.ReduceFn.MAX, probs, eu.name()); // probability of the chosen expert

    // Load-balancing loss, equations 4-6, per group then averaged (appendix F, figure 14).
    b.at(at.of("router_aux_loss_coef"));
    Value mask = b.oneHot(expert, eu, DType.F32);
    Value fTimesP = b.mul(b.reduce(Op.ReduceFn.SUM, mask, "token"), b.reduce(Op.ReduceFn.SUM, probs, "token"));
    double scale = c.auxLossCoef() * c.experts().size() / ((double) c.group().size() * c.token().size() * c.token().size());
    Value auxLoss = b.mul(b.reduce(Op.ReduceFn.SUM, fTimesP, "group", eu.name()), b.scalar(scale, DType.F32));

    Value zLoss = null;
    if (c.zLossCoef() != 0) { // ST-MoE's router z-loss: mean over tokens of logsumexp(logits)^2
      b.at(at.of("router_z_loss_coef"));
      Value lse = logSumExp(b, logits, eu.name());
      zLoss = b.mul(b.reduce(Op.ReduceFn.SUM, b.mul(lse, lse), "group", "token"),
          b.scalar(c.zLossCoef() / ((double) c.group().size() * c.token().size()), DType.F32));
    }

    // Position in expert = earlier tokens of the group routed to the same expert; keep if < capacity.
    b.at(at.of(c.capacityField()));
    Value maskI = b.oneHot(expert, eu, DType.I32);
    Value position = b.reduce(Op.ReduceFn.SUM, b.mul(b.cumsum(maskI, "token", true), maskI), eu.name());
    Value capacity = b.scalar(c.capacity().size(), DType.I32);
    Value kept = b.compare(Op.Cmp.LT, position, capacity);

    List<Choice> choices;
    if (c.topK() == 1) {
      choices = List.of(new Choice(expert, position, kept, gate, b.select(kept, gate, b.scalar(0, DType.F32))));
    } else {
      // Second choice: the best other expert; its positions follow the group's kept first choices.
      b.at(at.of("top_k"));
      Value isFirst = b.compare(Op.Cmp.EQ, maskI, b.scalar(1, DType.I32));
      Value expert2 = b.argmax(b.select(isFirst, b.scalar(-3.0e38, DType.F32), logits), eu.name());
      Value mask2I = b.oneHot(expert2, eu, DType.I32);
      Value gate2 = b.reduce(Op.ReduceFn.SUM, b.mul(probs, b.oneHot(expert2, eu, DType.F32)), eu.name());
      Value denom = b.add(b.add(gate, gate2), b.scalar(1e-9, DType.F32));
      Value keptFirst = b.reduce(Op.ReduceFn.SUM, b.mul(maskI, b.cast(kept, DType.I32)), "token");
      Value position2 = b.reduce(Op.ReduceFn.SUM, b.mul(b.add(b.cumsum(mask2I, "token", true), keptFirst), mask2I), eu.name());
      Value kept2 = b.compare(Op.Cmp.LT, position2, capacity);
      Value gate1 = b.div(gate, denom);
      gate2 = b.div(gate2, denom);
      choices = List.of(new Choice(expert, position, kept, gate1, b.select(kept, gate1, b.scalar(0, DType.F32))),
          new Choice(expert2, position2, kept2, gate2, b.select(kept2, gate2, b.scalar(0, DType.F32))));
    }

    b.at(at.of(c.capacityField()));
    Value tokensPerExpert = b.reduce(Op.ReduceFn.SUM, maskI, "group", "token");
    Value keptCount = b.reduce(Op.ReduceFn.SUM, b.cast(kept, DType.I32), "group", "token");
    long total = c.group().size() * c.token().size();
    Value dropped = b.div(b.cast(b.sub(b.scalar(total, DType.I32), keptCount), DType.F32), b.scalar(total, DType.F32));

    // Dispatch to [experts_unsplit, group, capacity, d_model], laid out like the tokens.
    b.at(at.of("dispatch"));
    Shape groupSide = Shape.of(eu, c.group(), c.capacity(), dModel);
    Value dispatched = null;
    Value combine = null;
    if (c.dispatch() == Dispatch.GATHER) {
      // A dropped choice's slot index is out of range, so the scatter drops it; kept slots are distinct.
      for (Choice ch : choices) {
        Map<String, Value> slots = slots(ch.expert(), b.select(ch.kept(), ch.position(), capacity));
        dispatched = b.scatterAdd(dispatched == null ? b.constant(0, act, groupSide) : dispatched, tokens, slots);
      }
    } else {
      // One-hot of an out-of-range position is all zeros: dropped choices vanish from both tensors.
      Value dispatch = null;
      for (Choice ch : choices) {
        Value d = b.mul(b.oneHot(ch.expert(), eu, act), b.oneHot(ch.position(), c.capacity(), act));
        Value g = b.mul(d, b.cast(ch.gate(), act));
        dispatch = dispatch == null ? d : b.add(dispatch, d);
        combine = combine == null ? g : b.add(combine, g);
      }
      dispatched = b.einsum(tokens, dispatch, groupSide);
    }

    // Expert FFN on [experts, group_unsplit, capacity, ...], laid out like the experts.
    b.at(at.of("experts"));
    Dim[] expertSide = {c.experts(), c.groupUnsplit(), c.capacity()};
    Value expertIn = b.relabel(dispatched, Shape.of(expertSide[0], expertSide[1], expertSide[2], dModel));
    Value expertOut = ffn(b, at, expertIn, w.wi(), w.wo(), c.kind(), c.dFf(), act,
        h -> Noise.dropout(b.at(at.of("expert_dropout")), h, noise.seed(), noise.site() + "/hidden_dropout", noise.hiddenDropout()));
    b.at(at.of("experts"));
    Value back = b.relabel(expertOut, groupSide);

    // Combine: each kept choice takes its slot's output times its gate; dropped ones give 0.
    b.at(at.of("dispatch"));
    Value combined = null;
    Shape tokenShape = Shape.of(c.group(), c.token(), dModel);
    if (c.dispatch() == Dispatch.GATHER) {
      for (Choice ch : choices) {
        Value slot = b.select(ch.kept(), ch.position(), b.scalar(0, DType.I32));
        Value picked = b.gather(back, slots(ch.expert(), slot), tokenShape);
        Value y = b.mul(picked, b.cast(ch.gateKept(), act));
        combined = combined == null ? y : b.add(combined, y);
      }
    } else {
      combined = b.einsum(back, combine, tokenShape);
    }
    b.at(at.block());
    return new Out(b.reshape(combined, x.shape()), auxLoss, zLoss, tokensPerExpert, dropped);
  }

  /** One routing choice of every token: its expert, position in that expert, whether kept, gate. */
  private record Choice(Value expert, Value position, Value kept, Value gate, Value gateKept) {}

  /**
   * The position-wise FFN {@code x·wi -> act -> ·wo} over whatever other dims {@code x} has (the
   * experts' batch dims, or a dense layer's tokens): {@code wi} is {@code [..., d_model, d_ff]}
   * (two of them for GEGLU), {@code wo} {@code [..., d_ff, d_model]}; weights are cast to {@code act}.
   */
  public static Value ffn(FuncBuilder b, Provenance at, Value x, List<Value> wi, Value wo, Activation kind, Dim dFf, DType act) {
    return ffn(b, at, x, wi, wo, kind, dFf, act, h -> h);
  }

  /** {@link #ffn(FuncBuilder, Provenance, Value, List, Value, Activation, Dim, DType)}, with {@code hidden} applied to the hidden activation (dropout). */
  public static Value ffn(FuncBuilder b, Provenance at, Value x, List<Value> wi, Value wo, Activation kind, Dim dFf, DType act,
      java.util.function.UnaryOperator<Value> hidden) {
    List<Dim> hDims = new java.util.ArrayList<>(x.shape().dims());
    Dim dModel = hDims.remove(hDims.size() - 1);
    hDims.add(dFf);
    Shape hShape = new Shape(hDims);
    b.at(at.of("d_ff"));
    Value h = b.einsum(x, b.cast(wi.get(0), act), hShape);
    b.at(at.of("activation"));
    h = activation(b, h, kind);
    if (kind.gated()) {
      b.at(at.of("d_ff"));
      h = b.mul(h, b.einsum(x, b.cast(wi.get(1), act), hShape));
    }
    h = hidden.apply(h);
    b.at(at.of("d_ff"));
    return b.einsum(h, b.cast(wo, act), x.shape());
  }

  /** Index map for the [experts_unsplit, expert_capacity] slots; ordered, so output is deterministic. */
  private static Map<String, Value> slots(Value expert, Value slot) {
    Map<String, Value> m = new LinkedHashMap<>();
    m.put("experts_unsplit", expert);
    m.put("expert_capacity", slot);
    return m;
  }

  public static Value softmax(FuncBuilder b, Value x, String dim) {
    Value shifted = b.sub(x, b.reduce(Op.ReduceFn.MAX, x, dim));
    Value e = b.unary(Op.UnaryFn.EXP, shifted);
    return b.div(e, b.reduce(Op.ReduceFn.SUM, e, dim));
  }

  /** {@code log(sum(exp(x)))} over {@code dim}, shifted by the max so that it cannot overflow. */
  public static Value logSumExp(FuncBuilder b, Value x, String dim) {
    Value max = b.reduce(Op.ReduceFn.MAX, x, dim);
    Value sum = b.reduce(Op.ReduceFn.SUM, b.unary(Op.UnaryFn.EXP, b.sub(x, max)), dim);
    return b.add(b.unary(Op.UnaryFn.LOG, sum), max);
  }

  /** The nonlinearity; for GEGLU the GELU of the gate half. */
  public static Value activation(FuncBuilder b, Value h, Activation a) {
    return switch (a) {
      case RELU -> b.max(h, b.scalar(0, h.dtype()));
      case GELU, GEGLU -> { // exact form: 0.5 h (1 + erf(h / sqrt 2))
        Value erf = b.unary(Op.UnaryFn.ERF, b.mul(h, b.scalar(1 / Math.sqrt(2), h.dtype())));
        yield b.mul(b.mul(h, b.scalar(0.5, h.dtype())), b.add(erf, b.scalar(1, h.dtype())));
      }
    };
  }
}
