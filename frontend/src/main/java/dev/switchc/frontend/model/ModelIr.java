package dev.switchc.frontend.model;

import dev.switchc.frontend.Field;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Noise;
import dev.switchc.frontend.Provenance;
import dev.switchc.frontend.SwitchFfn;
import dev.switchc.ir.DType;
import dev.switchc.ir.DeadCode;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a whole model as named-dimension IR (README "Model semantics"): T5 v1.0 stacks whose
 * sparse layers are {@link SwitchFfn}s. Parameters are named as in parameter files
 * ({@code shared/embedding}, {@code encoder/layer_001/ffn/experts/wi}, ...); results
 * {@code logits}, {@code loss}, {@code cross_entropy}, {@code aux_loss}, {@code z_loss}.
 *
 * <p>Dimension names carry the layout: {@code seq} / {@code dec_seq} are the query positions of the
 * encoder / decoder, {@code key_seq} / {@code dec_key_seq} their self-attention keys (the same
 * positions under another name, so a tensor can hold both), cross-attention keys are the encoder's
 * {@code seq}. {@code heads} and {@code d_ff} are what model parallelism splits.
 */
public final class ModelIr {
  private ModelIr() {}

  public static final String INPUTS = "inputs", TARGETS = "targets", SEED = "seed";
  public static final String LOGITS = "logits", LOSS = "loss", CROSS_ENTROPY = "cross_entropy", AUX_LOSS = "aux_loss", Z_LOSS = "z_loss";
  /** Training-mode router metrics: {@code dropped_fraction} (mean over Switch layers), and per layer {@code dropped_fraction/<layer>}, {@code tokens_per_expert/<layer>}. */
  public static final String DROPPED_FRACTION = "dropped_fraction", TOKENS_PER_EXPERT = "tokens_per_expert";

  /**
   * The attention logit of a masked key (README): it replaces the logit rather than being added, so
   * f32 and exact arithmetic agree, and a query whose every key is masked attends uniformly.
   */
  static final double MASKED = -1e9;
  static final double NORM_EPSILON = 1e-6;

  /**
   * The model's forward pass in {@code mode}; {@code where} says where each field was written. In
   * training mode with dropout, expert dropout or router jitter the function takes one more input,
   * {@link #SEED}.
   */
  static Func build(ModelSpec model, Provenance where, Mode mode) {
    return new ModelIr.Builder(model, where, mode).build();
  }

  /** The model in {@code mode}: {@link ModelSpec#ir} of a located definition. */
  public static Func build(Located<ModelSpec> model, Mode mode) {
    return build(model.value(), model.where(), mode);
  }


  /** Parameter names of layer {@code i} of {@code stack}: {@code encoder/layer_003}. */
  public static String layerPrefix(String stack, long i) {
    return stack + "/layer_" + String.format(Locale.ROOT, "%03d", i);
  }

  /**
   * Every op is located at the field that decides it, within the part of the model it belongs to
   * ({@code root.within("encoder/layer_003")}); a helper takes the {@link FuncBuilder.Ops} its
   * caller's ops are made with, so no location outlives the ops it was made for.
   */
  private static final class Builder {
    final ModelSpec s;
    final Provenance root;
    final Mode mode;
    final DType act;
    final FuncBuilder b;
    final Dim batch, vocab, dModel, heads, dKv, dFf, relBucket;
    final List<Value> auxLosses = new ArrayList<>(), zLosses = new ArrayList<>();
    /** Each Switch layer's router statistics, by layer prefix, in order: results of a training-mode program. */
    final Map<String, SwitchFfn.Out> routing = new LinkedHashMap<>();
    /** The noise seed in training mode with any noise, else null (and every rate below is 0). */
    Value seed;
    final double dropout, expertDropout, jitter;

