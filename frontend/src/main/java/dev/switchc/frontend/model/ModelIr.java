package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
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
import java.util.List;
import java.util.Locale;

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
  /** The parameters that are data (token ids, the noise seed) rather than trained tensors. */
  public static final java.util.Set<String> DATA_INPUTS = java.util.Set.of(INPUTS, TARGETS, SEED);
  public static final String LOGITS = "logits", LOSS = "loss", CROSS_ENTROPY = "cross_entropy", AUX_LOSS = "aux_loss", Z_LOSS = "z_loss";

  /**
   * The attention logit of a masked key (README): it replaces the logit rather than being added, so
   * f32 and exact arithmetic agree, and a query whose every key is masked attends uniformly.
   */
  static final double MASKED = -1e9;
  static final double NORM_EPSILON = 1e-6;

  /**
   * The model's forward pass in {@code mode}. In training mode with dropout, expert dropout or
   * router jitter the function takes one more input, {@link #SEED}.
   */
  public static Func build(Located<ModelSpec> model, Mode mode) {
    return new ModelIr.Builder(model, mode).build();
  }

  /** Parameter names of layer {@code i} of {@code stack}: {@code encoder/layer_003}. */
  public static String layerPrefix(String stack, long i) {
    return stack + "/layer_" + String.format(Locale.ROOT, "%03d", i);
  }

  private static final class Builder {
    final ModelSpec s;
    final Provenance root;
    /** Where ops come from now: the model's places, scoped to the stack or layer being built. */
    Provenance at;
    final Mode mode;
    final DType act;
    final FuncBuilder b;
    final Dim batch, vocab, dModel, heads, dKv, dFf, relBucket;
    final List<Value> auxLosses = new ArrayList<>(), zLosses = new ArrayList<>();
    /** The noise seed in training mode with any noise, else null (and every rate below is 0). */
    Value seed;
    final double dropout, expertDropout, jitter;

    Builder(Located<ModelSpec> model, Mode mode) {
      this.s = model.value();
      this.root = model.where();
      this.at = root;
      this.mode = mode;
      this.act = s.activationDtype();
      this.b = new FuncBuilder(s.encoderDecoder() ? "switch_transformer" : "switch_lm").at(at.block());
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

    /** Dropout of {@code x} at {@code site} at the model's rate, located at the dropout field. */
    private Value dropout(Value x, String site) {
      if (dropout == 0) return x;
      b.at(at.of("dropout"));
      return Noise.dropout(b, x, seed, site, dropout);
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
      b.at(at.of("vocab"));
      Value embedding = param("shared/embedding", vocab, dModel);

      Value memory = null, memoryIds = null;
      if (s.encoderDecoder()) {
        memory = stack("encoder", inputs, seq, keySeq, s.encoderLayers(), null, null, embedding);
        memoryIds = inputs;
      }
      at = root.within("decoder");
      b.at(at.of("architecture"));
      Value decoderIds = shiftRight(targets, decSeq, decKeySeq);
      Value x = stack("decoder", decoderIds, decSeq, decKeySeq, s.decoderLayers(), memory, memoryIds, embedding);

      // LM head in f32 (tied: T5 rescales by d_model^-0.5 before sharing the embedding).
      at = root.within("lm_head");
      b.at(at.of("tied_embeddings"));
      Value xf = b.cast(x, DType.F32);
      Value head;
      if (s.tiedEmbeddings()) {
        xf = b.mul(xf, b.scalar(1 / Math.sqrt(s.dModel()), DType.F32));
        head = embedding;
      } else {
        head = param("decoder/logits", dModel, vocab);
      }
      Value logits = b.einsum(xf, head, Shape.of(batch, decSeq, vocab));

      b.at(at.of("vocab"));
      Value perToken = b.sub(SwitchFfn.logSumExp(b, logits, "vocab"),
          b.reduce(Op.ReduceFn.SUM, b.mul(logits, b.oneHot(targets, vocab, DType.F32)), "vocab"));
      Value weight = b.cast(b.compare(Op.Cmp.NE, targets, b.scalar(0, DType.I32)), DType.F32);
      Value count = b.max(b.reduce(Op.ReduceFn.SUM, weight, "batch", decSeq.name()), b.scalar(1, DType.F32));
      Value crossEntropy = b.div(b.reduce(Op.ReduceFn.SUM, b.mul(perToken, weight), "batch", decSeq.name()), count);

      b.at(at.of("router_aux_loss_coef"));
      Value aux = sum(auxLosses);
      b.at(at.of("router_z_loss_coef"));
      Value z = sum(zLosses);
      b.at(at.block());
      Value loss = b.add(b.add(crossEntropy, aux), z);
      b.result(LOGITS, logits);
      b.result(LOSS, loss);
      b.result(CROSS_ENTROPY, crossEntropy);
      b.result(AUX_LOSS, aux);
      b.result(Z_LOSS, z);
      return DeadCode.run(b.build()); // the Switch layers' router statistics are not results here
    }

    private Value sum(List<Value> terms) {
      Value total = b.scalar(0, DType.F32);
      for (Value t : terms) total = b.add(total, t);
      return total;
    }

    /** One stack: embedding, layers, final norm. {@code memory} (the encoder output) makes it a decoder with cross-attention. */
    private Value stack(String name, Value ids, Dim q, Dim k, long layers, Value memory, Value memoryIds, Value embedding) {
      boolean causal = name.equals("decoder");
      at = root.within(name);
      b.at(at.of("vocab"));
      Value x = dropout(b.cast(b.gather(embedding, java.util.Map.of("vocab", ids), Shape.of(batch, q, dModel)), act), name + "/embedding/dropout");
      // Position bias and masks are the same for every layer of the stack: computed once.
      b.at(at.of("relative_buckets"));
      Value biasTable = param(name + "/relative_attention_bias", relBucket, heads);
      Value selfBias = b.gather(biasTable, java.util.Map.of("rel_bucket", buckets(q, k, !causal)), Shape.of(q, k, heads));
      b.at(at.of("architecture"));
      Value selfMask = causal ? causalMask(q, k) : paddingMask(ids, q, k);
      Value crossMask = memory == null ? null : paddingMask(memoryIds, memory.shape().dims().get(1), memory.shape().dims().get(1));
      Value memoryKeys = memory;
      for (long i = 0; i < layers; i++) {
        String p = layerPrefix(name, i);
        at = root.within(p);
        b.at(at.of("heads"));
        Value h = norm(x, p + "/self_attention/norm");
        Value keys = b.relabel(h, Shape.of(batch, k, dModel));
        x = b.add(x, dropout(attention(p + "/self_attention", h, keys, selfBias, selfMask), p + "/self_attention/dropout"));
        if (memory != null) {
          b.at(at.of("heads"));
          h = norm(x, p + "/cross_attention/norm");
          x = b.add(x, dropout(attention(p + "/cross_attention", h, memoryKeys, null, crossMask), p + "/cross_attention/dropout"));
        }
        b.at(at.of("d_ff"));
        h = norm(x, p + "/ffn/norm");
        x = b.add(x, dropout(s.isSwitch(i) ? switchFfn(p + "/ffn", h, q) : denseFfn(p + "/ffn", h), p + "/ffn/dropout"));
      }
      at = root.within(name);
      b.at(at.block());
      return dropout(norm(x, name + "/final_norm"), name + "/final_norm/dropout");
    }

    /** T5's RMS norm: {@code x / sqrt(mean(x^2) + eps) * scale}. */
    private Value norm(Value x, String scaleName) {
      Value scale = param(scaleName, dModel);
      Value meanSquare = b.mul(b.reduce(Op.ReduceFn.SUM, b.mul(x, x), "d_model"), b.scalar(1.0 / s.dModel(), act));
      Value inv = b.unary(Op.UnaryFn.RSQRT, b.add(meanSquare, b.scalar(NORM_EPSILON, act)));
      return b.mul(b.mul(x, inv), b.cast(scale, act));
    }

    /**
     * Multi-head attention of queries {@code xq [batch, q, d_model]} over {@code xkv [batch, k, d_model]};
     * {@code bias} (or null) is added to the logits, and where {@code masked} holds the logit is {@link #MASKED}.
     */
    private Value attention(String p, Value xq, Value xkv, Value bias, Value masked) {
      Dim q = xq.shape().dims().get(1), k = xkv.shape().dims().get(1);
      Value wq = param(p + "/q", dModel, heads, dKv), wk = param(p + "/k", dModel, heads, dKv), wv = param(p + "/v", dModel, heads, dKv);
      Value wo = param(p + "/o", heads, dKv, dModel);
      Value query = b.einsum(xq, b.cast(wq, act), Shape.of(batch, q, heads, dKv));
      Value key = b.einsum(xkv, b.cast(wk, act), Shape.of(batch, k, heads, dKv));
      Value value = b.einsum(xkv, b.cast(wv, act), Shape.of(batch, k, heads, dKv));
      Value logits = b.einsum(query, key, Shape.of(batch, heads, q, k));
      if (bias != null) logits = b.add(logits, b.cast(bias, act));
      logits = b.select(masked, b.scalar(MASKED, act), logits);
      Value weights = dropout(SwitchFfn.softmax(b, logits, k.name()), p + "/weights_dropout");
      b.at(at.of("heads"));
      Value mixed = b.einsum(weights, value, Shape.of(batch, q, heads, dKv));
      return b.einsum(mixed, b.cast(wo, act), Shape.of(batch, q, dModel));
    }

    private Value denseFfn(String p, Value x) {
      List<Value> wi = new ArrayList<>();
      for (String n : wiNames()) wi.add(param(p + "/" + n, dModel, dFf));
      Value wo = param(p + "/wo", dFf, dModel);
      return SwitchFfn.ffn(b, at, x, wi, wo, s.ffn(), dFf, act, h -> dropout(h, p + "/hidden_dropout"));
    }

    private List<String> wiNames() {
      return s.ffn().gated() ? List.of("wi_0", "wi_1") : List.of("wi");
    }

    private Value switchFfn(String p, Value x, Dim length) {
      Dim experts = new Dim("experts", s.experts()), expertsUnsplit = new Dim("experts_unsplit", s.experts());
      Value routerW = param(p + "/router/w", dModel, expertsUnsplit);
      List<Value> wi = new ArrayList<>();
      for (String n : wiNames()) wi.add(param(p + "/experts/" + n, experts, dModel, dFf));
      Value wo = param(p + "/experts/wo", experts, dFf, dModel);
      long groups = s.batch() * length.size() / s.groupSize();
      SwitchFfn.Config c = new SwitchFfn.Config(experts, new Dim("group", groups), new Dim("token", s.groupSize()),
          new Dim("expert_capacity", s.expertCapacity(mode)), mode == Mode.TRAIN ? "train_capacity_factor" : "eval_capacity_factor",
          dFf, (int) s.topK(), s.ffn(), act, s.routerAuxLossCoef(), s.routerZLossCoef(), s.dispatch());
      SwitchFfn.Out out = SwitchFfn.apply(b, at, c, x, new SwitchFfn.Weights(routerW, wi, wo),
          new SwitchFfn.NoiseSites(seed, p, jitter, expertDropout));
      auxLosses.add(out.auxLoss());
      if (out.zLoss() != null) zLosses.add(out.zLoss());
      return out.y();
    }

    /** {@code ids} moved one position later along {@code q}, 0 first: an integer one-hot contraction, exact. */
    private Value shiftRight(Value ids, Dim q, Dim k) {
      Value asKeys = b.relabel(ids, Shape.of(batch, k));
      Value from = b.iota(DType.I32, Shape.of(k, q), k.name()), to = b.iota(DType.I32, Shape.of(k, q), q.name());
      Value moves = b.cast(b.compare(Op.Cmp.EQ, b.add(from, b.scalar(1, DType.I32)), to), DType.I32);
      return b.reduce(Op.ReduceFn.SUM, b.mul(asKeys, moves), k.name());
    }

    /** True where key {@code j > i}: a decoder position sees itself and the past. */
    private Value causalMask(Dim q, Dim k) {
      return b.compare(Op.Cmp.GT, b.iota(DType.I32, Shape.of(q, k), k.name()), b.iota(DType.I32, Shape.of(q, k), q.name()));
    }

    /** True where the key's token id is 0 (padding); {@code ids} are laid along {@code positions}, renamed to {@code k}. */
    private Value paddingMask(Value ids, Dim positions, Dim k) {
      Value keyIds = positions.name().equals(k.name()) ? ids : b.relabel(ids, Shape.of(batch, k));
      return b.compare(Op.Cmp.EQ, keyIds, b.scalar(0, DType.I32));
    }

    /**
     * T5's relative position bucket of every (query, key) pair, from the key-minus-query distance:
     * {@code min(n, m) + #thresholds reached}, the thresholds computed exactly by
     * {@link RelativePosition}, so no logarithm is taken at run time.
     */
    private Value buckets(Dim q, Dim k, boolean bidirectional) {
      Value r = b.sub(b.iota(DType.I32, Shape.of(q, k), k.name()), b.iota(DType.I32, Shape.of(q, k), q.name()));
      RelativePosition rp = RelativePosition.of((int) s.relativeBuckets(), (int) s.relativeMaxDistance(), bidirectional);
      Value n = bidirectional ? b.unary(Op.UnaryFn.ABS, r) : b.max(b.unary(Op.UnaryFn.NEG, r), b.scalar(0, DType.I32));
      Value bucket = b.binary(Op.BinaryFn.MIN, n, b.scalar(rp.exact(), DType.I32));
      for (int t : rp.thresholds()) bucket = b.add(bucket, b.cast(b.compare(Op.Cmp.GE, n, b.scalar(t, DType.I32)), DType.I32));
      if (bidirectional)
        bucket = b.add(bucket, b.select(b.compare(Op.Cmp.GT, r, b.scalar(0, DType.I32)), b.scalar(rp.buckets(), DType.I32), b.scalar(0, DType.I32)));
      return bucket;
    }

    private Value param(String name, Dim... dims) {
      return b.param(name, new TensorType(DType.F32, Shape.of(dims)));
    }
  }
}
