package dev.switchc.tests.reference;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Independent numeric reference of the whole forward pass of a T5 v1.0 (Mesh TensorFlow)
 * Transformer whose feed-forward layers are, every {@code switchEvery} layers, Switch layers
 * (README, "Model semantics" and "Layer semantics"), in evaluation mode (no noise) or in training
 * mode with the README's counter-based noise (dropout, expert dropout, router jitter; see {@link Noise}).
 *
 * <p>Written from the README in plain loops, all arithmetic in double. It shares no code with the
 * compiler under test; it only calls {@link SwitchReference}'s static helpers for the expert
 * capacity (exact decimal) and the activations.
 *
 * <p>Layouts are row-major throughout. Activations are {@code double[tokens * width]} with token
 * {@code t = b * length + s}.
 */
public final class TransformerReference {
    private TransformerReference() {}

    /** T5's RMS-norm epsilon, inside the square root. */
    private static final double NORM_EPS = 1e-6;
    /** The attention logit of a masked key: it replaces the logit (it is not added), so a row with every key masked attends uniformly. */
    private static final double MASK_LOGIT = -1e9;
    /** Mesh TensorFlow's top-2 gate renormalisation epsilon: g / (g1 + g2 + 1e-9). */
    private static final double TOP2_EPS = 1e-9;

    /** Feed-forward kind, the same in dense layers and in every expert. */
    public enum Ffn { RELU, GELU, GEGLU }

    /**
     * Model configuration.
     *
     * @param experts 0 for a dense model
     * @param switchEvery layer i is a Switch layer iff experts &gt; 0 and (i + 1) % switchEvery == 0
     * @param topK 1 or 2
     * @param groupSize routing group size S; must divide batch * length of every stack
     * @param decSeq decoder length of an encoder-decoder model; ignored for decoder-only
     */
    public record Config(
            boolean encoderDecoder,
            int vocab,
            int dModel,
            int dFf,
            int dKv,
            int heads,
            int encoderLayers,
            int decoderLayers,
            Ffn ffn,
            int experts,
            int switchEvery,
            int topK,
            int groupSize,
            BigDecimal capacityFactor,
            long minCapacity,
            double auxCoef,
            double zCoef,
            int relativeBuckets,
            int relativeMaxDistance,
            boolean tiedEmbeddings,
            int batch,
            int seq,
            int decSeq) {}

    /**
     * Forward-pass outputs.
     *
     * @param logits row-major [batch, length, vocab] (length = decSeq for encoder-decoder, seq for
     *     decoder-only)
     * @param crossEntropy mean over non-padding targets of logsumexp(logits) - logits[target]
     * @param auxLoss sum over Switch layers of the load-balancing loss (coefficient included)
     * @param zLoss sum over Switch layers of the router z-loss (coefficient included)
     * @param loss crossEntropy + auxLoss + zLoss
     * @param droppedPerLayer per Switch layer (encoder layers first, then decoder): the number of
     *     tokens whose first choice was dropped for lack of capacity
     */
    public record Result(
            double[] logits, double crossEntropy, double auxLoss, double zLoss, double loss, int[] droppedPerLayer) {}

    /**
     * Training-mode noise (README "Noise"). A rate of 0 switches its sites off entirely (no draw, no
     * scaling), so {@code new Noise(s, 0, 0, 0)} computes exactly what evaluation mode does.
     *
     * @param seed the model's {@code seed} input (its 32 bits)
     * @param dropout rate in [0, 1) of every dense dropout site (embedding, attention weights,
     *     sub-layer outputs, dense FFN hidden, final norm)
     * @param expertDropout rate in [0, 1) of the Switch experts' hidden activations
     * @param routerJitter eps &gt;= 0: the router input is multiplied by 1 - eps + 2 eps u
     */
    public record Noise(int seed, double dropout, double expertDropout, double routerJitter) {}

    // =============================================================================================
    // Model
    // =============================================================================================

    /**
     * Runs the model in evaluation mode.
     *
     * @param params name -&gt; row-major float array (names and shapes in the README / test brief);
     *     every tensor the configuration needs must be present with exactly its size, and no other
     * @param inputs token ids [batch, seq]
     * @param targets token ids [batch, decSeq] for encoder-decoder; null for decoder-only (the
     *     decoder then predicts {@code inputs})
     */
    public static Result forward(Config c, Map<String, float[]> params, int[] inputs, int[] targets) {
        return forward(c, params, inputs, targets, null);
    }