    Builder(ModelSpec model, Provenance where, Mode mode) {
      this.s = model;
      this.root = where;
      this.mode = mode;
      this.act = s.activationDtype();
      this.b = new FuncBuilder(s.encoderDecoder() ? "switch_transformer" : "switch_lm");
      batch = new Dim("batch", s.batch());
      vocab = new Dim("vocab", s.vocab());
      dModel = new Dim("d_model", s.dModel());
      heads = new Dim("heads", s.heads());
      dKv = new Dim("d_kv", s.dKv());
      dFf = new Dim("d_ff", s.dFf());
      relBucket = new Dim("rel_bucket", s.relativeBuckets());
      boolean train = mode == Mode.TRAIN;
      dropout = train ? s.dropout() : 0;
      expertDropout = train ? s.expertDropout() : 0;
      jitter = train ? s.routerJitter() : 0;
    }

    /** Dropout of {@code x} at {@code site} at the model's rate, located at the dropout field of part {@code at}. */
    private Value dropout(Provenance at, Value x, String site) {
      if (dropout == 0) return x;
      return Noise.dropout(b.at(at.of(Field.DROPOUT)), x, seed, site, dropout);
    }

    Func build() {
      Dim seq = new Dim("seq", s.seq()), keySeq = new Dim("key_seq", s.seq());
      Value inputs = b.param(INPUTS, new TensorType(DType.I32, Shape.of(batch, seq)));
      Value targets = inputs;
      Dim decSeq = seq, decKeySeq = keySeq;
      if (s.encoderDecoder()) {
        decSeq = new Dim("dec_seq", s.decSeq());
        decKeySeq = new Dim("dec_key_seq", s.decSeq());
        targets = b.param(TARGETS, new TensorType(DType.I32, Shape.of(batch, decSeq)));
      }
      if (dropout != 0 || expertDropout != 0 || jitter != 0) seed = b.param(SEED, new TensorType(DType.I32, Shape.SCALAR));
      Value embedding = param(b.at(root.within("shared").of(Field.VOCAB)), "shared/embedding", vocab, dModel);

      Value memory = null, memoryIds = null;
      if (s.encoderDecoder()) {
        memory = stack("encoder", inputs, seq, keySeq, s.encoderLayers(), null, null, embedding);
        memoryIds = inputs;
      }
      Value decoderIds = shiftRight(b.at(root.within("decoder").of(Field.ARCHITECTURE)), targets, decSeq, decKeySeq);
      Value x = stack("decoder", decoderIds, decSeq, decKeySeq, s.decoderLayers(), memory, memoryIds, embedding);

      // LM head in f32 (tied: T5 rescales by d_model^-0.5 before sharing the embedding).
      Provenance at = root.within("lm_head");
      FuncBuilder.Ops o = b.at(at.of(Field.TIED_EMBEDDINGS));
      Value xf = o.cast(x, DType.F32);
      Value head;
      if (s.tiedEmbeddings()) {
        xf = o.mul(xf, o.scalar(1 / Math.sqrt(s.dModel()), DType.F32));
        head = embedding;
      } else {
        head = param(b.at(root.within("decoder").of(Field.TIED_EMBEDDINGS)), "decoder/logits", dModel, vocab);
      }
      Value logits = o.einsum(xf, head, Shape.of(batch, decSeq, vocab));

      o = b.at(at.of(Field.VOCAB));
      Value perToken = o.sub(SwitchFfn.logSumExp(o, logits, "vocab"),
          o.reduce(Op.ReduceFn.SUM, o.mul(logits, o.oneHot(targets, vocab, DType.F32)), "vocab"));
      Value weight = o.cast(o.compare(Op.Cmp.NE, targets, o.scalar(0, DType.I32)), DType.F32);
      Value count = o.max(o.reduce(Op.ReduceFn.SUM, weight, "batch", decSeq.name()), o.scalar(1, DType.F32));
      Value crossEntropy = o.div(o.reduce(Op.ReduceFn.SUM, o.mul(perToken, weight), "batch", decSeq.name()), count);

      Value aux = sum(b.at(at.of(Field.ROUTER_AUX_LOSS_COEF)), auxLosses);
      Value z = sum(b.at(at.of(Field.ROUTER_Z_LOSS_COEF)), zLosses);
      o = b.at(at.block());
      Value loss = o.add(o.add(crossEntropy, aux), z);
      b.result(LOGITS, logits);
      b.result(LOSS, loss);
      b.result(CROSS_ENTROPY, crossEntropy);
      b.result(AUX_LOSS, aux);
      b.result(Z_LOSS, z);
      if (mode == Mode.TRAIN && !routing.isEmpty()) routingResults(b.at(at.block()));
      return DeadCode.run(b.build()); // in evaluation the Switch layers' router statistics are not results
    }

