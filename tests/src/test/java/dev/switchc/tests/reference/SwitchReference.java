package dev.switchc.tests.reference;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Independent numeric reference for one Switch Transformer feed-forward layer (Fedus, Zoph &amp;
 * Shazeer, "Switch Transformers", sections 2.1-2.2 and appendix F, figures 14-16), written from the
 * paper's equations in plain loops. All arithmetic is in double, whatever the precision being
 * checked; inputs are float arrays (use {@link #roundToBf16(float)} to model bf16 inputs).
 *
 * <p>It deliberately shares no code with the compiler under test.
 *
 * <p>Layout conventions (all row-major):
 *
 * <ul>
 *   <li>x [batch, seq, dModel]; token t = b * seq + s.
 *   <li>routerW [dModel, experts].
 *   <li>wi [experts, dModel, dFf]; wo [experts, dFf, dModel].
 *   <li>y [batch, seq, dModel]; per-token arrays are indexed by t.
 * </ul>
 */
public final class SwitchReference {
    private SwitchReference() {}

    /**
     * Layer configuration.
     *
     * @param batch batch size
     * @param seq sequence length
     * @param dModel model width
     * @param dFf expert hidden width
     * @param experts number of experts E
     * @param groupSize tokens per routing group S (must divide batch * seq)
     * @param capacityFactor capacity factor cf, an exact decimal (e.g. new BigDecimal("1.25"))
     * @param minCapacity lower bound on the expert capacity (Mesh TF default 4)
     * @param gelu true: exact GELU; false: ReLU
     * @param auxCoef alpha, the aux-loss coefficient (paper: 0.01)
     */
    public record Config(
            int batch,
            int seq,
            int dModel,
            int dFf,
            int experts,
            int groupSize,
            BigDecimal capacityFactor,
            long minCapacity,
            boolean gelu,
            double auxCoef) {
        public Config {
            if (batch <= 0 || seq <= 0 || dModel <= 0 || dFf <= 0 || experts <= 0 || groupSize <= 0) {
                throw new IllegalArgumentException("all sizes must be positive");
            }
            if (((long) batch * seq) % groupSize != 0) {
                throw new IllegalArgumentException(
                        "group size " + groupSize + " does not divide batch*seq = " + (long) batch * seq);
            }
            if (capacityFactor == null || capacityFactor.signum() < 0) {
                throw new IllegalArgumentException("capacity factor must be a non-negative decimal");
            }
            if (minCapacity < 0) {
                throw new IllegalArgumentException("min capacity must be non-negative");
            }
        }

        /** Total number of tokens, batch * seq. */
        public int tokens() {
            return Math.multiplyExact(batch, seq);
        }
    }

    /**
     * Layer output and routing diagnostics.
     *
     * @param y layer output, row-major [batch, seq, dModel]; exactly 0 for dropped tokens
     * @param auxLoss alpha * mean over groups of E * sum_i f_i * P_i
     * @param tokensPerExpert number of tokens (all groups) whose argmax is expert i, before capacity
     * @param droppedFraction (tokens not kept) / (batch * seq)
     * @param expertCapacity C, per group
     * @param groups G = batch * seq / groupSize
     * @param expert per token: argmax expert (lowest index on ties)
     * @param position per token: number of earlier tokens of its group routed to the same expert
     * @param kept per token: position &lt; C
     * @param gate per token: router probability of its argmax expert (full softmax)
     * @param routerProbs router probabilities, row-major [tokens, experts]
     */
    public record Result(
            double[] y,
            double auxLoss,
            long[] tokensPerExpert,
            double droppedFraction,
            long expertCapacity,
            long groups,
            int[] expert,
            int[] position,
            boolean[] kept,
            double[] gate,
            double[] routerProbs) {}

    /**
     * Expert capacity per group (paper eq. 3 with Mesh TF's clamps):
     * {@code C = max(min(S, floor(S * cf / E)), minCapacity)}, computed exactly in decimal.
     */
    public static long expertCapacity(long groupSize, BigDecimal capacityFactor, long experts, long minCapacity) {
        // eq. 3: (tokens per batch / number of experts) * capacity factor, with "tokens per batch"
        // being the tokens of one group (appendix F: tokens_per_core * capacity_factor / num_experts).
        // Exact: S * cf is an exact decimal product, and divide(.., 0, FLOOR) is the exact floor.
        BigDecimal raw = BigDecimal.valueOf(groupSize)
                .multiply(capacityFactor)
                .divide(BigDecimal.valueOf(experts), 0, RoundingMode.FLOOR);
        long floor = raw.longValueExact();
        return Math.max(Math.min(groupSize, floor), minCapacity);
    }

    /** Runs the layer. Inputs are not modified. */
    public static Result compute(Config cfg, float[] x, float[] routerW, float[] wi, float[] wo) {
        final int tokens = cfg.tokens();
        final int d = cfg.dModel();
        final int f = cfg.dFf();
        final int e = cfg.experts();
        final int s = cfg.groupSize();
        final int groups = tokens / s;
        requireLength("x", x, (long) tokens * d);
        requireLength("routerW", routerW, (long) d * e);
        requireLength("wi", wi, (long) e * d * f);
        requireLength("wo", wo, (long) e * f * d);

        // Appendix F, switch_layer: "expert_capacity = tokens_per_core * capacity_factor / num_experts",
        // here per group of S tokens, floored and clamped (design notes).
        final long capacity = expertCapacity(s, cfg.capacityFactor(), e, cfg.minCapacity());

        // ---- Router (appendix F, figure 15), in double. ----
        // "router_logits = mtf.einsum([inputs, router_weights], reduced_dim=d_model)"
        // "router_probs = mtf.softmax(router_logits, axis=-1)"      (section 2.1: p_i(x) = e^{h_i} / sum_j e^{h_j})
        // "expert_gate, expert_index = mtf.top_1(router_probs, ...)" (section 2.1: route to the single top expert)
        double[] probs = new double[tokens * e];
        int[] expert = new int[tokens];
        double[] gate = new double[tokens];
        for (int t = 0; t < tokens; t++) {
            double[] logits = new double[e];
            for (int i = 0; i < e; i++) {
                double acc = 0.0;
                for (int k = 0; k < d; k++) {
                    acc += (double) x[t * d + k] * (double) routerW[k * e + i];
                }
                logits[i] = acc;
            }
            // softmax, shifted by the max logit for range (mathematically identical).
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < e; i++) {
                max = Math.max(max, logits[i]);
            }
            double denom = 0.0;
            for (int i = 0; i < e; i++) {
                denom += Math.exp(logits[i] - max);
            }
            for (int i = 0; i < e; i++) {
                probs[t * e + i] = Math.exp(logits[i] - max) / denom;
            }
            // top-1 over the probabilities: strict '>' keeps the lowest index on ties.
            int best = 0;
            for (int i = 1; i < e; i++) {
                if (probs[t * e + i] > probs[t * e + best]) {
                    best = i;
                }
            }
            expert[t] = best;
            gate[t] = probs[t * e + best]; // full softmax probability, not renormalised
        }

        // ---- Capacity (appendix F, figure 15). ----
        // "position_in_expert = mtf.cumsum(expert_mask, dimension=tokens_per_core) * expert_mask"
        //   -> 0-based: number of EARLIER tokens of the same group with the same expert.
        // "expert_mask *= mtf.less(position_in_expert, expert_capacity)" -> kept iff position < C.
        int[] position = new int[tokens];
        boolean[] kept = new boolean[tokens];
        long droppedCount = 0;
        for (int g = 0; g < groups; g++) {
            int[] countSoFar = new int[e]; // restarts for every group
            for (int j = 0; j < s; j++) {
                int t = g * s + j;
                position[t] = countSoFar[expert[t]];
                countSoFar[expert[t]]++;
                kept[t] = position[t] < capacity;
                if (!kept[t]) {
                    droppedCount++;
                }
            }
        }

        // ---- Expert feed-forward and combine (appendix F, figure 16; section 2.1 eq. 2 with k = 1). ----
        // Expert e: FFN_e(x) = act(x . wi[e]) . wo[e]; y = p_{e}(x) * FFN_e(x) ("expert_gate *= expert_mask_flat",
        // combine tensor = gate * one_hot(expert) * one_hot(position)). Dropped tokens: "computation is skipped"
        // (section 2.2) so the layer output is 0; the residual outside the layer carries the token.
        double[] y = new double[tokens * d];
        for (int t = 0; t < tokens; t++) {
            if (!kept[t]) {
                continue; // y row stays exactly 0
            }
            int ex = expert[t];
            double[] h = new double[f];
            for (int j = 0; j < f; j++) {
                double acc = 0.0;
                for (int k = 0; k < d; k++) {
                    acc += (double) x[t * d + k] * (double) wi[(ex * d + k) * f + j];
                }
                h[j] = cfg.gelu() ? gelu(acc) : relu(acc);
            }
            for (int m = 0; m < d; m++) {
                double acc = 0.0;
                for (int j = 0; j < f; j++) {
                    acc += h[j] * (double) wo[(ex * f + j) * d + m];
                }
                y[t * d + m] = gate[t] * acc;
            }
        }

        // ---- Load-balancing loss (section 2.2 eqs. 4-6; appendix F, figure 14), per group. ----
        // f_i = (1/T) sum_x 1{argmax p(x) = i}   (eq. 5; "density_1 = reduce_mean(expert_mask)", mask before capacity)
        // P_i = (1/T) sum_x p_i(x)                (eq. 6; "density_1_proxy = reduce_mean(router_probs)")
        // loss = N * sum_i f_i * P_i              (eq. 4 without alpha; "reduce_mean(proxy * density) * N^2")
        // Here T = S (one group); the per-group losses are averaged, then scaled by alpha.
        double lossSum = 0.0;
        long[] tokensPerExpert = new long[e];
        for (int g = 0; g < groups; g++) {
            double[] fraction = new double[e];
            double[] meanProb = new double[e];
            for (int j = 0; j < s; j++) {
                int t = g * s + j;
                fraction[expert[t]] += 1.0;
                tokensPerExpert[expert[t]]++;
                for (int i = 0; i < e; i++) {
                    meanProb[i] += probs[t * e + i];
                }
            }
            double dot = 0.0;
            for (int i = 0; i < e; i++) {
                dot += (fraction[i] / s) * (meanProb[i] / s);
            }
            lossSum += e * dot;
        }
        double auxLoss = cfg.auxCoef() * (lossSum / groups);

        double droppedFraction = (double) droppedCount / tokens;
        return new Result(y, auxLoss, tokensPerExpert, droppedFraction, capacity, groups,
                expert, position, kept, gate, probs);
    }

    /** ReLU: max(0, v). */
    public static double relu(double v) {
        return v > 0.0 ? v : 0.0;
    }

    /**
     * Exact GELU: 0.5 * v * (1 + erf(v / sqrt(2))). The factor (1 + erf(z)) is evaluated as the
     * mathematically identical erfc(-z), which keeps relative accuracy for large negative v.
     */
    public static double gelu(double v) {
        return 0.5 * v * Erf.erfc(-v / Math.sqrt(2.0));
    }

    /**
     * Rounds a float to the nearest bfloat16 (8 exponent bits, 7 stored mantissa bits), ties to
     * even, and returns it as a float. NaN stays NaN (quiet, sign kept); infinities and zeros keep
     * their sign; finite values beyond the bf16 range round to infinity.
     */
    public static float roundToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            // Keep the sign, force the quiet bit so the truncated payload cannot become an infinity.
            return Float.intBitsToFloat((bits | 0x0040_0000) & 0xFFFF_0000);
        }
        // Add half an ulp of bf16 (0x7FFF) plus the lowest kept bit (ties to even), then truncate.
        // A carry out of the mantissa correctly bumps the exponent (up to infinity).
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return Float.intBitsToFloat(rounded & 0xFFFF_0000);
    }

    private static void requireLength(String name, float[] a, long expected) {
        if (a == null || a.length != expected) {
            throw new IllegalArgumentException(
                    name + " must have length " + expected + ", got " + (a == null ? "null" : a.length));
        }
    }
}