    /**
     * Runs the model in training mode with {@code noise}, or in evaluation mode if it is null (then
     * identical to {@link #forward(Config, Map, int[], int[])}). The capacity factor is whatever
     * {@code c} holds: the caller picks the train or eval one.
     */
    public static Result forward(Config c, Map<String, float[]> params, int[] inputs, int[] targets, Noise noise) {
        validate(c);
        validate(noise);
        requireIds("inputs", inputs, (long) c.batch() * c.seq(), c.vocab());
        Params p = new Params(params);
        Losses losses = new Losses(noise);

        int[] labels;
        int length;
        double[] decoderOut;
        if (c.encoderDecoder()) {
            requireIds("targets", targets, (long) c.batch() * c.decSeq(), c.vocab());
            double[] encoderOut = runStack(c, p, losses, "encoder", inputs, c.seq(), c.encoderLayers(), null, null);
            labels = targets;
            length = c.decSeq();
            decoderOut = runStack(c, p, losses, "decoder", shiftRight(targets, c.batch(), length),
                    length, c.decoderLayers(), encoderOut, inputs);
        } else {
            if (targets != null) {
                throw new IllegalArgumentException("decoder-only models predict their inputs: targets must be null");
            }
            labels = inputs;
            length = c.seq();
            decoderOut = runStack(c, p, losses, "decoder", shiftRight(inputs, c.batch(), length),
                    length, c.decoderLayers(), null, null);
        }

        double[] logits = outputLogits(c, p, decoderOut, c.batch() * length);
        p.requireAllUsed();
        double ce = crossEntropy(logits, labels, c.vocab());
        int[] dropped = losses.dropped.stream().mapToInt(Integer::intValue).toArray();
        return new Result(logits, ce, losses.aux, losses.z, ce + losses.aux + losses.z, dropped);
    }

    /**
     * One stack (T5 pre-norm residual layers, then the final norm).
     *
     * @param encoderOut null for the encoder and for decoder-only; else the encoder's output, which
     *     makes this a decoder with cross-attention
     * @param encoderIds the encoder's token ids (for the cross-attention padding mask), with encoderOut
     */
    private static double[] runStack(Config c, Params p, Losses losses, String stack, int[] ids, int length,
            int layers, double[] encoderOut, int[] encoderIds) {
        final Noise noise = losses.noise;
        final double rate = noise == null ? 0.0 : noise.dropout();
        final int d = c.dModel();
        final int tokens = c.batch() * length;
        final boolean isEncoder = stack.equals("encoder");
        // The encoder attends both ways and masks padding keys; the decoder only masks the future
        // (its keys are not padding-masked).
        final KeyMask selfMask = isEncoder
                ? (b, i, j) -> ids[b * length + j] == 0
                : (b, i, j) -> j > i;
        // One bias table per stack, shared by all its layers (absent from a stack without layers).
        final double[] biasTable =
                layers > 0 ? p.get(stack + "/relative_attention_bias", c.relativeBuckets(), c.heads()) : null;

        // Embedding: shared table, not scaled.
        double[] embedding = p.get("shared/embedding", c.vocab(), d);
        double[] x = new double[tokens * d];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(embedding, ids[t] * d, x, t * d, d);
        }
        dropTokens(Site.dropout(noise, stack + "/embedding/dropout", rate), x, length, d);