    /**
     * A training run's router metrics (what MaxText and T5X log): per Switch layer the fraction of
     * tokens whose first choice overflowed its expert and the first choices per expert before
     * capacity, and the dropped fraction averaged over the layers. Evaluation programs leave them
     * out: they would cost a small all-reduce per layer on a mesh.
     */
    private void routingResults(FuncBuilder.Ops o) {
      Value sum = o.scalar(0, DType.F32);
      for (var e : routing.entrySet()) {
        b.result(DROPPED_FRACTION + "/" + e.getKey(), e.getValue().dropped());
        b.result(TOKENS_PER_EXPERT + "/" + e.getKey(), e.getValue().tokensPerExpert());
        sum = o.add(sum, e.getValue().dropped());
      }
      b.result(DROPPED_FRACTION, o.div(sum, o.scalar(routing.size(), DType.F32)));
    }

    private static Value sum(FuncBuilder.Ops o, List<Value> terms) {
      Value total = o.scalar(0, DType.F32);
      for (Value t : terms) total = o.add(total, t);
      return total;
    }

    /** One stack: embedding, layers, final norm. {@code memory} (the encoder output) makes it a decoder with cross-attention. */
    private Value stack(String name, Value ids, Dim q, Dim k, long layers, Value memory, Value memoryIds, Value embedding) {
      boolean causal = name.equals("decoder");
      Provenance at = root.within(name);
      FuncBuilder.Ops o = b.at(at.of(Field.VOCAB));
      Value x = dropout(at, o.cast(o.gather(embedding, java.util.Map.of("vocab", ids), Shape.of(batch, q, dModel)), act), name + "/embedding/dropout");
      // Position bias and masks are the same for every layer of the stack: computed once.
      o = b.at(at.of(Field.RELATIVE_BUCKETS));
      Value biasTable = param(o, name + "/relative_attention_bias", relBucket, heads);
      Value selfBias = o.gather(biasTable, java.util.Map.of("rel_bucket", buckets(o, q, k, !causal)), Shape.of(q, k, heads));
      o = b.at(at.of(Field.ARCHITECTURE));
      Value selfMask = causal ? causalMask(o, q, k) : paddingMask(o, ids, q, k);
      Value crossMask = memory == null ? null : paddingMask(o, memoryIds, memory.shape().dims().get(1), memory.shape().dims().get(1));
      for (long i = 0; i < layers; i++) {
        String p = layerPrefix(name, i);
        Provenance layer = root.within(p);
        FuncBuilder.Ops attention = b.at(layer.of(Field.HEADS));
        Value h = norm(attention, x, p + "/self_attention/norm");
        Value keys = attention.relabel(h, Shape.of(batch, k, dModel));
        x = attention.add(x, dropout(layer, attention(layer, attention, p + "/self_attention", h, keys, selfBias, selfMask), p + "/self_attention/dropout"));
        if (memory != null) {
          h = norm(attention, x, p + "/cross_attention/norm");
          x = attention.add(x, dropout(layer, attention(layer, attention, p + "/cross_attention", h, memory, null, crossMask), p + "/cross_attention/dropout"));
        }
        FuncBuilder.Ops ffn = b.at(layer.of(Field.D_FF));
        h = norm(ffn, x, p + "/ffn/norm");
        x = ffn.add(x, dropout(layer, s.isSwitch(i) ? switchFfn(layer, p + "/ffn", h, q) : denseFfn(layer, p + "/ffn", h), p + "/ffn/dropout"));
      }
      return dropout(at, norm(b.at(at.block()), x, name + "/final_norm"), name + "/final_norm/dropout");
    }