        for (int i = 0; i < layers; i++) {
            String prefix = String.format("%s/layer_%03d/", stack, i);

            double[] h = rmsNorm(x, p.get(prefix + "self_attention/norm", d), d);
            addInPlace(x, attention(c, p, prefix + "self_attention/", h, length, h, length,
                    selfMask, biasTable, isEncoder, noise));

            if (encoderOut != null) {
                final int encLength = c.seq();
                KeyMask crossMask = (b, qi, j) -> encoderIds[b * encLength + j] == 0;
                h = rmsNorm(x, p.get(prefix + "cross_attention/norm", d), d);
                // No relative position bias in cross-attention.
                addInPlace(x, attention(c, p, prefix + "cross_attention/", h, length, encoderOut, encLength,
                        crossMask, null, false, noise));
            }

            h = rmsNorm(x, p.get(prefix + "ffn/norm", d), d);
            boolean isSwitch = c.experts() > 0 && (i + 1) % c.switchEvery() == 0;
            double[] y = isSwitch
                    ? switchFfn(c, p, losses, prefix + "ffn/", h, tokens)
                    : denseFfn(c, p, prefix + "ffn/", h, length, noise);
            dropTokens(Site.dropout(noise, prefix + "ffn/dropout", rate), y, length, d);
            addInPlace(x, y);
        }
        double[] out = rmsNorm(x, p.get(stack + "/final_norm", d), d);
        dropTokens(Site.dropout(noise, stack + "/final_norm/dropout", rate), out, length, d);
        return out;
    }

    /** shift_right: position 0 reads 0, position s reads ids[s - 1]; the last id is dropped. */
    private static int[] shiftRight(int[] ids, int batch, int length) {
        int[] out = new int[batch * length];
        for (int b = 0; b < batch; b++) {
            for (int s = 1; s < length; s++) {
                out[b * length + s] = ids[b * length + s - 1];
            }
        }
        return out;
    }

    /** Tied: (x * d_model^-0.5) . embedding^T; untied: x . decoder/logits. */
    private static double[] outputLogits(Config c, Params p, double[] x, int tokens) {
        final int d = c.dModel();
        final int vocab = c.vocab();
        if (!c.tiedEmbeddings()) {
            return matmul(x, tokens, d, p.get("decoder/logits", d, vocab), vocab);
        }
        double[] embedding = p.get("shared/embedding", vocab, d);
        double scale = 1.0 / Math.sqrt(d);
        double[] logits = new double[tokens * vocab];
        for (int t = 0; t < tokens; t++) {
            for (int v = 0; v < vocab; v++) {
                double acc = 0.0;
                for (int k = 0; k < d; k++) {
                    acc += (x[t * d + k] * scale) * embedding[v * d + k];
                }
                logits[t * vocab + v] = acc;
            }
        }
        return logits;
    }

    /** Mean over targets with id != 0 of logsumexp(row) - row[target]; 0 if there are none. */
    private static double crossEntropy(double[] logits, int[] labels, int vocab) {
        double sum = 0.0;
        int count = 0;
        for (int t = 0; t < labels.length; t++) {
            if (labels[t] == 0) {
                continue; // padding is not predicted
            }
            sum += logSumExp(logits, t * vocab, vocab) - logits[t * vocab + labels[t]];
            count++;
        }
        return sum / Math.max(1, count);
    }

    // =============================================================================================
    // Norm and attention
    // =============================================================================================

    /** T5's RMS norm per row: x / sqrt(mean(x^2) + 1e-6) * scale; no bias, no centring. */
    private static double[] rmsNorm(double[] x, double[] scale, int d) {
        double[] y = new double[x.length];
        for (int row = 0; row < x.length / d; row++) {
            double sumSq = 0.0;
            for (int k = 0; k < d; k++) {
                sumSq += x[row * d + k] * x[row * d + k];
            }
            double inv = 1.0 / Math.sqrt(sumSq / d + NORM_EPS);
            for (int k = 0; k < d; k++) {
                y[row * d + k] = x[row * d + k] * inv * scale[k];
            }
        }
        return y;
    }

    /** Which (batch b, query i, key j) logits are replaced by {@link #MASK_LOGIT}. */
    @FunctionalInterface
    private interface KeyMask {
        boolean masked(int b, int i, int j);
    }

    /**
     * T5 multi-head attention: no biases, no 1/sqrt(d_kv) scaling.
     *
     * @param xq normed query-side stream [batch * qLen, d_model]
     * @param xkv key/value-side stream [batch * kLen, d_model]
     * @param biasTable relative position bias [buckets, heads], or null (cross-attention)
     * @param bidirectional bucket kind for the bias (encoder: true; decoder: false)
     * @return [batch * qLen, d_model]
     */
    private static double[] attention(Config c, Params p, String prefix, double[] xq, int qLen, double[] xkv,
            int kLen, KeyMask mask, double[] biasTable, boolean bidirectional, Noise noise) {
        final double rate = noise == null ? 0.0 : noise.dropout();
        // Dropout on the weights after the softmax [batch, heads, q, k] (not renormalised), and on the
        // sub-layer's output [batch, q, d_model].
        final Site weightsDrop = Site.dropout(noise, prefix + "weights_dropout", rate);
        final Site outputDrop = Site.dropout(noise, prefix + "dropout", rate);
        final int d = c.dModel();
        final int heads = c.heads();
        final int dKv = c.dKv();
        final int hk = heads * dKv;
        final int batch = c.batch();
        // [d_model, heads, d_kv] is, row-major, a [d_model, heads * d_kv] matrix; o likewise.
        double[] q = matmul(xq, batch * qLen, d, p.get(prefix + "q", d, heads, dKv), hk);
        double[] k = matmul(xkv, batch * kLen, d, p.get(prefix + "k", d, heads, dKv), hk);
        double[] v = matmul(xkv, batch * kLen, d, p.get(prefix + "v", d, heads, dKv), hk);
        double[] wo = p.get(prefix + "o", heads, dKv, d);

        // Buckets depend only on (i, j): compute them once, not per batch row and head.
        int[] buckets = new int[qLen * kLen];
        if (biasTable != null) {
            for (int i = 0; i < qLen; i++) {
                for (int j = 0; j < kLen; j++) {
                    buckets[i * kLen + j] = relativeBucket(j - i, bidirectional, c.relativeBuckets(),
                            c.relativeMaxDistance());
                }
            }
        }

        double[] context = new double[batch * qLen * hk];
        double[] weights = new double[kLen];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < qLen; i++) {
                    int qRow = (b * qLen + i) * hk + h * dKv;
                    for (int j = 0; j < kLen; j++) {
                        int kRow = (b * kLen + j) * hk + h * dKv;
                        double logit = 0.0;
                        for (int e = 0; e < dKv; e++) {
                            logit += q[qRow + e] * k[kRow + e];
                        }
                        if (biasTable != null) {
                            logit += biasTable[buckets[i * kLen + j] * heads + h];
                        }
                        if (mask.masked(b, i, j)) {
                            logit = MASK_LOGIT; // replaced, not added: a row with every key masked attends uniformly
                        }
                        weights[j] = logit;
                    }
                    softmaxInPlace(weights, 0, kLen);
                    if (weightsDrop != null) {
                        for (int j = 0; j < kLen; j++) {
                            weights[j] *= weightsDrop.factor(b, h, i, j);
                        }
                    }
                    for (int e = 0; e < dKv; e++) {
                        double acc = 0.0;
                        for (int j = 0; j < kLen; j++) {
                            acc += weights[j] * v[(b * kLen + j) * hk + h * dKv + e];
                        }
                        context[qRow + e] = acc;
                    }
                }
            }
        }
        double[] out = matmul(context, batch * qLen, hk, wo, d);
        dropTokens(outputDrop, out, qLen, d);
        return out;
    }

    /**
     * T5's relative position bucket (Mesh TensorFlow {@code _relative_position_bucket}), exactly.
     *
     * <p>Bidirectional: nb = numBuckets / 2, offset = nb if r &gt; 0, n = |r|. Causal: nb = numBuckets,
     * offset 0, n = max(-r, 0). With m = nb / 2: n if n &lt; m, else
     * min(nb - 1, m + floor(log(n / m) / log(maxDistance / m) * (nb - m))), plus the offset.
     *
     * <p>The floor is of the exact real number: f &lt;= log(n/m) / log(D/m) * (nb - m) iff
     * (D/m)^f &lt;= (n/m)^(nb-m) iff D^f * m^(nb-m) &lt;= n^(nb-m) * m^f, compared in BigInteger, so
     * e.g. n = 16, m = 8, D = 128 is exactly m + 2 (floating point may give 1.999...).
     *
     * @param relativePosition r = key position - query position
     * @throws IllegalArgumentException if m &lt; 1 or maxDistance &lt;= m (T5's formula then divides by
     *     zero or takes a log of zero) and the log branch is reached
     */
    public static int relativeBucket(int relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        int nb = numBuckets;
        int offset = 0;
        long n;
        if (bidirectional) {
            nb = numBuckets / 2;
            offset = relativePosition > 0 ? nb : 0;
            n = Math.abs((long) relativePosition);
        } else {
            n = Math.max(-(long) relativePosition, 0L);
        }
        int m = nb / 2;
        if (n < m) {
            return offset + (int) n; // exact buckets for small distances
        }
        if (m < 1 || maxDistance <= m) {
            throw new IllegalArgumentException("degenerate relative buckets: " + numBuckets + " buckets (m = " + m
                    + "), max distance " + maxDistance);
        }
        // Largest f with D^f * m^(nb-m) <= n^(nb-m) * m^f; f = 0 always qualifies since n >= m, and
        // the condition is monotone in f. Beyond nb - 1 - m the min() clamps, so stop there.
        BigInteger bigD = BigInteger.valueOf(maxDistance);
        BigInteger bigM = BigInteger.valueOf(m);
        BigInteger nPow = BigInteger.valueOf(n).pow(nb - m);
        BigInteger mPow = bigM.pow(nb - m);
        int f = 0;
        while (m + f < nb - 1 && bigD.pow(f + 1).multiply(mPow).compareTo(nPow.multiply(bigM.pow(f + 1))) <= 0) {
            f++;
        }
        return offset + m + f;
    }

    // =============================================================================================
    // Feed-forward layers
    // =============================================================================================

    /** Weights of a set of FFNs stored back to back: wi [n, d, f] (wi1 for GEGLU), wo [n, f, d]. */
    private record FfnWeights(Ffn kind, int d, int f, double[] wi0, double[] wi1, double[] wo) {
        /**
         * act(x[t] . wi[e]) . wo[e] for one token row t and FFN e; the hidden unit j (after the
         * activation or gate) is multiplied by {@code hiddenDrop.factor(j)} unless that is null.
         */
        double[] apply(double[] x, int t, int e, HiddenDrop hiddenDrop) {
            double[] hidden = new double[f];
            for (int j = 0; j < f; j++) {
                double a0 = 0.0;
                double a1 = 0.0;
                for (int k = 0; k < d; k++) {
                    double xk = x[t * d + k];
                    a0 += xk * wi0[(e * d + k) * f + j];
                    if (kind == Ffn.GEGLU) {
                        a1 += xk * wi1[(e * d + k) * f + j];
                    }
                }
                hidden[j] = switch (kind) {
                    case RELU -> SwitchReference.relu(a0);
                    case GELU -> SwitchReference.gelu(a0);
                    case GEGLU -> SwitchReference.gelu(a0) * a1;
                };
                if (hiddenDrop != null) {
                    hidden[j] *= hiddenDrop.factor(j);
                }
            }
            double[] out = new double[d];
            for (int m = 0; m < d; m++) {
                double acc = 0.0;
                for (int j = 0; j < f; j++) {
                    acc += hidden[j] * wo[(e * f + j) * d + m];
                }
                out[m] = acc;
            }
            return out;
        }
    }

    /** Reads wi (or wi_0 / wi_1) and wo under {@code prefix}, with leading dimensions {@code lead}. */
    private static FfnWeights ffnWeights(Config c, Params p, String prefix, int... lead) {
        final int d = c.dModel();
        final int f = c.dFf();
        int[] inShape = append(lead, d, f);
        int[] outShape = append(lead, f, d);
        if (c.ffn() == Ffn.GEGLU) {
            return new FfnWeights(c.ffn(), d, f, p.get(prefix + "wi_0", inShape), p.get(prefix + "wi_1", inShape),
                    p.get(prefix + "wo", outShape));
        }
        return new FfnWeights(c.ffn(), d, f, p.get(prefix + "wi", inShape), null, p.get(prefix + "wo", outShape));
    }

    /** Dropout factor of hidden unit j of one FFN application. */
    @FunctionalInterface
    private interface HiddenDrop {
        double factor(int j);
    }

    /** Dense FFN over [batch * length] tokens; hidden dropout [batch, L, d_ff] at rate {@code dropout}. */
    private static double[] denseFfn(Config c, Params p, String prefix, double[] x, int length, Noise noise) {
        FfnWeights w = ffnWeights(c, p, prefix);
        Site drop = Site.dropout(noise, prefix + "hidden_dropout", noise == null ? 0.0 : noise.dropout());
        int tokens = x.length / c.dModel();
        double[] y = new double[tokens * c.dModel()];
        for (int t = 0; t < tokens; t++) {
            final int b = t / length;
            final int s = t % length;
            HiddenDrop hiddenDrop = drop == null ? null : j -> drop.factor(b, s, j);
            System.arraycopy(w.apply(x, t, 0, hiddenDrop), 0, y, t * c.dModel(), c.dModel());
        }
        return y;
    }

    /**
     * Switch FFN over all tokens of the stack (README "Layer semantics" and "Top-2 routing"); adds
     * this layer's aux and z losses and its dropped count to {@code losses}.
     */
    private static double[] switchFfn(Config c, Params p, Losses losses, String prefix, double[] x, int tokens) {
        final int d = c.dModel();
        final int experts = c.experts();
        final int groupSize = c.groupSize();
        double[] routerW = p.get(prefix + "router/w", d, experts);
        FfnWeights w = ffnWeights(c, p, prefix + "experts/", experts);
        long capacity = SwitchReference.expertCapacity(groupSize, c.capacityFactor(), experts, c.minCapacity());

        // Router jitter (training only): the router's input, not the experts', is multiplied elementwise
        // by 1 - eps + 2 eps u, u drawn at [group, token in group, d_model].
        double eps = losses.noise == null ? 0.0 : losses.noise.routerJitter();
        double[] routerIn = x;
        if (eps != 0.0) {
            Site jitter = Site.of(losses.noise, prefix + "router_jitter");
            routerIn = x.clone();
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < d; k++) {
                    routerIn[t * d + k] *= 1.0 - eps + 2.0 * eps * jitter.uniform(t / groupSize, t % groupSize, k);
                }
            }
        }

        // Router in double: logits = x . W, p = softmax(logits); routing and both losses use them.
        double[] logits = matmul(routerIn, tokens, d, routerW, experts);
        double[] probs = logits.clone();
        for (int t = 0; t < tokens; t++) {
            softmaxInPlace(probs, t * experts, experts);
        }

        Routing r = route(c, logits, probs, tokens, capacity);
        losses.dropped.add(r.droppedFirst);
        losses.aux += auxLoss(c, r.first, probs, tokens);
        losses.z += zLoss(c, logits, tokens);

        // Expert dropout on the experts' hidden [expert, group, slot, d_ff]: a choice's slot is its
        // position in its expert (< C, as it is kept).
        Site drop = Site.dropout(losses.noise, prefix + "hidden_dropout",
                losses.noise == null ? 0.0 : losses.noise.expertDropout());

        // y = sum over kept choices of gate * FFN_e(x); nothing for dropped choices (exactly 0).
        double[] y = new double[tokens * d];
        for (int t = 0; t < tokens; t++) {
            final int g = t / groupSize;
            if (r.keptFirst[t]) {
                addScaled(y, t * d, r.gateFirst[t],
                        w.apply(x, t, r.first[t], expertDrop(drop, r.first[t], g, r.slotFirst[t])));
            }
            if (c.topK() == 2 && r.keptSecond[t]) {
                addScaled(y, t * d, r.gateSecond[t],
                        w.apply(x, t, r.second[t], expertDrop(drop, r.second[t], g, r.slotSecond[t])));
            }
        }
        return y;
    }

    private static HiddenDrop expertDrop(Site drop, int expert, int group, long slot) {
        return drop == null ? null : j -> drop.factor(expert, group, (int) slot, j);
    }

    /** Per-token routing decisions of one Switch layer. Second-choice arrays are unused for top-1. */
    private static final class Routing {
        final int[] first;
        final int[] second;
        final double[] gateFirst;
        final double[] gateSecond;
        final boolean[] keptFirst;
        final boolean[] keptSecond;
        /** Position of the choice in its expert within the group (meaningful when kept). */
        final long[] slotFirst;
        final long[] slotSecond;
        int droppedFirst;

        Routing(int tokens) {
            first = new int[tokens];
            second = new int[tokens];
            gateFirst = new double[tokens];
            gateSecond = new double[tokens];
            keptFirst = new boolean[tokens];
            keptSecond = new boolean[tokens];
            slotFirst = new long[tokens];
            slotSecond = new long[tokens];
        }
    }

    /** Expert choices, gates and capacity decisions, group by group. */
    private static Routing route(Config c, double[] logits, double[] probs, int tokens, long capacity) {
        final int experts = c.experts();
        final int groupSize = c.groupSize();
        Routing r = new Routing(tokens);
        for (int t = 0; t < tokens; t++) {
            int row = t * experts;
            r.first[t] = argmax(logits, row, experts, -1);
            r.gateFirst[t] = probs[row + r.first[t]]; // full softmax probability
            if (c.topK() == 2) {
                r.second[t] = argmax(logits, row, experts, r.first[t]);
                double g1 = r.gateFirst[t];
                double g2 = probs[row + r.second[t]];
                // Renormalised before (and regardless of) capacity masking, as Mesh TF.
                r.gateFirst[t] = g1 / (g1 + g2 + TOP2_EPS);
                r.gateSecond[t] = g2 / (g1 + g2 + TOP2_EPS);
            }
        }
        for (int g = 0; g < tokens / groupSize; g++) {
            int start = g * groupSize;
            // First choices: position = earlier tokens of the group with the same first choice
            // (dropped ones count too).
            int[] firstCount = new int[experts];
            int[] keptFirstCount = new int[experts];
            for (int t = start; t < start + groupSize; t++) {
                int position = firstCount[r.first[t]]++;
                r.slotFirst[t] = position;
                r.keptFirst[t] = position < capacity;
                if (r.keptFirst[t]) {
                    keptFirstCount[r.first[t]]++;
                } else {
                    r.droppedFirst++;
                }
            }
            if (c.topK() != 2) {
                continue;
            }
            // Second choices queue behind ALL of the group's kept first choices of their expert
            // (including later tokens'), then behind earlier tokens' second choices.
            int[] secondCount = new int[experts];
            for (int t = start; t < start + groupSize; t++) {
                int e2 = r.second[t];
                long position = (long) keptFirstCount[e2] + secondCount[e2]++;
                r.slotSecond[t] = position;
                r.keptSecond[t] = position < capacity;
            }
        }
        return r;
    }

    /** coef * E * mean over groups of sum_i f_i P_i, with f from first choices before capacity. */
    private static double auxLoss(Config c, int[] first, double[] probs, int tokens) {
        final int experts = c.experts();
        final int groupSize = c.groupSize();
        final int groups = tokens / groupSize;
        double sum = 0.0;
        for (int g = 0; g < groups; g++) {
            double[] firstCount = new double[experts];
            double[] probSum = new double[experts];
            for (int t = g * groupSize; t < (g + 1) * groupSize; t++) {
                firstCount[first[t]] += 1.0;
                for (int i = 0; i < experts; i++) {
                    probSum[i] += probs[t * experts + i];
                }
            }
            double dot = 0.0;
            for (int i = 0; i < experts; i++) {
                dot += (firstCount[i] / groupSize) * (probSum[i] / groupSize); // f_i * P_i
            }
            sum += dot;
        }
        return c.auxCoef() * experts * (sum / groups);
    }

    /** zCoef * mean over all the layer's tokens of logsumexp(router logits)^2. */
    private static double zLoss(Config c, double[] logits, int tokens) {
        double sum = 0.0;
        for (int t = 0; t < tokens; t++) {
            double lse = logSumExp(logits, t * c.experts(), c.experts());
            sum += lse * lse;
        }
        return c.zCoef() * (sum / tokens);
    }

    // =============================================================================================
    // Small numeric helpers
    // =============================================================================================

    /** [rows, in] . [in, out] -&gt; [rows, out]. */
    private static double[] matmul(double[] x, int rows, int in, double[] w, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = 0.0;
                for (int k = 0; k < in; k++) {
                    acc += x[r * in + k] * w[k * out + o];
                }
                y[r * out + o] = acc;
            }
        }
        return y;
    }

    /** Index of the largest a[off + i], i != excluded; strict '&gt;' keeps the lowest index on ties. */
    private static int argmax(double[] a, int off, int n, int excluded) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (i != excluded && (best < 0 || a[off + i] > a[off + best])) {
                best = i;
            }
        }
        return best;
    }

    /** Softmax of a[off .. off + n), shifted by the max for range (mathematically identical). */
    private static void softmaxInPlace(double[] a, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, a[off + i]);
        }
        double denom = 0.0;
        for (int i = 0; i < n; i++) {
            a[off + i] = Math.exp(a[off + i] - max);
            denom += a[off + i];
        }
        for (int i = 0; i < n; i++) {
            a[off + i] /= denom;
        }
    }

    private static double logSumExp(double[] a, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, a[off + i]);
        }
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(a[off + i] - max);
        }
        return max + Math.log(sum);
    }

    // =============================================================================================
    // Noise (README "Noise")
    // =============================================================================================

    /**
     * The README's u for one element: {@code h = mix(seed ^ fnv1a32(site))}, then {@code h = mix(h + c_k)}
     * per coordinate, {@code u = (h >>> 8) * 2^-24}.
     */
    public static double uniform(int seed, String site, int... coordinates) {
        return Site.of(seed, site).bits24(coordinates) * 0x1p-24;
    }

    /** lowbias32 on 32-bit ints (wrap-around multiplication). */
    static int mix(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    /** 32-bit FNV-1a of the UTF-8 bytes of {@code s}. */
    static int fnv1a32(String s) {
        int h = 0x811c9dc5;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return h;
    }

    /**
     * ceil(rate * 2^24) of the double {@code rate} exactly (its exact binary value, so a dyadic rate
     * k * 2^-24 gives k; for rates as people write them, e.g. 0.1, the decimal gives the same ceiling):
     * an element is kept iff {@code (h >>> 8) >=} this.
     */
    static long dropoutThreshold(double rate) {
        return new BigDecimal(rate).multiply(BigDecimal.valueOf(1L << 24))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** One noise site under one seed; for dropout sites also the threshold and the keep scale. */
    private record Site(int base, long threshold, double keepScale) {
        static Site of(int seed, String name) {
            return new Site(mix(seed ^ fnv1a32(name)), 0, 1.0);
        }

        static Site of(Noise noise, String name) {
            return of(noise.seed(), name);
        }

        /** The dropout site, or null (no draw, no scaling) in eval mode or for rate 0. */
        static Site dropout(Noise noise, String name, double rate) {
            if (noise == null || rate == 0.0) {
                return null;
            }
            return new Site(of(noise, name).base, dropoutThreshold(rate), 1.0 / (1.0 - rate));
        }

        /** h >>> 8 for the element at these global coordinates. */
        int bits24(int... coordinates) {
            int h = base;
            for (int coordinate : coordinates) {
                h = mix(h + coordinate);
            }
            return h >>> 8;
        }

        double uniform(int... coordinates) {
            return bits24(coordinates) * 0x1p-24;
        }

        /** 0 if the element is dropped, else 1 / (1 - rate). */
        double factor(int... coordinates) {
            return bits24(coordinates) >= threshold ? keepScale : 0.0;
        }
    }

    /** Dropout in place on [batch * length, width] rows, drawn at [batch, L, width]; null: none. */
    private static void dropTokens(Site site, double[] x, int length, int width) {
        if (site == null) {
            return;
        }
        for (int t = 0; t < x.length / width; t++) {
            for (int k = 0; k < width; k++) {
                x[t * width + k] *= site.factor(t / length, t % length, k);
            }
        }
    }

    private static void addInPlace(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    private static void addScaled(double[] y, int off, double scale, double[] v) {
        for (int i = 0; i < v.length; i++) {
            y[off + i] += scale * v[i];
        }
    }

    private static int[] append(int[] lead, int... tail) {
        int[] shape = new int[lead.length + tail.length];
        System.arraycopy(lead, 0, shape, 0, lead.length);
        System.arraycopy(tail, 0, shape, lead.length, tail.length);
        return shape;
    }

    // =============================================================================================
    // Validation and bookkeeping
    // =============================================================================================

    /** Losses and diagnostics accumulated over the Switch layers, encoder first. */
    private static final class Losses {
        /** Training-mode noise, or null; carried here as it reaches every layer with the losses. */
        final Noise noise;
        double aux;
        double z;
        final List<Integer> dropped = new ArrayList<>();

        Losses(Noise noise) {
            this.noise = noise;
        }
    }

    /** Parameter lookup that checks shapes and, at the end, that nothing was left unused. */
    private static final class Params {
        private final Map<String, float[]> raw;
        private final Set<String> used = new HashSet<>();

        Params(Map<String, float[]> raw) {
            this.raw = raw;
        }

        double[] get(String name, int... shape) {
            float[] a = raw.get(name);
            long size = 1;
            for (int dim : shape) {
                size *= dim;
            }
            if (a == null) {
                throw new IllegalArgumentException("missing parameter " + name + " " + Arrays.toString(shape));
            }
            if (a.length != size) {
                throw new IllegalArgumentException("parameter " + name + " has " + a.length + " elements, expected "
                        + Arrays.toString(shape) + " = " + size);
            }
            used.add(name);
            double[] out = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }

        void requireAllUsed() {
            Set<String> extra = new TreeSet<>(raw.keySet());
            extra.removeAll(used);
            if (!extra.isEmpty()) {
                throw new IllegalArgumentException("unexpected parameters " + extra);
            }
        }
    }

    private static void validate(Config c) {
        require(c.vocab() > 0 && c.dModel() > 0 && c.dFf() > 0 && c.dKv() > 0 && c.heads() > 0,
                "sizes must be positive");
        require(c.batch() > 0 && c.seq() > 0, "batch and seq must be positive");
        require(c.decoderLayers() >= 0 && c.encoderLayers() >= 0, "layer counts must be non-negative");
        require(!c.encoderDecoder() || c.decSeq() > 0, "decSeq must be positive for encoder-decoder");
        require(c.relativeBuckets() > 0, "relativeBuckets must be positive");
        require(c.ffn() != null, "ffn kind missing");
        require(c.experts() >= 0, "experts must be non-negative");
        if (c.experts() > 0) {
            require(c.switchEvery() > 0, "switchEvery must be positive");
            require(c.topK() == 1 || c.topK() == 2, "topK must be 1 or 2");
            require(c.topK() == 1 || c.experts() >= 2, "top-2 routing needs at least 2 experts");
            require(c.groupSize() > 0, "groupSize must be positive");
            require(c.capacityFactor() != null && c.capacityFactor().signum() >= 0, "capacity factor must be >= 0");
            require(c.minCapacity() >= 0, "minCapacity must be >= 0");
            // The stack reading `inputs` has batch * seq tokens; an encoder-decoder's decoder batch * decSeq.
            int inputLayers = c.encoderDecoder() ? c.encoderLayers() : c.decoderLayers();
            require(!usesSwitch(c, inputLayers) || (c.batch() * c.seq()) % c.groupSize() == 0,
                    "groupSize must divide batch * seq");
            require(!c.encoderDecoder() || !usesSwitch(c, c.decoderLayers())
                    || (c.batch() * c.decSeq()) % c.groupSize() == 0, "groupSize must divide batch * decSeq");
        }
    }

    private static void validate(Noise n) {
        if (n == null) {
            return;
        }
        require(n.dropout() >= 0.0 && n.dropout() < 1.0, "dropout must lie in [0, 1)");
        require(n.expertDropout() >= 0.0 && n.expertDropout() < 1.0, "expertDropout must lie in [0, 1)");
        require(n.routerJitter() >= 0.0 && Double.isFinite(n.routerJitter()), "routerJitter must be finite and >= 0");
    }

    /** Whether a stack of this many layers has at least one Switch layer. */
    private static boolean usesSwitch(Config c, int layers) {
        return c.experts() > 0 && layers >= c.switchEvery();
    }

    private static void requireIds(String name, int[] ids, long expectedLength, int vocab) {
        require(ids != null && ids.length == expectedLength, name + " must have length " + expectedLength);
        for (int id : ids) {
            require(id >= 0 && id < vocab, name + " id " + id + " outside [0, " + vocab + ")");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