    /** T5's RMS norm: {@code x / sqrt(mean(x^2) + eps) * scale}; the scale is a parameter of {@code o}'s part. */
    private Value norm(FuncBuilder.Ops o, Value x, String scaleName) {
      Value scale = param(o, scaleName, dModel);
      Value meanSquare = o.mul(o.reduce(Op.ReduceFn.SUM, o.mul(x, x), "d_model"), o.scalar(1.0 / s.dModel(), act));
      Value inv = o.unary(Op.UnaryFn.RSQRT, o.add(meanSquare, o.scalar(NORM_EPSILON, act)));
      return o.mul(o.mul(x, inv), o.cast(scale, act));
    }

    /**
     * Multi-head attention of queries {@code xq [batch, q, d_model]} over {@code xkv [batch, k, d_model]};
     * {@code bias} (or null) is added to the logits, and where {@code masked} holds the logit is {@link #MASKED}.
     */
    private Value attention(Provenance layer, FuncBuilder.Ops o, String p, Value xq, Value xkv, Value bias, Value masked) {
      Dim q = xq.shape().dims().get(1), k = xkv.shape().dims().get(1);
      Value wq = param(o, p + "/q", dModel, heads, dKv), wk = param(o, p + "/k", dModel, heads, dKv), wv = param(o, p + "/v", dModel, heads, dKv);
      Value wo = param(o, p + "/o", heads, dKv, dModel);
      Value query = o.einsum(xq, o.cast(wq, act), Shape.of(batch, q, heads, dKv));
      Value key = o.einsum(xkv, o.cast(wk, act), Shape.of(batch, k, heads, dKv));
      Value value = o.einsum(xkv, o.cast(wv, act), Shape.of(batch, k, heads, dKv));
      Value logits = o.einsum(query, key, Shape.of(batch, heads, q, k));
      if (bias != null) logits = o.add(logits, o.cast(bias, act));
      logits = o.select(masked, o.scalar(MASKED, act), logits);
      Value weights = dropout(layer, SwitchFfn.softmax(o, logits, k.name()), p + "/weights_dropout");
      Value mixed = o.einsum(weights, value, Shape.of(batch, q, heads, dKv));
      return o.einsum(mixed, o.cast(wo, act), Shape.of(batch, q, dModel));
    }

    private Value denseFfn(Provenance layer, String p, Value x) {
      FuncBuilder.Ops o = b.at(layer.of(Field.D_FF));
      List<Value> wi = new ArrayList<>();
      for (String n : wiNames()) wi.add(param(o, p + "/" + n, dModel, dFf));
      Value wo = param(o, p + "/wo", dFf, dModel);
      return SwitchFfn.ffn(b, layer, x, wi, wo, s.ffn(), Field.FFN, dFf, act, h -> dropout(layer, h, p + "/hidden_dropout"));
    }

    private List<String> wiNames() {
      return s.ffn().gated() ? List.of("wi_0", "wi_1") : List.of("wi");
    }

    private Value switchFfn(Provenance layer, String p, Value x, Dim length) {
      FuncBuilder.Ops o = b.at(layer.of(Field.EXPERTS));
      Dim experts = new Dim("experts", s.experts()), expertsUnsplit = new Dim("experts_unsplit", s.experts());
      Value routerW = param(o, p + "/router/w", dModel, expertsUnsplit);
      List<Value> wi = new ArrayList<>();
      for (String n : wiNames()) wi.add(param(o, p + "/experts/" + n, experts, dModel, dFf));
      Value wo = param(o, p + "/experts/wo", experts, dFf, dModel);
      long groups = s.batch() * length.size() / s.groupSize();
      SwitchFfn.Config c = new SwitchFfn.Config(experts, new Dim("group", groups), new Dim("token", s.groupSize()),
          new Dim("expert_capacity", s.expertCapacity(mode)), mode == Mode.TRAIN ? Field.TRAIN_CAPACITY_FACTOR : Field.EVAL_CAPACITY_FACTOR,
          dFf, (int) s.topK(), s.ffn(), Field.FFN, act, s.routerDtype(), s.routerAuxLossCoef(), s.routerZLossCoef(), s.dispatch());
      SwitchFfn.Out out = SwitchFfn.apply(b, layer, c, x, new SwitchFfn.Weights(routerW, wi, wo),
          new SwitchFfn.NoiseSites(seed, p, jitter, expertDropout));
      auxLosses.add(out.auxLoss());
      if (out.zLoss() != null) zLosses.add(out.zLoss());
      routing.put(p.substring(0, p.lastIndexOf('/')), out);
      return out.y();
    }

    /** {@code ids} moved one position later along {@code q}, 0 first: an integer one-hot contraction, exact. */
    private Value shiftRight(FuncBuilder.Ops o, Value ids, Dim q, Dim k) {
      Value asKeys = o.relabel(ids, Shape.of(batch, k));
      Value from = o.iota(DType.I32, Shape.of(k, q), k.name()), to = o.iota(DType.I32, Shape.of(k, q), q.name());
      Value moves = o.cast(o.compare(Op.Cmp.EQ, o.add(from, o.scalar(1, DType.I32)), to), DType.I32);
      return o.reduce(Op.ReduceFn.SUM, o.mul(asKeys, moves), k.name());
    }

    /** True where key {@code j > i}: a decoder position sees itself and the past. */
    private Value causalMask(FuncBuilder.Ops o, Dim q, Dim k) {
      return o.compare(Op.Cmp.GT, o.iota(DType.I32, Shape.of(q, k), k.name()), o.iota(DType.I32, Shape.of(q, k), q.name()));
    }

    /** True where the key's token id is 0 (padding); {@code ids} are laid along {@code positions}, renamed to {@code k}. */
    private Value paddingMask(FuncBuilder.Ops o, Value ids, Dim positions, Dim k) {
      Value keyIds = positions.name().equals(k.name()) ? ids : o.relabel(ids, Shape.of(batch, k));
      return o.compare(Op.Cmp.EQ, keyIds, o.scalar(0, DType.I32));
    }

    /**
     * T5's relative position bucket of every (query, key) pair, from the key-minus-query distance:
     * {@code min(n, m) + #thresholds reached}, the thresholds computed exactly by
     * {@link RelativePosition}, so no logarithm is taken at run time.
     */
    private Value buckets(FuncBuilder.Ops o, Dim q, Dim k, boolean bidirectional) {
      Value r = o.sub(o.iota(DType.I32, Shape.of(q, k), k.name()), o.iota(DType.I32, Shape.of(q, k), q.name()));
      RelativePosition rp = RelativePosition.of((int) s.relativeBuckets(), (int) s.relativeMaxDistance(), bidirectional);
      Value n = bidirectional ? o.unary(Op.UnaryFn.ABS, r) : o.max(o.unary(Op.UnaryFn.NEG, r), o.scalar(0, DType.I32));
      Value bucket = o.binary(Op.BinaryFn.MIN, n, o.scalar(rp.exact(), DType.I32));
      for (int t : rp.thresholds()) bucket = o.add(bucket, o.cast(o.compare(Op.Cmp.GE, n, o.scalar(t, DType.I32)), DType.I32));
      if (bidirectional)
        bucket = o.add(bucket, o.select(o.compare(Op.Cmp.GT, r, o.scalar(0, DType.I32)), o.scalar(rp.buckets(), DType.I32), o.scalar(0, DType.I32)));
      return bucket;
    }

    /** A trained f32 tensor, a parameter of the part of the model {@code o} builds. */
    private static Value param(FuncBuilder.Ops o, String name, Dim... dims) {
      return o.param(name, new TensorType(DType.F32, Shape.of(dims)));
    }
  }
}
