package dev.switchc.tests.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.tests.reference.TransformerReference.Config;
import dev.switchc.tests.reference.TransformerReference.Ffn;
import dev.switchc.tests.reference.TransformerReference.Noise;
import dev.switchc.tests.reference.TransformerReference.Result;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tests of the whole-model reference itself: bucket tables worked out by hand, tiny models computed
 * by hand in straight-line code, and structural properties (masks, capacity, routing) that a wrong
 * reference would violate.
 */
class TransformerReferenceTest {

    private static final double TOL = 1e-12;

    // =============================================================================================
    // Relative position buckets
    // =============================================================================================

    /**
     * Bidirectional, 32 buckets, max distance 128: nb = 16 per direction, m = 8, nb - m = 8,
     * maxDist / m = 16, so for n &gt;= 8 the bucket is 8 + floor(8 * log(n/8) / log 16)
     * = 8 + floor(2 * log2(n / 8)), capped at 15. floor(...) &gt;= k iff n &gt;= 8 * 2^(k/2):
     * k = 1: n &gt;= 11.31 -&gt; 12; k = 2: n &gt;= 16 (exactly); k = 3: 22.63 -&gt; 23; k = 4: 32;
     * k = 5: 45.25 -&gt; 46; k = 6: 64; k = 7: 90.51 -&gt; 91 (bucket 15, the cap).
     * Positive r (key after query) adds 16.
     */
    @Test
    void bidirectionalBucketsT5Defaults() {
        int[] thresholds = {12, 16, 23, 32, 46, 64, 91}; // first n of buckets 9 .. 15
        for (int r = -1000; r <= 1000; r++) {
            int n = Math.abs(r);
            int expected = n < 8 ? n : 8 + countAtMost(thresholds, n);
            if (r > 0) {
                expected += 16;
            }
            assertEquals(expected, TransformerReference.relativeBucket(r, true, 32, 128), "r = " + r);
        }
        // The spot values of the brief.
        assertEquals(0, TransformerReference.relativeBucket(0, true, 32, 128));
        assertEquals(1, TransformerReference.relativeBucket(-1, true, 32, 128));
        assertEquals(17, TransformerReference.relativeBucket(1, true, 32, 128));
        assertEquals(10, TransformerReference.relativeBucket(-16, true, 32, 128)); // exactly m + 2
        assertEquals(9, TransformerReference.relativeBucket(-15, true, 32, 128));
        assertEquals(26, TransformerReference.relativeBucket(16, true, 32, 128));
        assertEquals(15, TransformerReference.relativeBucket(-128, true, 32, 128));
        assertEquals(15, TransformerReference.relativeBucket(-1000, true, 32, 128));
        assertEquals(31, TransformerReference.relativeBucket(1000, true, 32, 128));
    }

    /**
     * Causal, 32 buckets, max distance 128: nb = 32, m = 16, nb - m = 16, maxDist / m = 8, n = max(-r, 0);
     * for n &gt;= 16 the bucket is 16 + floor(16 * log(n/16) / log 8) = 16 + floor(16/3 * log2(n/16)),
     * capped at 31. floor(...) &gt;= k iff n &gt;= 16 * 2^(3k/16): 18.22, 20.75, 23.63, 26.91, 30.64,
     * 34.90, 39.74, 45.25, 51.54, 58.69, 66.83, 76.11, 86.67, 98.70, 112.40, i.e. first n = 19, 21, 24,
     * 27, 31, 35, 40, 46, 52, 59, 67, 77, 87, 99, 113 for buckets 17 .. 31. E.g. r = -20: n = 20 lies in
     * [19, 21) -&gt; bucket 17.
     */
    @Test
    void causalBucketsT5Defaults() {
        int[] thresholds = {19, 21, 24, 27, 31, 35, 40, 46, 52, 59, 67, 77, 87, 99, 113};
        for (int r = -1000; r <= 1000; r++) {
            int n = Math.max(-r, 0);
            int expected = n < 16 ? n : 16 + countAtMost(thresholds, n);
            assertEquals(expected, TransformerReference.relativeBucket(r, false, 32, 128), "r = " + r);
        }
        assertEquals(0, TransformerReference.relativeBucket(1, false, 32, 128)); // the future: bucket 0
        assertEquals(0, TransformerReference.relativeBucket(0, false, 32, 128));
        assertEquals(15, TransformerReference.relativeBucket(-15, false, 32, 128));
        assertEquals(16, TransformerReference.relativeBucket(-16, false, 32, 128));
        assertEquals(17, TransformerReference.relativeBucket(-20, false, 32, 128));
        assertEquals(21, TransformerReference.relativeBucket(-32, false, 32, 128)); // 16/3 -> 5
        assertEquals(30, TransformerReference.relativeBucket(-112, false, 32, 128));
        assertEquals(31, TransformerReference.relativeBucket(-113, false, 32, 128));
        assertEquals(31, TransformerReference.relativeBucket(-128, false, 32, 128));
    }

    /**
     * Exact boundaries that double arithmetic gets wrong. Causal, 9 buckets, max distance 128:
     * nb = 9, m = 4, nb - m = 5, maxDist / m = 32 = 2^5, so the bucket for n &gt;= 4 is
     * 4 + floor(5 * log(n/4) / log 32) = 4 + floor(log2(n / 4)), capped at 8: n = 4..7 -&gt; 4,
     * 8..15 -&gt; 5, 16..31 -&gt; 6, 32..63 -&gt; 7, 64.. -&gt; 8. In double, log(2) / log(32) * 5 is
     * 0.9999999999999999, whose floor would put n = 8 in bucket 4. Bidirectional with 18 buckets has
     * the same nb = 9 per direction (offset 9 for r &gt; 0).
     */
    @Test
    void bucketsExactAtPowerBoundaries() {
        int[] thresholds = {8, 16, 32, 64};
        for (int r = -300; r <= 300; r++) {
            int n = Math.max(-r, 0);
            int expected = n < 4 ? n : 4 + countAtMost(thresholds, n);
            assertEquals(expected, TransformerReference.relativeBucket(r, false, 9, 128), "causal r = " + r);
            int nBi = Math.abs(r);
            int expectedBi = (nBi < 4 ? nBi : 4 + countAtMost(thresholds, nBi)) + (r > 0 ? 9 : 0);
            assertEquals(expectedBi, TransformerReference.relativeBucket(r, true, 18, 128), "bidirectional r = " + r);
        }
        assertEquals(5, TransformerReference.relativeBucket(-8, false, 9, 128));
        assertEquals(4, TransformerReference.relativeBucket(-7, false, 9, 128));
        assertEquals(6, TransformerReference.relativeBucket(-16, false, 9, 128));
        assertEquals(14, TransformerReference.relativeBucket(8, true, 18, 128));
    }

    /** Away from exact integer boundaries the bucket agrees with T5's floating-point formula. */
    @Test
    void bucketsAgreeWithFloatingFormulaAwayFromBoundaries() {
        int[][] settings = {{32, 128}, {8, 20}, {64, 256}, {10, 50}, {16, 30}};
        for (int[] s : settings) {
            for (boolean bidirectional : new boolean[] {true, false}) {
                for (int r = -600; r <= 600; r++) {
                    int nb = bidirectional ? s[0] / 2 : s[0];
                    int offset = bidirectional && r > 0 ? nb : 0;
                    int n = bidirectional ? Math.abs(r) : Math.max(-r, 0);
                    int m = nb / 2;
                    int expected;
                    if (n < m) {
                        expected = offset + n;
                    } else {
                        double v = Math.log((double) n / m) / Math.log((double) s[1] / m) * (nb - m);
                        if (Math.abs(v - Math.rint(v)) < 1e-9) {
                            continue; // an exact boundary: floating point cannot be trusted there
                        }
                        expected = offset + Math.min(nb - 1, m + (int) Math.floor(v));
                    }
                    assertEquals(expected, TransformerReference.relativeBucket(r, bidirectional, s[0], s[1]),
                            Arrays.toString(s) + " bidirectional=" + bidirectional + " r=" + r);
                }
            }
        }
    }

    /** Number of thresholds &lt;= n. */
    private static int countAtMost(int[] thresholds, int n) {
        int count = 0;
        for (int t : thresholds) {
            if (n >= t) {
                count++;
            }
        }
        return count;
    }

    // =============================================================================================
    // Tiny models by hand
    // =============================================================================================

    /**
     * Decoder-only, 1 dense layer, heads 1, d_model 2, d_kv 2, d_ff 1, vocab 3, tied embeddings, the
     * sequence inputs = [1, 2]: the decoder reads shift_right = [0, 1] and predicts [1, 2].
     * Buckets: 4 causal buckets (m = 2), so r = 0 -&gt; bucket 0 and r = -1 -&gt; bucket 1.
     */
    @Test
    void denseDecoderOnlyByHand() {
        for (Ffn ffn : Ffn.values()) {
            Config c = new Config(false, 3, 2, 1, 2, 1, 0, 1, ffn, 0, 1, 1, 1, BigDecimal.ONE, 0, 0.0, 0.0,
                    4, 4, true, 1, 2, 0);
            Map<String, float[]> p = new HashMap<>();
            float[] emb = {0.5f, -1f, /* id 1 */ 1f, 2f, /* id 2 */ -1.5f, 0.25f};
            p.put("shared/embedding", emb);
            p.put("decoder/relative_attention_bias", new float[] {0.3f, -0.7f, 0.9f, 0.1f});
            p.put("decoder/layer_000/self_attention/norm", new float[] {1.5f, 0.5f});
            p.put("decoder/layer_000/self_attention/q", new float[] {0.5f, -1f, 1f, 0.25f});
            p.put("decoder/layer_000/self_attention/k", new float[] {1f, 0.5f, -0.5f, 2f});
            p.put("decoder/layer_000/self_attention/v", new float[] {2f, -1f, 0.5f, 1f});
            p.put("decoder/layer_000/self_attention/o", new float[] {1f, 0.5f, -1f, 2f});
            p.put("decoder/layer_000/ffn/norm", new float[] {0.75f, 1.25f});
            float[] wi0 = {1.5f, -0.5f};
            float[] wi1 = {0.5f, 2f};
            if (ffn == Ffn.GEGLU) {
                p.put("decoder/layer_000/ffn/wi_0", wi0);
                p.put("decoder/layer_000/ffn/wi_1", wi1);
            } else {
                p.put("decoder/layer_000/ffn/wi", wi0);
            }
            p.put("decoder/layer_000/ffn/wo", new float[] {-1f, 0.5f});
            p.put("decoder/final_norm", new float[] {1.25f, 0.875f});

            // ---- by hand ----
            double[] x0 = {0.5, -1}; // embedding of id 0: shift_right's first token
            double[] x1 = {1, 2}; // embedding of id 1 = inputs[0]
            float[] saNorm = p.get("decoder/layer_000/self_attention/norm");
            double[] n0 = norm(x0, saNorm);
            double[] n1 = norm(x1, saNorm);
            float[] wq = p.get("decoder/layer_000/self_attention/q");
            float[] wk = p.get("decoder/layer_000/self_attention/k");
            float[] wv = p.get("decoder/layer_000/self_attention/v");
            float[] wo = p.get("decoder/layer_000/self_attention/o");
            double[] q1 = vecMat(n1, wq, 2);
            double[] k0 = vecMat(n0, wk, 2);
            double[] k1 = vecMat(n1, wk, 2);
            double[] v0 = vecMat(n0, wv, 2);
            double[] v1 = vecMat(n1, wv, 2);
            // Position 0 sees only key 0 (key 1 is in the future): its context is v0.
            double[] ctx0 = v0;
            // Position 1: logits q1.k0 + bias[bucket(-1) = 1], q1.k1 + bias[bucket(0) = 0]; no 1/sqrt(d_kv).
            double[] w = softmax(dot(q1, k0) + (-0.7f), dot(q1, k1) + 0.3f);
            double[] ctx1 = {w[0] * v0[0] + w[1] * v1[0], w[0] * v0[1] + w[1] * v1[1]};
            x0 = add(x0, vecMat(ctx0, wo, 2));
            x1 = add(x1, vecMat(ctx1, wo, 2));
            // FFN with d_ff = 1: hidden = act(m . wi) (GEGLU: gelu(m . wi_0) * (m . wi_1)), out = hidden * wo.
            float[] ffnNorm = p.get("decoder/layer_000/ffn/norm");
            double[] ffnWo = {-1, 0.5};
            x0 = add(x0, handFfn1(ffn, norm(x0, ffnNorm), wi0, wi1, ffnWo));
            x1 = add(x1, handFfn1(ffn, norm(x1, ffnNorm), wi0, wi1, ffnWo));
            double[] f0 = norm(x0, p.get("decoder/final_norm"));
            double[] f1 = norm(x1, p.get("decoder/final_norm"));
            // Tied: (x / sqrt(2)) . embedding^T.
            double[] logits0 = new double[3];
            double[] logits1 = new double[3];
            for (int v = 0; v < 3; v++) {
                logits0[v] = (f0[0] * emb[2 * v] + f0[1] * emb[2 * v + 1]) / Math.sqrt(2);
                logits1[v] = (f1[0] * emb[2 * v] + f1[1] * emb[2 * v + 1]) / Math.sqrt(2);
            }
            double ce = ((lse(logits0) - logits0[1]) + (lse(logits1) - logits1[2])) / 2;

            Result r = TransformerReference.forward(c, p, new int[] {1, 2}, null);
            assertArrayEquals(concat(logits0, logits1), r.logits(), TOL, ffn.toString());
            assertEquals(ce, r.crossEntropy(), TOL);
            assertEquals(ce, r.loss(), TOL);
            assertEquals(0.0, r.auxLoss());
            assertEquals(0.0, r.zLoss());
            assertEquals(0, r.droppedPerLayer().length);
        }
    }

    /**
     * Encoder-decoder, 1 + 1 dense GEGLU layers, heads 1, d_model 2, d_kv 2, d_ff 3, untied logits,
     * inputs [1, 2, 0] (the last is padding) and targets [2, 0] (the decoder reads [0, 2]; the padding
     * target is not scored). Buckets (4, max distance 4): encoder nb = 2, m = 1: r = 0 -&gt; 0,
     * r = -1 -&gt; 1 + floor(log 1 / log 4 * 1) = 1, r = +1 -&gt; 2 + 1 = 3; decoder r = 0 -&gt; 0, r = -1 -&gt; 1.
     * The padded encoder key 2 gets weight exactly 0 in every softmax, so the hand computation ignores
     * that position altogether.
     */
    @Test
    void encoderDecoderByHand() {
        Config c = new Config(true, 3, 2, 3, 2, 1, 1, 1, Ffn.GEGLU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0.0, 0.0,
                4, 4, false, 1, 3, 2);
        Map<String, float[]> p = randomParams(c, 7);

        // ---- encoder ----
        float[] emb = p.get("shared/embedding");
        double[][] e = {row(emb, 1, 2), row(emb, 2, 2)};
        String el = "encoder/layer_000/";
        double[][] n = {norm(e[0], p.get(el + "self_attention/norm")), norm(e[1], p.get(el + "self_attention/norm"))};
        float[] bias = p.get("encoder/relative_attention_bias");
        double[][] ctx = new double[2][];
        for (int i = 0; i < 2; i++) {
            double[] q = vecMat(n[i], p.get(el + "self_attention/q"), 2);
            double[] ka = vecMat(n[0], p.get(el + "self_attention/k"), 2);
            double[] kb = vecMat(n[1], p.get(el + "self_attention/k"), 2);
            // bucket(j - i): i = 0 -> keys (r = 0: 0, r = 1: 3); i = 1 -> keys (r = -1: 1, r = 0: 0)
            double biasA = i == 0 ? bias[0] : bias[1];
            double biasB = i == 0 ? bias[3] : bias[0];
            double[] w = softmax(dot(q, ka) + biasA, dot(q, kb) + biasB);
            double[] va = vecMat(n[0], p.get(el + "self_attention/v"), 2);
            double[] vb = vecMat(n[1], p.get(el + "self_attention/v"), 2);
            ctx[i] = add(scale(va, w[0]), scale(vb, w[1]));
        }
        for (int i = 0; i < 2; i++) {
            e[i] = add(e[i], vecMat(ctx[i], p.get(el + "self_attention/o"), 2));
            e[i] = add(e[i], handGeglu(norm(e[i], p.get(el + "ffn/norm")), p, el + "ffn/", 3));
        }
        double[][] enc = {norm(e[0], p.get("encoder/final_norm")), norm(e[1], p.get("encoder/final_norm"))};

        // ---- decoder: reads [0, 2] ----
        String dl = "decoder/layer_000/";
        double[][] x = {row(emb, 0, 2), row(emb, 2, 2)};
        double[][] m = {norm(x[0], p.get(dl + "self_attention/norm")), norm(x[1], p.get(dl + "self_attention/norm"))};
        float[] dBias = p.get("decoder/relative_attention_bias");
        double[] dv0 = vecMat(m[0], p.get(dl + "self_attention/v"), 2);
        double[] dv1 = vecMat(m[1], p.get(dl + "self_attention/v"), 2);
        double[] dq1 = vecMat(m[1], p.get(dl + "self_attention/q"), 2);
        double[] w1 = softmax(dot(dq1, vecMat(m[0], p.get(dl + "self_attention/k"), 2)) + dBias[1],
                dot(dq1, vecMat(m[1], p.get(dl + "self_attention/k"), 2)) + dBias[0]);
        double[][] selfCtx = {dv0, add(scale(dv0, w1[0]), scale(dv1, w1[1]))};
        for (int i = 0; i < 2; i++) {
            x[i] = add(x[i], vecMat(selfCtx[i], p.get(dl + "self_attention/o"), 2));
        }
        // Cross-attention: q from the decoder, k and v from the encoder output; no position bias.
        for (int i = 0; i < 2; i++) {
            double[] h = norm(x[i], p.get(dl + "cross_attention/norm"));
            double[] q = vecMat(h, p.get(dl + "cross_attention/q"), 2);
            double[] w = softmax(dot(q, vecMat(enc[0], p.get(dl + "cross_attention/k"), 2)),
                    dot(q, vecMat(enc[1], p.get(dl + "cross_attention/k"), 2)));
            double[] cctx = add(scale(vecMat(enc[0], p.get(dl + "cross_attention/v"), 2), w[0]),
                    scale(vecMat(enc[1], p.get(dl + "cross_attention/v"), 2), w[1]));
            x[i] = add(x[i], vecMat(cctx, p.get(dl + "cross_attention/o"), 2));
        }
        double[] logits = new double[0];
        for (int i = 0; i < 2; i++) {
            x[i] = add(x[i], handGeglu(norm(x[i], p.get(dl + "ffn/norm")), p, dl + "ffn/", 3));
            // Untied: x . decoder/logits, no d_model^-0.5.
            logits = concat(logits, vecMat(norm(x[i], p.get("decoder/final_norm")), p.get("decoder/logits"), 3));
        }
        double ce = lse(Arrays.copyOfRange(logits, 0, 3)) - logits[2]; // only target 2 counts

        Result r = TransformerReference.forward(c, p, new int[] {1, 2, 0}, new int[] {2, 0});
        assertArrayEquals(logits, r.logits(), TOL);
        assertEquals(ce, r.crossEntropy(), TOL);
    }

    // =============================================================================================
    // Switch layers
    // =============================================================================================

    /**
     * A zero router gives every token equal logits, so every token picks expert 0 (lowest index on
     * ties) with gate exactly 1/2. batch 2, seq 3, group 2: groups {t0, t1}, {t2, t3}, {t4, t5} (the
     * middle one straddles the two sequences), C = max(min(2, floor(2 * 1 / 2)), 0) = 1, so t0, t2, t4
     * are kept and t1, t3, t5 dropped. In a 1-layer model the FFN is the last sub-layer, so each
     * token's logits depend only on its own FFN output: kept rows must equal a dense model whose FFN is
     * expert 0 with wo halved, dropped rows a dense model with wo = 0 (residual only), bit for bit.
     */
    @Test
    void forcedExpertCapacityOverflowDropsToResidual() {
        for (Ffn ffn : Ffn.values()) {
            Config c = new Config(false, 11, 4, 3, 2, 2, 0, 1, ffn, 2, 1, 1, 2, BigDecimal.ONE, 0, 0.01, 0.001,
                    8, 16, true, 2, 3, 0);
            Map<String, float[]> p = randomParams(c, 11);
            p.put("decoder/layer_000/ffn/router/w", new float[4 * 2]);
            int[] inputs = {3, 1, 4, 1, 5, 9};

            Result r = TransformerReference.forward(c, p, inputs, null);
            Result kept = denseEquivalent(c, p, "decoder/layer_000/ffn/", new double[] {0.5, 0}, inputs);
            Result dropped = denseEquivalent(c, p, "decoder/layer_000/ffn/", new double[] {0, 0}, inputs);
            boolean[] isKept = {true, false, true, false, true, false};
            for (int t = 0; t < 6; t++) {
                Result expected = isKept[t] ? kept : dropped;
                assertArrayEquals(rowOf(expected.logits(), t, 11), rowOf(r.logits(), t, 11), 0.0, ffn + " t=" + t);
            }
            // The two expectations really differ, so the check above is not vacuous.
            assertFalse(Arrays.equals(rowOf(kept.logits(), 0, 11), rowOf(dropped.logits(), 0, 11)));
            assertArrayEquals(new int[] {3}, r.droppedPerLayer());
            // Every group: f = (1, 0), P = (1/2, 1/2): 0.01 * E * (1 * 1/2) = 0.01 exactly.
            assertEquals(0.01, r.auxLoss(), TOL);
            // logsumexp(0, 0) = ln 2 for every token.
            assertEquals(0.001 * Math.log(2) * Math.log(2), r.zLoss(), TOL);
            assertEquals(r.crossEntropy() + r.auxLoss() + r.zLoss(), r.loss(), TOL);
        }
    }

    /**
     * Top-2 on hand-designed routing. d_model 2, 3 experts, router w (rows d_model) = [[2, -2, 0],
     * [0, 0, 2]], attention output weights zero (so the FFN sees norm(embedding), with unit norm scale).
     * The router logits are proportional to (2 x0, -2 x0, 2 x1), hence (norm keeps signs and ratios):
     * id 0 "P" = (1, 0.5)   -&gt; (2, -2, 1)    -&gt; e1 = 0, e2 = 2
     * id 1 "A" = (0.5, -1)  -&gt; (1, -1, -2)   -&gt; e1 = 0, e2 = 1
     * id 2 "B" = (-1, 0.25) -&gt; (-2, 2, 0.5)  -&gt; e1 = 1, e2 = 2
     * The experts' wi are set so that no choice's FFN output is 0 (see checkTopTwo). One group of 4
     * tokens; the decoder stream is shift_right(inputs), so it starts with P.
     */
    @Test
    void topTwoRoutingAndSecondChoiceOverflow() {
        // Scenario 1: C = floor(4 * 0.75 / 3) = 1, stream [P, A, B, A].
        //  first: t0 e0 pos 0 kept; t1 e0 pos 1 dropped; t2 e1 pos 0 kept; t3 e0 pos 2 dropped.
        //  kept firsts: e0 1, e1 1, e2 0.
        //  second: t0 e2: 0 + 0 = 0 kept; t1 e1: 1 + 0 = 1 dropped; t2 e2: 0 + 1 = 1 dropped;
        //          t3 e1: 1 + 1 = 2 dropped (t1's queueing behind the LATER token t2's kept first choice).
        checkTopTwo("0.75", new int[] {1, 2, 1, 2},
                new boolean[][] {{true, true}, {false, false}, {true, false}, {false, false}}, 2);
        // Scenario 2: C = floor(4 * 1.5 / 3) = 2, stream [P, A, A, B].
        //  first: t0 e0 0 kept; t1 e0 1 kept; t2 e0 2 dropped; t3 e1 0 kept. kept firsts e0 2, e1 1, e2 0.
        //  second: t0 e2: 0 + 0 kept; t1 e1: 1 + 0 = 1 kept; t2 e1: 1 + 1 = 2 dropped; t3 e2: 0 + 1 = 1 kept.
        checkTopTwo("1.5", new int[] {1, 1, 2, 2},
                new boolean[][] {{true, true}, {true, true}, {false, false}, {true, true}}, 1);
        // Scenario 3: C = 2, stream [P, A, A, P]: all first choices e0, t2 and t3 dropped (kept firsts e0 2).
        //  second: t0 e2: 0 kept; t1 e1: 0 kept; t2 e1: 0 + 1 = 1 kept; t3 e2: 0 + 1 = 1 kept
        //  (second choices survive their dropped first choices).
        checkTopTwo("1.5", new int[] {1, 1, 0, 2},
                new boolean[][] {{true, true}, {true, true}, {false, true}, {false, true}}, 2);
    }

    private static final int[][] CHOICES = {{0, 2}, {0, 1}, {1, 2}}; // (e1, e2) of ids 0, 1, 2

    private static void checkTopTwo(String cf, int[] inputs, boolean[][] keptFirstSecond, int expectedDropped) {
        Config c = new Config(false, 3, 2, 2, 2, 1, 0, 1, Ffn.RELU, 3, 1, 2, 4, new BigDecimal(cf), 0, 0.01, 0.001,
                4, 4, true, 1, 4, 0);
        Map<String, float[]> p = randomParams(c, 5);
        p.put("shared/embedding", new float[] {1f, 0.5f, 0.5f, -1f, -1f, 0.25f});
        p.put("decoder/layer_000/self_attention/o", new float[2 * 2]);
        p.put("decoder/layer_000/ffn/norm", new float[] {1f, 1f});
        float[] routerW = {2, -2, 0, 0, 0, 2};
        p.put("decoder/layer_000/ffn/router/w", routerW);
        // Expert e: hidden = (relu(s (x0 + x1)), relu(-s (x0 + x1))), s = 1 + e / 2, so every token has
        // a clearly non-zero hidden unit in every expert (no x0 + x1 is 0) and each choice is visible.
        float[] wi = new float[3 * 2 * 2];
        for (int e = 0; e < 3; e++) {
            for (int k = 0; k < 2; k++) {
                wi[(e * 2 + k) * 2] = 1f + e / 2f;
                wi[(e * 2 + k) * 2 + 1] = -(1f + e / 2f);
            }
        }
        p.put("decoder/layer_000/ffn/experts/wi", wi);

        int[] stream = {0, inputs[0], inputs[1], inputs[2]};
        double auxDot = 0;
        double[] firstFraction = new double[3];
        double[] meanProb = new double[3];
        double zSum = 0;
        Result r = TransformerReference.forward(c, p, inputs, null);
        for (int t = 0; t < 4; t++) {
            // By hand: router logits and probabilities of norm(embedding).
            double[] xn = norm(row(p.get("shared/embedding"), stream[t], 2), p.get("decoder/layer_000/ffn/norm"));
            double[] logits = vecMat(xn, routerW, 3);
            double[] probs = softmax(logits);
            int e1 = CHOICES[stream[t]][0];
            int e2 = CHOICES[stream[t]][1];
            assertTrue(logits[e1] > logits[e2] && logits[e2] > logits[3 - e1 - e2], "design of token " + t);
            double g1 = probs[e1] / (probs[e1] + probs[e2] + 1e-9);
            double g2 = probs[e2] / (probs[e1] + probs[e2] + 1e-9);
            double[] gates = new double[3];
            gates[e1] += keptFirstSecond[t][0] ? g1 : 0;
            gates[e2] += keptFirstSecond[t][1] ? g2 : 0;
            // gate * wo is rounded to float in the dense equivalent, hence the looser tolerance.
            Result expected = denseEquivalent(c, p, "decoder/layer_000/ffn/", gates, inputs);
            assertArrayEquals(rowOf(expected.logits(), t, 3), rowOf(r.logits(), t, 3), 1e-6, "cf " + cf + " t=" + t);

            firstFraction[e1] += 0.25;
            for (int i = 0; i < 3; i++) {
                meanProb[i] += probs[i] / 4;
            }
            zSum += lse(logits) * lse(logits);
        }
        for (int i = 0; i < 3; i++) {
            auxDot += firstFraction[i] * meanProb[i];
        }
        assertArrayEquals(new int[] {expectedDropped}, r.droppedPerLayer());
        assertEquals(0.01 * 3 * auxDot, r.auxLoss(), TOL); // first choices only
        assertEquals(0.001 * zSum / 4, r.zLoss(), TOL);
    }

    /** Switch layers are exactly those with (i + 1) % switchEvery == 0, encoder first then decoder. */
    @Test
    void switchLayerPlacementAndLossBookkeeping() {
        Config c = new Config(true, 13, 4, 6, 2, 2, 4, 3, Ffn.GELU, 4, 2, 2, 3, new BigDecimal("1.0"), 1, 0.01,
                0.001, 8, 16, false, 2, 3, 6);
        Map<String, float[]> p = randomParams(c, 3);
        assertTrue(p.containsKey("encoder/layer_001/ffn/router/w"));
        assertTrue(p.containsKey("encoder/layer_002/ffn/wi"));
        int[] inputs = {5, 6, 0, 7, 8, 9};
        int[] targets = {1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, 0};
        Result r = TransformerReference.forward(c, p, inputs, targets);
        // Encoder layers 1, 3 and decoder layer 1 are Switch layers.
        assertEquals(3, r.droppedPerLayer().length);
        assertEquals(2 * 6 * 13, r.logits().length);
        assertTrue(r.auxLoss() > 0 && r.zLoss() > 0);
        // Cross-entropy over the 8 non-padding targets, recomputed from the logits.
        double sum = 0;
        for (int t = 0; t < 12; t++) {
            if (targets[t] != 0) {
                double[] row = rowOf(r.logits(), t, 13);
                sum += lse(row) - row[targets[t]];
            }
        }
        assertEquals(sum / 8, r.crossEntropy(), TOL);
        assertEquals(r.crossEntropy() + r.auxLoss() + r.zLoss(), r.loss(), TOL);
        // All-padding targets: no scored positions, cross-entropy 0 (divided by max(1, 0)).
        Result none = TransformerReference.forward(c, p, inputs, new int[12]);
        assertEquals(0.0, none.crossEntropy());
        // A missing Switch tensor, or one left over, is an error.
        Map<String, float[]> missing = new HashMap<>(p);
        missing.remove("decoder/layer_001/ffn/experts/wo");
        assertThrows(IllegalArgumentException.class, () -> TransformerReference.forward(c, missing, inputs, targets));
        Map<String, float[]> extra = new HashMap<>(p);
        extra.put("decoder/layer_000/ffn/router/w", new float[4 * 4]);
        assertThrows(IllegalArgumentException.class, () -> TransformerReference.forward(c, extra, inputs, targets));
    }

    // =============================================================================================
    // Masks, heads, embeddings
    // =============================================================================================

    /**
     * Decoder-only, 2 layers (the second a top-1 Switch layer with a tight capacity, one group per
     * sequence): changing inputs[b0, 3] changes the decoder stream from position 4 on, so positions
     * 0..3 of row 0 and all of row 1 keep bit-identical logits. (Top-1 capacity only looks at earlier
     * tokens, so it is causal too.)
     */
    @Test
    void causalMaskInDecoderOnly() {
        Config c = new Config(false, 17, 6, 8, 3, 2, 0, 2, Ffn.GEGLU, 4, 2, 1, 6, BigDecimal.ONE, 0, 0.01, 0.001,
                32, 128, true, 2, 6, 0);
        Map<String, float[]> p = randomParams(c, 13);
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        int[] b = a.clone();
        b[3] = 16;
        Result ra = TransformerReference.forward(c, p, a, null);
        Result rb = TransformerReference.forward(c, p, b, null);
        for (int t = 0; t < 12; t++) {
            boolean unaffected = t <= 3 || t >= 6;
            if (unaffected) {
                assertArrayEquals(rowOf(ra.logits(), t, 17), rowOf(rb.logits(), t, 17), 0.0, "t=" + t);
            }
        }
        assertFalse(Arrays.equals(rowOf(ra.logits(), 4, 17), rowOf(rb.logits(), 4, 17)));
        assertFalse(Arrays.equals(rowOf(ra.logits(), 5, 17), rowOf(rb.logits(), 5, 17)));
    }

    /**
     * Encoder padding keys are masked (encoder self-attention and cross-attention), so padding an
     * input with zeros gives the same decoder logits as the unpadded, shorter input; replacing the
     * padding by a real token does change them.
     */
    @Test
    void encoderPaddingIsInvisible() {
        Config longC = new Config(true, 9, 4, 5, 2, 2, 2, 2, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                32, 128, true, 1, 5, 3);
        Config shortC = new Config(true, 9, 4, 5, 2, 2, 2, 2, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                32, 128, true, 1, 2, 3);
        Map<String, float[]> p = randomParams(longC, 17);
        int[] targets = {4, 1, 8};
        Result padded = TransformerReference.forward(longC, p, new int[] {5, 3, 0, 0, 0}, targets);
        Result unpadded = TransformerReference.forward(shortC, p, new int[] {5, 3}, targets);
        assertArrayEquals(unpadded.logits(), padded.logits(), TOL);
        assertEquals(unpadded.crossEntropy(), padded.crossEntropy(), TOL);
        Result filled = TransformerReference.forward(longC, p, new int[] {5, 3, 0, 2, 0}, targets);
        assertNotEquals(padded.logits()[0], filled.logits()[0], 1e-6);
    }

    /**
     * The [d_model, heads, d_kv] / [heads, d_kv, d_model] layouts: a 1-head model equals a 2-head model
     * holding its weights (and bias column) in either head slot, with the other head's v zero (its q, k
     * and o random: with v = 0 they must not matter).
     */
    @Test
    void headLayout() {
        Config one = new Config(false, 7, 4, 5, 3, 1, 0, 2, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                8, 16, true, 2, 4, 0);
        Config two = new Config(false, 7, 4, 5, 3, 2, 0, 2, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                8, 16, true, 2, 4, 0);
        Map<String, float[]> p1 = randomParams(one, 19);
        int[] inputs = {1, 2, 3, 4, 6, 5, 4, 3};
        Result expected = TransformerReference.forward(one, p1, inputs, null);
        for (int slot = 0; slot < 2; slot++) {
            Map<String, float[]> p2 = randomParams(two, 23);
            for (String name : p1.keySet()) {
                if (!name.contains("attention")) {
                    p2.put(name, p1.get(name));
                }
            }
            float[] bias1 = p1.get("decoder/relative_attention_bias");
            float[] bias2 = p2.get("decoder/relative_attention_bias");
            for (int bucket = 0; bucket < 8; bucket++) {
                bias2[bucket * 2 + slot] = bias1[bucket];
            }
            for (int layer = 0; layer < 2; layer++) {
                String sa = String.format("decoder/layer_%03d/self_attention/", layer);
                p2.put(sa + "norm", p1.get(sa + "norm"));
                for (String w : new String[] {"q", "k", "v"}) {
                    float[] w1 = p1.get(sa + w);
                    float[] w2 = p2.get(sa + w);
                    for (int d = 0; d < 4; d++) {
                        for (int e = 0; e < 3; e++) {
                            w2[(d * 2 + slot) * 3 + e] = w1[d * 3 + e]; // [d_model, heads, d_kv]
                            if (w.equals("v")) {
                                w2[(d * 2 + 1 - slot) * 3 + e] = 0f;
                            }
                        }
                    }
                }
                float[] o1 = p1.get(sa + "o");
                float[] o2 = p2.get(sa + "o");
                System.arraycopy(o1, 0, o2, slot * 3 * 4, 3 * 4); // [heads, d_kv, d_model]
            }
            Result r = TransformerReference.forward(two, p2, inputs, null);
            assertArrayEquals(expected.logits(), r.logits(), TOL, "slot " + slot);
        }
    }

    /** Tied logits (x * d_model^-0.5) . E^T equal untied ones with decoder/logits = E^T / 2 (d_model 4). */
    @Test
    void tiedEqualsUntiedWithScaledTranspose() {
        Config tied = new Config(true, 6, 4, 3, 2, 2, 1, 1, Ffn.GELU, 2, 1, 1, 2, BigDecimal.ONE, 1, 0.01, 0,
                8, 16, true, 1, 2, 2);
        Config untied = new Config(true, 6, 4, 3, 2, 2, 1, 1, Ffn.GELU, 2, 1, 1, 2, BigDecimal.ONE, 1, 0.01, 0,
                8, 16, false, 1, 2, 2);
        Map<String, float[]> p = randomParams(tied, 29);
        Result a = TransformerReference.forward(tied, p, new int[] {1, 2}, new int[] {3, 4});
        float[] emb = p.get("shared/embedding");
        float[] w = new float[4 * 6];
        for (int v = 0; v < 6; v++) {
            for (int d = 0; d < 4; d++) {
                w[d * 6 + v] = emb[v * 4 + d] * 0.5f; // exact: a power of two
            }
        }
        p.put("decoder/logits", w);
        Result b = TransformerReference.forward(untied, p, new int[] {1, 2}, new int[] {3, 4});
        assertArrayEquals(a.logits(), b.logits(), TOL);
        assertEquals(a.loss(), b.loss(), TOL);
    }

    // =============================================================================================
    // Training-mode noise (README "Noise")
    // =============================================================================================

    /**
     * The hash against constants and against a second implementation. The constants were computed
     * with a separate Python 3 script (arbitrary-precision ints masked with 0xFFFFFFFF, the README's
     * formulas transcribed directly); the FNV-1a values of "", "a" and "foobar" are the published FNV
     * test vectors.
     */
    @Test
    void uniformMatchesHandCheckedConstantsAndSecondImplementation() {
        assertEquals(0x811c9dc5, TransformerReference.fnv1a32(""));
        assertEquals(0xe40c292c, TransformerReference.fnv1a32("a"));
        assertEquals(0xbf9cf968, TransformerReference.fnv1a32("foobar"));
        assertEquals(0, TransformerReference.mix(0));
        assertEquals(0x688990c0, TransformerReference.mix(1));
        assertEquals(0xf5e71c96, TransformerReference.mix(0x12345678));

        // (h >>> 8) from the Python script, and u = that * 2^-24.
        assertEquals(0x4c861a * 0x1p-24, TransformerReference.uniform(0, "decoder/embedding/dropout", 0, 0, 0));
        assertEquals(0.29892122745513916, TransformerReference.uniform(0, "decoder/embedding/dropout", 0, 0, 0));
        assertEquals(0x671d4f * 0x1p-24,
                TransformerReference.uniform(42, "encoder/layer_001/ffn/router_jitter", 3, 1, 7));
        // A negative seed (its 32 bits), 4 coordinates.
        assertEquals(0x984012 * 0x1p-24, TransformerReference.uniform(-7,
                "decoder/layer_000/cross_attention/weights_dropout", 1, 0, 2, 5));
        // No coordinates; a non-ASCII name (UTF-8 bytes, not UTF-16 chars).
        assertEquals(0xb54f0e * 0x1p-24, TransformerReference.uniform(123456789, "\u00e9/\u2211"));

        Random rnd = new Random(1);
        String[] sites = {"encoder/embedding/dropout", "decoder/layer_011/ffn/hidden_dropout", "x", ""};
        for (int trial = 0; trial < 2000; trial++) {
            int seed = rnd.nextInt();
            String site = sites[trial % sites.length];
            int[] coords = new int[rnd.nextInt(5)];
            for (int i = 0; i < coords.length; i++) {
                coords[i] = trial % 2 == 0 ? rnd.nextInt(1000) : rnd.nextInt();
            }
            assertEquals(bits24(seed, site, coords) * 0x1p-24, TransformerReference.uniform(seed, site, coords),
                    seed + " " + site + " " + Arrays.toString(coords));
        }
        // The coordinate order matters.
        assertNotEquals(TransformerReference.uniform(3, "s", 1, 2), TransformerReference.uniform(3, "s", 2, 1));
    }

    /** ceil(r * 2^24) exactly (keep iff (h >>> 8) >= it). */
    @Test
    void dropoutThresholds() {
        assertEquals(0, TransformerReference.dropoutThreshold(0.0));
        assertEquals(1L << 23, TransformerReference.dropoutThreshold(0.5));
        assertEquals(12582912, TransformerReference.dropoutThreshold(0.75));
        assertEquals(1677722, TransformerReference.dropoutThreshold(0.1)); // 1677721.6
        assertEquals(5033165, TransformerReference.dropoutThreshold(0.3)); // 5033164.8
        assertEquals(1, TransformerReference.dropoutThreshold(0x1p-24));
        assertEquals(2, TransformerReference.dropoutThreshold(0x1p-24 + 0x1p-40));
        assertEquals(1, TransformerReference.dropoutThreshold(1e-9));
        assertEquals((1L << 24) - 1, TransformerReference.dropoutThreshold(1 - 0x1p-24));
        // Dyadic rates are exact (their shortest decimal spelling, 0.7561216950416565..., is not).
        assertEquals(12685777, TransformerReference.dropoutThreshold(12685777 * 0x1p-24));
    }

    /** u is uniform: mean, a 16-bin chi-square, and the dropped fraction at several rates. */
    @Test
    void uniformIsStatisticallyUniform() {
        int n = 256 * 256;
        int[] bins = new int[16];
        double sum = 0;
        int[] below = new int[3];
        double[] rates = {0.1, 0.5, 0.9};
        for (int i = 0; i < 256; i++) {
            for (int j = 0; j < 256; j++) {
                double u = TransformerReference.uniform(7, "decoder/layer_000/ffn/dropout", 0, i, j);
                assertTrue(u >= 0 && u < 1);
                sum += u;
                bins[(int) (u * 16)]++;
                for (int k = 0; k < 3; k++) {
                    below[k] += u < rates[k] ? 1 : 0;
                }
            }
        }
        assertEquals(0.5, sum / n, 5 * Math.sqrt(1.0 / 12 / n));
        double chi2 = 0;
        for (int b : bins) {
            chi2 += (b - n / 16.0) * (b - n / 16.0) / (n / 16.0);
        }
        assertTrue(chi2 < 37.7, "chi2 = " + chi2); // 99.9% quantile, 15 degrees of freedom
        for (int k = 0; k < 3; k++) {
            double r = rates[k];
            assertEquals(r, (double) below[k] / n, 5 * Math.sqrt(r * (1 - r) / n), "rate " + r);
        }
    }

    /**
     * A decoder-only model with no layers is embed -&gt; dropout -&gt; final norm -&gt; dropout; with
     * decoder/logits the identity (vocab = d_model) the logits are the stack's output. Small: every
     * element by hand (batch and position coordinates distinct). Large: the fraction of zeros is
     * 1 - (1 - r)^2 (an element is zero iff either site dropped it) within 5 sigma.
     */
    @Test
    void embeddingAndFinalNormDropout() {
        Config small = zeroLayerModel(3, 5, 8);
        Map<String, float[]> p = zeroLayerParams(small, 31);
        int[] inputs = new int[15];
        for (int t = 0; t < 15; t++) {
            inputs[t] = (t * 5 + 2) % 8;
        }
        Result eval = TransformerReference.forward(small, p, inputs, null);
        float[] emb = p.get("shared/embedding");
        // Seed 5: the embedding element (0, 0, 0) has h >>> 8 = 12685777 (Python script, as above) and
        // the final-norm element (0, 0, 0) 14123552. A rate of exactly 12685777 * 2^-24 must keep the
        // former (u >= r); one 2^-24 more drops it.
        long boundary = bits24(5, "decoder/embedding/dropout", 0, 0, 0);
        assertEquals(12685777, boundary);
        assertEquals(14123552, bits24(5, "decoder/final_norm/dropout", 0, 0, 0));
        double[] rates = {0.3, boundary * 0x1p-24, (boundary + 1) * 0x1p-24};
        for (double r : rates) {
            Noise noise = new Noise(5, r, 0, 0);
            Result got = TransformerReference.forward(small, p, inputs, null, noise);
            for (int b = 0; b < 3; b++) {
                for (int s = 0; s < 5; s++) {
                    int id = s == 0 ? 0 : inputs[b * 5 + s - 1]; // shift_right
                    double[] x = row(emb, id, 8);
                    for (int k = 0; k < 8; k++) {
                        x[k] = drop(noise, "decoder/embedding/dropout", r, x[k], b, s, k);
                    }
                    double[] y = norm(x, p.get("decoder/final_norm"));
                    for (int k = 0; k < 8; k++) {
                        y[k] = drop(noise, "decoder/final_norm/dropout", r, y[k], b, s, k);
                    }
                    assertArrayEquals(y, rowOf(got.logits(), b * 5 + s, 8), TOL, r + " b=" + b + " s=" + s);
                }
            }
            assertFalse(Arrays.equals(eval.logits(), got.logits()));
            // Element (0, 0, 0): kept at the boundary rate, dropped one step above.
            assertEquals(r != rates[2], got.logits()[0] != 0.0, "rate " + r);
        }

        double r = 0.3;
        Noise noise = new Noise(99, r, 0, 0);

        Config large = zeroLayerModel(8, 64, 32);
        Map<String, float[]> pl = zeroLayerParams(large, 37);
        int[] ids = new int[8 * 64];
        for (int t = 0; t < ids.length; t++) {
            ids[t] = 1 + t % 31;
        }
        double[] logits = TransformerReference.forward(large, pl, ids, null, noise).logits();
        long zeros = Arrays.stream(logits).filter(v -> v == 0.0).count();
        double expected = 1 - (1 - r) * (1 - r);
        assertEquals(expected, (double) zeros / logits.length, 5 * Math.sqrt(expected * (1 - expected) / logits.length));
        // Without noise no element is zero (the embeddings are Gaussian).
        assertEquals(0, Arrays.stream(TransformerReference.forward(large, pl, ids, null).logits())
                .filter(v -> v == 0.0).count());
    }

    /**
     * Every dense site (embedding, self- and cross-attention weights and outputs, FFN hidden and
     * output, final norm) against a hand computation with 2 heads, batch 2 and an encoder padding key,
     * for an encoder-decoder and a decoder-only model. The hand computation is checked against eval
     * first (null noise), so it is the noise that is tested.
     */
    @Test
    void denseSitesByHand() {
        Config encDec = new Config(true, 7, 4, 3, 2, 2, 1, 1, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                8, 16, false, 2, 3, 4);
        Config decOnly = new Config(false, 7, 4, 3, 2, 2, 0, 1, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                8, 16, false, 2, 4, 0);
        int[] inputs = {3, 1, 0, 2, 5, 6};
        int[] targets = {1, 2, 3, 4, 6, 5, 0, 1};
        int[] decInputs = {3, 1, 5, 2, 2, 5, 6, 1};
        for (Config c : new Config[] {encDec, decOnly}) {
            Map<String, float[]> p = randomParams(c, 41);
            int[] in = c.encoderDecoder() ? inputs : decInputs;
            int[] tg = c.encoderDecoder() ? targets : null;
            Result eval = TransformerReference.forward(c, p, in, tg);
            assertArrayEquals(handDense(c, p, in, tg, null), eval.logits(), TOL, "hand model, eval");
            for (Noise noise : new Noise[] {new Noise(5, 0.25, 0, 0), new Noise(-123456, 0.6, 0, 0)}) {
                Result got = TransformerReference.forward(c, p, in, tg, noise);
                assertArrayEquals(handDense(c, p, in, tg, noise), got.logits(), TOL, noise.toString());
                assertFalse(Arrays.equals(eval.logits(), got.logits()));
                // A dense model has no expert dropout and no router: those rates change nothing.
                Noise more = new Noise(noise.seed(), noise.dropout(), 0.5, 0.3);
                assertArrayEquals(got.logits(), TransformerReference.forward(c, p, in, tg, more).logits(), 0.0);
            }
        }
    }

    /** Zero rates are evaluation mode, bit for bit (Switch top-2 encoder-decoder with every kind of layer). */
    @Test
    void zeroRatesEqualEval() {
        Config c = new Config(true, 13, 4, 6, 2, 2, 2, 2, Ffn.GEGLU, 4, 2, 2, 3, new BigDecimal("1.0"), 1, 0.01,
                0.001, 8, 16, false, 2, 3, 6);
        Map<String, float[]> p = randomParams(c, 43);
        int[] inputs = {5, 6, 0, 7, 8, 9};
        int[] targets = {1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, 0};
        Result eval = TransformerReference.forward(c, p, inputs, targets);
        for (int seed : new int[] {0, 1, -1, 77}) {
            assertSameResult(eval, TransformerReference.forward(c, p, inputs, targets, new Noise(seed, 0, 0, 0)));
        }
        // Each kind of noise alone changes the result.
        Noise[] each = {new Noise(1, 0.1, 0, 0), new Noise(1, 0, 0.1, 0), new Noise(1, 0, 0, 0.1)};
        for (Noise n : each) {
            assertFalse(Arrays.equals(eval.logits(), TransformerReference.forward(c, p, inputs, targets, n).logits()),
                    n.toString());
        }
    }

    /** The seed selects the noise: same seed, same result; seeds s and s + 1 differ. */
    @Test
    void seedsDiffer() {
        Config c = new Config(true, 13, 4, 6, 2, 2, 2, 2, Ffn.RELU, 4, 2, 1, 3, new BigDecimal("1.5"), 1, 0.01,
                0.001, 8, 16, true, 2, 3, 6);
        Map<String, float[]> p = randomParams(c, 47);
        int[] inputs = {5, 6, 0, 7, 8, 9};
        int[] targets = {1, 2, 3, 0, 0, 0, 4, 5, 6, 7, 8, 0};
        for (int s : new int[] {0, 41, -1, Integer.MAX_VALUE}) {
            for (Noise a : new Noise[] {new Noise(s, 0.2, 0, 0), new Noise(s, 0, 0.4, 0), new Noise(s, 0, 0, 0.2)}) {
                Noise b = new Noise(s + 1, a.dropout(), a.expertDropout(), a.routerJitter());
                Result ra = TransformerReference.forward(c, p, inputs, targets, a);
                assertSameResult(ra, TransformerReference.forward(c, p, inputs, targets, a));
                assertFalse(Arrays.equals(ra.logits(), TransformerReference.forward(c, p, inputs, targets, b).logits()),
                        a.toString());
            }
        }
    }

    /**
     * Expert dropout acts only on the Switch layers' experts: routing (aux and z losses, drops) is
     * unchanged, and with the Switch layers' output weights zero (their contribution exactly 0) the
     * result is eval's bit for bit. A dense model is unaffected.
     */
    @Test
    void expertDropoutOnlyTouchesSwitchLayers() {
        Config c = new Config(false, 11, 4, 5, 2, 2, 0, 2, Ffn.GELU, 3, 2, 1, 4, BigDecimal.ONE, 1, 0.01, 0.001,
                8, 16, true, 2, 4, 0);
        Map<String, float[]> p = randomParams(c, 53);
        int[] inputs = {1, 2, 3, 4, 5, 6, 7, 8};
        Noise noise = new Noise(3, 0, 0.5, 0);
        Result eval = TransformerReference.forward(c, p, inputs, null);
        Result got = TransformerReference.forward(c, p, inputs, null, noise);
        assertFalse(Arrays.equals(eval.logits(), got.logits()));
        assertEquals(eval.auxLoss(), got.auxLoss(), 0.0);
        assertEquals(eval.zLoss(), got.zLoss(), 0.0);
        assertArrayEquals(eval.droppedPerLayer(), got.droppedPerLayer());
        Map<String, float[]> silent = new HashMap<>(p);
        silent.put("decoder/layer_001/ffn/experts/wo", new float[3 * 5 * 4]);
        assertSameResult(TransformerReference.forward(c, silent, inputs, null),
                TransformerReference.forward(c, silent, inputs, null, noise));

        Config dense = new Config(false, 11, 4, 5, 2, 2, 0, 2, Ffn.GELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                8, 16, true, 2, 4, 0);
        Map<String, float[]> pd = randomParams(dense, 59);
        assertSameResult(TransformerReference.forward(dense, pd, inputs, null),
                TransformerReference.forward(dense, pd, inputs, null, noise));
    }

    /**
     * Expert dropout coordinates [expert, group, slot, d_ff] by hand, top-2. The routing design of
     * {@link #checkTopTwo} (ids P = 0, A = 1, B = 2 choose (e1, e2) = (0, 2), (0, 1), (1, 2)), batch 2,
     * seq 4, one group per sequence, C = floor(4 * 1.5 / 3) = 2. Slots (expert, slot) of the first and
     * second choice, "-" dropped:
     * group 0, stream [P, A, B, A]: firsts t0 (0, 0), t1 (0, 1), t2 (1, 0), t3 e0 pos 2 -; kept firsts
     * e0 2, e1 1, e2 0; seconds t0 (2, 0 + 0), t1 (1, 1 + 0), t2 (2, 0 + 1), t3 e1 1 + 1 = 2 -.
     * group 1, stream [P, A, A, B]: firsts t0 (0, 0), t1 (0, 1), t2 -, t3 (1, 0); seconds t0 (2, 0),
     * t1 (1, 1), t2 e1 1 + 1 -, t3 (2, 0 + 1).
     */
    @Test
    void expertDropoutCoordinatesByHand() {
        Config c = new Config(false, 3, 2, 6, 2, 1, 0, 1, Ffn.GELU, 3, 1, 2, 4, new BigDecimal("1.5"), 0, 0.01,
                0.001, 4, 4, true, 2, 4, 0);
        Map<String, float[]> p = randomParams(c, 61);
        p.put("shared/embedding", new float[] {1f, 0.5f, 0.5f, -1f, -1f, 0.25f});
        p.put("decoder/layer_000/self_attention/o", new float[2 * 2]);
        p.put("decoder/layer_000/ffn/norm", new float[] {1f, 1f});
        float[] routerW = {2, -2, 0, 0, 0, 2};
        p.put("decoder/layer_000/ffn/router/w", routerW);
        int[] inputs = {1, 2, 1, 2, 1, 1, 2, 2};
        int[][] stream = {{0, 1, 2, 1}, {0, 1, 1, 2}};
        // {e1, slot1, e2, slot2}, -1 = dropped
        int[][][] slots = {
            {{0, 0, 2, 0}, {0, 1, 1, 1}, {1, 0, 2, 1}, {-1, -1, -1, -1}},
            {{0, 0, 2, 0}, {0, 1, 1, 1}, {-1, -1, -1, -1}, {1, 0, 2, 1}},
        };
        Result eval = TransformerReference.forward(c, p, inputs, null);
        for (Noise noise : new Noise[] {null, new Noise(8, 0, 0.5, 0), new Noise(9, 0, 0.2, 0)}) {
            Result got = TransformerReference.forward(c, p, inputs, null, noise);
            double rate = noise == null ? 0 : noise.expertDropout();
            for (int g = 0; g < 2; g++) {
                for (int t = 0; t < 4; t++) {
                    double[] x = row(p.get("shared/embedding"), stream[g][t], 2);
                    double[] xn = norm(x, p.get("decoder/layer_000/ffn/norm"));
                    double[] probs = softmax(vecMat(xn, routerW, 3));
                    int[] choice = CHOICES[stream[g][t]];
                    double g1 = probs[choice[0]] / (probs[choice[0]] + probs[choice[1]] + 1e-9);
                    double g2 = probs[choice[1]] / (probs[choice[0]] + probs[choice[1]] + 1e-9);
                    int[] s = slots[g][t];
                    if (s[0] >= 0) {
                        assertEquals(choice[0], s[0]);
                        x = add(x, scale(handExpert(p, xn, s[0], g, s[1], noise, rate), g1));
                    }
                    if (s[2] >= 0) {
                        assertEquals(choice[1], s[2]);
                        x = add(x, scale(handExpert(p, xn, s[2], g, s[3], noise, rate), g2));
                    }
                    double[] f = norm(x, p.get("decoder/final_norm"));
                    double[] logits = new double[3];
                    for (int v = 0; v < 3; v++) {
                        logits[v] = dot(scale(f, 1 / Math.sqrt(2)), row(p.get("shared/embedding"), v, 2));
                    }
                    assertArrayEquals(logits, rowOf(got.logits(), g * 4 + t, 3), TOL, noise + " g=" + g + " t=" + t);
                }
            }
            if (noise != null) {
                assertFalse(Arrays.equals(eval.logits(), got.logits()));
            }
        }
    }

    /** GELU expert e on xn, hidden [expert, group, slot, d_ff] dropped at rate. */
    private static double[] handExpert(Map<String, float[]> p, double[] xn, int e, int g, int slot, Noise noise,
            double rate) {
        int f = 6;
        float[] wi = p.get("decoder/layer_000/ffn/experts/wi");
        float[] wo = p.get("decoder/layer_000/ffn/experts/wo");
        double[] out = new double[2];
        for (int j = 0; j < f; j++) {
            double a = xn[0] * wi[(e * 2) * f + j] + xn[1] * wi[(e * 2 + 1) * f + j];
            double h = drop(noise, "decoder/layer_000/ffn/hidden_dropout", rate, handGelu(a), e, g, slot, j);
            for (int m = 0; m < 2; m++) {
                out[m] += h * wo[(e * f + j) * 2 + m];
            }
        }
        return out;
    }

    /**
     * Router jitter by hand, top-1, 2 groups of 2 tokens (coordinates [group, token in group, d_model]
     * differ from [batch, position, d_model]): the router reads norm(x) * (1 - eps + 2 eps u), the
     * expert the un-jittered norm(x); routing, gates, aux and z losses follow the jittered logits.
     * C = min(2, floor(2 * 3 / 3)) = 2: nothing is dropped.
     */
    @Test
    void routerJitterByHand() {
        Config c = new Config(false, 3, 2, 2, 2, 1, 0, 1, Ffn.RELU, 3, 1, 1, 2, new BigDecimal("3"), 0, 0.01,
                0.001, 4, 4, true, 1, 4, 0);
        Map<String, float[]> p = randomParams(c, 67);
        p.put("shared/embedding", new float[] {1f, 0.5f, 0.5f, -1f, -1f, 0.25f});
        p.put("decoder/layer_000/self_attention/o", new float[2 * 2]);
        p.put("decoder/layer_000/ffn/norm", new float[] {1f, 1f});
        float[] routerW = {2, -2, 0, 0, 0, 2};
        p.put("decoder/layer_000/ffn/router/w", routerW);
        int[] inputs = {1, 2, 2, 1};
        int[] stream = {0, 1, 2, 2};
        Result eval = TransformerReference.forward(c, p, inputs, null);
        for (double eps : new double[] {0, 0.2, 0.9}) {
            Noise noise = new Noise(1234, 0, 0, eps);
            Result got = TransformerReference.forward(c, p, inputs, null, noise);
            double z = 0;
            double aux = 0;
            for (int g = 0; g < 2; g++) {
                double[] fraction = new double[3];
                double[] meanProb = new double[3];
                for (int i = 0; i < 2; i++) {
                    int t = g * 2 + i;
                    double[] x = row(p.get("shared/embedding"), stream[t], 2);
                    double[] xn = norm(x, p.get("decoder/layer_000/ffn/norm"));
                    double[] xj = new double[2];
                    for (int k = 0; k < 2; k++) {
                        double u = bits24(1234, "decoder/layer_000/ffn/router_jitter", g, i, k) * 0x1p-24;
                        xj[k] = xn[k] * (1 - eps + 2 * eps * u);
                    }
                    double[] logits = vecMat(xj, routerW, 3);
                    double[] probs = softmax(logits);
                    int e = 0;
                    for (int k = 1; k < 3; k++) {
                        e = logits[k] > logits[e] ? k : e;
                    }
                    fraction[e] += 0.5;
                    for (int k = 0; k < 3; k++) {
                        meanProb[k] += probs[k] / 2;
                    }
                    z += lse(logits) * lse(logits) / 4;
                    // The expert reads xn, not xj.
                    float[] wi = p.get("decoder/layer_000/ffn/experts/wi");
                    float[] wo = p.get("decoder/layer_000/ffn/experts/wo");
                    double[] y = new double[2];
                    for (int j = 0; j < 2; j++) {
                        double h = Math.max(0, xn[0] * wi[(e * 2) * 2 + j] + xn[1] * wi[(e * 2 + 1) * 2 + j]);
                        for (int m = 0; m < 2; m++) {
                            y[m] += probs[e] * h * wo[(e * 2 + j) * 2 + m];
                        }
                    }
                    double[] f = scale(norm(add(x, y), p.get("decoder/final_norm")), 1 / Math.sqrt(2));
                    double[] expected = new double[3];
                    for (int v = 0; v < 3; v++) {
                        expected[v] = dot(f, row(p.get("shared/embedding"), v, 2));
                    }
                    assertArrayEquals(expected, rowOf(got.logits(), t, 3), TOL, "eps " + eps + " t=" + t);
                }
                for (int k = 0; k < 3; k++) {
                    aux += 0.01 * 3 * fraction[k] * meanProb[k] / 2;
                }
            }
            assertEquals(0.001 * z, got.zLoss(), TOL);
            assertEquals(aux, got.auxLoss(), TOL);
            if (eps == 0) {
                assertSameResult(eval, got);
            } else {
                assertNotEquals(eval.zLoss(), got.zLoss());
            }
        }
    }

    @Test
    void noiseRatesAreValidated() {
        Config c = new Config(false, 5, 2, 2, 2, 1, 0, 1, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0,
                4, 4, true, 1, 2, 0);
        Map<String, float[]> p = randomParams(c, 71);
        int[] inputs = {1, 2};
        for (Noise bad : new Noise[] {new Noise(0, 1, 0, 0), new Noise(0, -0.1, 0, 0), new Noise(0, 0, 1, 0),
                new Noise(0, Double.NaN, 0, 0), new Noise(0, 0, 0, -1), new Noise(0, 0, 0, Double.POSITIVE_INFINITY)}) {
            assertThrows(IllegalArgumentException.class, () -> TransformerReference.forward(c, p, inputs, null, bad),
                    bad.toString());
        }
    }

    // ---- noise helpers -------------------------------------------------------------------------

    /**
     * Second implementation of the README hash, in long arithmetic masked to 32 bits (the reference
     * uses int wrap-around): h &gt;&gt;&gt; 8 of the element.
     */
    private static long bits24(int seed, String site, int... coords) {
        long fnv = 0x811c9dc5L;
        for (byte b : site.getBytes(StandardCharsets.UTF_8)) {
            fnv = ((fnv ^ (b & 0xffL)) * 0x01000193L) & 0xffffffffL;
        }
        long h = lowbias32((seed & 0xffffffffL) ^ fnv);
        for (int c : coords) {
            h = lowbias32(h + (c & 0xffffffffL));
        }
        return h >>> 8;
    }

    private static long lowbias32(long x) {
        x &= 0xffffffffL;
        x ^= x >>> 16;
        x = (x * 0x7feb352dL) & 0xffffffffL;
        x ^= x >>> 15;
        x = (x * 0x846ca68bL) & 0xffffffffL;
        x ^= x >>> 16;
        return x;
    }

    /**
     * Dropout of one element by the test's own hash: kept iff u &gt;= rate, i.e. h &gt;&gt;&gt; 8 &gt;=
     * ceil(rate * 2^24) (exact in double: a power-of-two scaling), then scaled by 1 / (1 - rate).
     * Identity for null noise or rate 0.
     */
    private static double drop(Noise noise, String site, double rate, double v, int... coords) {
        if (noise == null || rate == 0) {
            return v;
        }
        return bits24(noise.seed(), site, coords) >= (long) Math.ceil(rate * 0x1p24) ? v * (1.0 / (1.0 - rate)) : 0.0;
    }

    private static void assertSameResult(Result expected, Result actual) {
        assertArrayEquals(expected.logits(), actual.logits(), 0.0);
        assertEquals(expected.crossEntropy(), actual.crossEntropy(), 0.0);
        assertEquals(expected.auxLoss(), actual.auxLoss(), 0.0);
        assertEquals(expected.zLoss(), actual.zLoss(), 0.0);
        assertEquals(expected.loss(), actual.loss(), 0.0);
        assertArrayEquals(expected.droppedPerLayer(), actual.droppedPerLayer());
    }

    /** Decoder-only, no layers, untied, vocab = d_model. */
    private static Config zeroLayerModel(int batch, int seq, int d) {
        return new Config(false, d, d, 1, 1, 1, 0, 0, Ffn.RELU, 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0, 4, 4, false,
                batch, seq, 0);
    }

    /** Random embedding and final norm; decoder/logits the identity, so the logits are the stack output. */
    private static Map<String, float[]> zeroLayerParams(Config c, long seed) {
        Map<String, float[]> p = randomParams(c, seed);
        p.remove("decoder/relative_attention_bias"); // no layers: no table
        int d = c.dModel();
        float[] identity = new float[d * d];
        for (int k = 0; k < d; k++) {
            identity[k * d + k] = 1f;
        }
        p.put("decoder/logits", identity);
        return p;
    }

    /**
     * Hand model of a dense RELU T5 with one layer per stack, untied logits, relative_buckets 8 and
     * encoder seq &lt;= 3, decoder length &lt;= 4, so that every bucket is exact: encoder |r| (+ 4 if r &gt; 0), decoder
     * max(-r, 0). Arrays [batch][position][feature]; noise applied element by element with the test's
     * hash at the README's sites.
     */
    private static double[] handDense(Config c, Map<String, float[]> p, int[] inputs, int[] targets, Noise noise) {
        assertTrue(c.relativeBuckets() == 8 && (c.encoderDecoder() ? c.seq() <= 3 && c.decSeq() <= 4 : c.seq() <= 4)
                && c.ffn() == Ffn.RELU
                && !c.tiedEmbeddings() && c.experts() == 0);
        double[][][] enc = null;
        int length = c.encoderDecoder() ? c.decSeq() : c.seq();
        int[] decIds = c.encoderDecoder() ? targets : inputs;
        if (c.encoderDecoder()) {
            enc = handStack(c, p, "encoder", inputs, c.seq(), null, null, noise);
        }
        int[] shifted = new int[c.batch() * length];
        for (int t = 0; t < shifted.length; t++) {
            shifted[t] = t % length == 0 ? 0 : decIds[t - 1];
        }
        double[][][] out = handStack(c, p, "decoder", shifted, length, enc, inputs, noise);
        double[] logits = new double[0];
        for (double[][] batchRow : out) {
            for (double[] x : batchRow) {
                logits = concat(logits, vecMat(x, p.get("decoder/logits"), c.vocab()));
            }
        }
        return logits;
    }

    private static double[][][] handStack(Config c, Map<String, float[]> p, String stack, int[] ids, int length,
            double[][][] enc, int[] encIds, Noise noise) {
        double rate = noise == null ? 0 : noise.dropout();
        int d = c.dModel();
        String layer = stack + "/layer_000/";
        boolean encoder = stack.equals("encoder");
        double[][][] x = new double[c.batch()][length][];
        for (int b = 0; b < c.batch(); b++) {
            for (int s = 0; s < length; s++) {
                x[b][s] = row(p.get("shared/embedding"), ids[b * length + s], d);
                for (int k = 0; k < d; k++) {
                    x[b][s][k] = drop(noise, stack + "/embedding/dropout", rate, x[b][s][k], b, s, k);
                }
            }
        }
        double[][][] h = norms(x, p.get(layer + "self_attention/norm"));
        float[] table = p.get(stack + "/relative_attention_bias");
        // Encoder: padding keys masked; decoder: future keys masked.
        HandMask selfMask = encoder
                ? (b, i, j) -> ids[b * length + j] == 0 ? -1e9 : 0
                : (b, i, j) -> j > i ? -1e9 : 0;
        addAll(x, handAttention(c, p, layer + "self_attention/", h, h, noise, selfMask, table, encoder));
        if (enc != null) {
            h = norms(x, p.get(layer + "cross_attention/norm"));
            addAll(x, handAttention(c, p, layer + "cross_attention/", h, enc, noise,
                    (b, i, j) -> encIds[b * c.seq() + j] == 0 ? -1e9 : 0, null, false));
        }
        h = norms(x, p.get(layer + "ffn/norm"));
        for (int b = 0; b < c.batch(); b++) {
            for (int s = 0; s < length; s++) {
                double[] hidden = vecMat(h[b][s], p.get(layer + "ffn/wi"), c.dFf());
                for (int j = 0; j < c.dFf(); j++) {
                    hidden[j] = drop(noise, layer + "ffn/hidden_dropout", rate, Math.max(0, hidden[j]), b, s, j);
                }
                double[] y = vecMat(hidden, p.get(layer + "ffn/wo"), d);
                for (int k = 0; k < d; k++) {
                    x[b][s][k] += drop(noise, layer + "ffn/dropout", rate, y[k], b, s, k);
                }
            }
        }
        double[][][] out = norms(x, p.get(stack + "/final_norm"));
        for (int b = 0; b < c.batch(); b++) {
            for (int s = 0; s < length; s++) {
                for (int k = 0; k < d; k++) {
                    out[b][s][k] = drop(noise, stack + "/final_norm/dropout", rate, out[b][s][k], b, s, k);
                }
            }
        }
        return out;
    }

    /** Additive mask of (batch, query, key). */
    private interface HandMask {
        double add(int b, int i, int j);
    }

    /**
     * One attention sub-layer: per (b, head, i) a softmax over keys of q.k + bias + mask, weights
     * dropout at [b, head, i, j], then (weights . v) . o and output dropout at [b, i, d_model].
     */
    private static double[][][] handAttention(Config c, Map<String, float[]> p, String prefix, double[][][] hq,
            double[][][] hkv, Noise noise, HandMask mask, float[] table, boolean encoder) {
        double rate = noise == null ? 0 : noise.dropout();
        int heads = c.heads();
        int dKv = c.dKv();
        int qLen = hq[0].length;
        int kLen = hkv[0].length;
        double[][][] out = new double[c.batch()][qLen][];
        for (int b = 0; b < c.batch(); b++) {
            for (int i = 0; i < qLen; i++) {
                double[] q = vecMat(hq[b][i], p.get(prefix + "q"), heads * dKv);
                double[] ctx = new double[heads * dKv];
                for (int head = 0; head < heads; head++) {
                    double[] logits = new double[kLen];
                    for (int j = 0; j < kLen; j++) {
                        double[] k = vecMat(hkv[b][j], p.get(prefix + "k"), heads * dKv);
                        for (int e = 0; e < dKv; e++) {
                            logits[j] += q[head * dKv + e] * k[head * dKv + e];
                        }
                        if (table != null) {
                            int r = j - i;
                            int bucket = encoder ? Math.abs(r) + (r > 0 ? 4 : 0) : Math.max(-r, 0);
                            logits[j] += table[bucket * heads + head];
                        }
                        logits[j] += mask.add(b, i, j);
                    }
                    double[] w = softmax(logits);
                    for (int j = 0; j < kLen; j++) {
                        double wj = drop(noise, prefix + "weights_dropout", rate, w[j], b, head, i, j);
                        double[] v = vecMat(hkv[b][j], p.get(prefix + "v"), heads * dKv);
                        for (int e = 0; e < dKv; e++) {
                            ctx[head * dKv + e] += wj * v[head * dKv + e];
                        }
                    }
                }
                out[b][i] = vecMat(ctx, p.get(prefix + "o"), c.dModel());
                for (int k = 0; k < c.dModel(); k++) {
                    out[b][i][k] = drop(noise, prefix + "dropout", rate, out[b][i][k], b, i, k);
                }
            }
        }
        return out;
    }

    private static double[][][] norms(double[][][] x, float[] scale) {
        double[][][] y = new double[x.length][x[0].length][];
        for (int b = 0; b < x.length; b++) {
            for (int s = 0; s < x[0].length; s++) {
                y[b][s] = norm(x[b][s], scale);
            }
        }
        return y;
    }

    private static void addAll(double[][][] x, double[][][] y) {
        for (int b = 0; b < x.length; b++) {
            for (int s = 0; s < x[0].length; s++) {
                x[b][s] = add(x[b][s], y[b][s]);
            }
        }
    }

    // =============================================================================================
    // Helpers: parameters
    // =============================================================================================

    /** All parameters of {@code c} under the README names, seeded normal values scaled by 1/sqrt(fan_in). */
    static Map<String, float[]> randomParams(Config c, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> p = new TreeMap<>();
        int d = c.dModel();
        put(p, rnd, "shared/embedding", 1.0, c.vocab(), d);
        if (c.encoderDecoder()) {
            stackParams(c, p, rnd, "encoder", c.encoderLayers(), false);
        }
        stackParams(c, p, rnd, "decoder", c.decoderLayers(), c.encoderDecoder());
        if (!c.tiedEmbeddings()) {
            put(p, rnd, "decoder/logits", 1.0 / Math.sqrt(d), d, c.vocab());
        }
        return p;
    }

    private static void stackParams(Config c, Map<String, float[]> p, Random rnd, String stack, int layers,
            boolean cross) {
        int d = c.dModel();
        int hk = c.heads() * c.dKv();
        put(p, rnd, stack + "/relative_attention_bias", 0.5, c.relativeBuckets(), c.heads());
        for (int i = 0; i < layers; i++) {
            String prefix = String.format("%s/layer_%03d/", stack, i);
            for (String att : cross ? new String[] {"self_attention/", "cross_attention/"}
                    : new String[] {"self_attention/"}) {
                putNorm(p, rnd, prefix + att + "norm", d);
                put(p, rnd, prefix + att + "q", 1.0 / Math.sqrt(d), d, c.heads(), c.dKv());
                put(p, rnd, prefix + att + "k", 1.0 / Math.sqrt(d), d, c.heads(), c.dKv());
                put(p, rnd, prefix + att + "v", 1.0 / Math.sqrt(d), d, c.heads(), c.dKv());
                put(p, rnd, prefix + att + "o", 1.0 / Math.sqrt(hk), c.heads(), c.dKv(), d);
            }
            putNorm(p, rnd, prefix + "ffn/norm", d);
            boolean isSwitch = c.experts() > 0 && (i + 1) % c.switchEvery() == 0;
            String[] wi = c.ffn() == Ffn.GEGLU ? new String[] {"wi_0", "wi_1"} : new String[] {"wi"};
            if (isSwitch) {
                put(p, rnd, prefix + "ffn/router/w", 1.0 / Math.sqrt(d), d, c.experts());
                for (String name : wi) {
                    put(p, rnd, prefix + "ffn/experts/" + name, 1.0 / Math.sqrt(d), c.experts(), d, c.dFf());
                }
                put(p, rnd, prefix + "ffn/experts/wo", 1.0 / Math.sqrt(c.dFf()), c.experts(), c.dFf(), d);
            } else {
                for (String name : wi) {
                    put(p, rnd, prefix + "ffn/" + name, 1.0 / Math.sqrt(d), d, c.dFf());
                }
                put(p, rnd, prefix + "ffn/wo", 1.0 / Math.sqrt(c.dFf()), c.dFf(), d);
            }
        }
        putNorm(p, rnd, stack + "/final_norm", d);
    }

    private static void put(Map<String, float[]> p, Random rnd, String name, double sigma, int... shape) {
        int size = 1;
        for (int s : shape) {
            size *= s;
        }
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (rnd.nextGaussian() * sigma);
        }
        p.put(name, a);
    }

    private static void putNorm(Map<String, float[]> p, Random rnd, String name, int d) {
        float[] a = new float[d];
        for (int i = 0; i < d; i++) {
            a[i] = (float) (1.0 + 0.2 * rnd.nextGaussian());
        }
        p.put(name, a);
    }

    /**
     * Runs the dense model whose FFN at {@code ffnPrefix} is the mixture sum_e gates[e] * FFN_e: the
     * experts side by side along d_ff (wi' [d, E*f]), with wo' [E*f, d] holding gates[e] * wo[e]
     * (rounded to float). The Switch model is otherwise unchanged, so it must have exactly one Switch layer
     * and be decoder-only.
     */
    private static Result denseEquivalent(Config c, Map<String, float[]> p, String ffnPrefix, double[] gates,
            int[] inputs) {
        int e = c.experts();
        int d = c.dModel();
        int f = c.dFf();
        Map<String, float[]> dense = new HashMap<>();
        p.forEach((name, value) -> {
            if (!name.startsWith(ffnPrefix + "router/") && !name.startsWith(ffnPrefix + "experts/")) {
                dense.put(name, value);
            }
        });
        for (String wiName : c.ffn() == Ffn.GEGLU ? new String[] {"wi_0", "wi_1"} : new String[] {"wi"}) {
            float[] wi = p.get(ffnPrefix + "experts/" + wiName);
            float[] wide = new float[d * e * f];
            for (int x = 0; x < e; x++) {
                for (int k = 0; k < d; k++) {
                    for (int j = 0; j < f; j++) {
                        wide[k * (e * f) + x * f + j] = wi[(x * d + k) * f + j];
                    }
                }
            }
            dense.put(ffnPrefix + wiName, wide);
        }
        float[] wo = p.get(ffnPrefix + "experts/wo");
        float[] tall = new float[e * f * d];
        for (int i = 0; i < tall.length; i++) {
            tall[i] = (float) (gates[i / (f * d)] * wo[i]); // rows (x, j) in order: same flat index
        }
        dense.put(ffnPrefix + "wo", tall);
        Config dc = new Config(c.encoderDecoder(), c.vocab(), d, e * f, c.dKv(), c.heads(), c.encoderLayers(),
                c.decoderLayers(), c.ffn(), 0, 1, 1, 1, BigDecimal.ONE, 0, 0, 0, c.relativeBuckets(),
                c.relativeMaxDistance(), c.tiedEmbeddings(), c.batch(), c.seq(), c.decSeq());
        return TransformerReference.forward(dc, dense, inputs, null);
    }

    // =============================================================================================
    // Helpers: arithmetic by hand on short vectors
    // =============================================================================================

    /** T5 RMS norm of one vector. */
    private static double[] norm(double[] x, float[] scale) {
        double ms = 0;
        for (double v : x) {
            ms += v * v / x.length;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] / Math.sqrt(ms + 1e-6) * scale[i];
        }
        return y;
    }

    /** x . W with W row-major [x.length, cols]. */
    private static double[] vecMat(double[] x, float[] w, int cols) {
        double[] y = new double[cols];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < x.length; i++) {
                y[j] += x[i] * w[i * cols + j];
            }
        }
        return y;
    }

    /** FFN with d_ff = 1 on a 2-vector: act(m . wi) * wo (GEGLU: gelu(m . wi0) * (m . wi1) * wo). */
    private static double[] handFfn1(Ffn ffn, double[] m, float[] wi0, float[] wi1, double[] wo) {
        double a = m[0] * wi0[0] + m[1] * wi0[1];
        double hidden = switch (ffn) {
            case RELU -> Math.max(a, 0);
            case GELU -> handGelu(a);
            case GEGLU -> handGelu(a) * (m[0] * wi1[0] + m[1] * wi1[1]);
        };
        return new double[] {hidden * wo[0], hidden * wo[1]};
    }

    /** GEGLU FFN on a 2-vector with the dense weights under prefix. */
    private static double[] handGeglu(double[] m, Map<String, float[]> p, String prefix, int dFf) {
        double[] a = vecMat(m, p.get(prefix + "wi_0"), dFf);
        double[] b = vecMat(m, p.get(prefix + "wi_1"), dFf);
        double[] h = new double[dFf];
        for (int j = 0; j < dFf; j++) {
            h[j] = handGelu(a[j]) * b[j];
        }
        return vecMat(h, p.get(prefix + "wo"), m.length);
    }

    private static double handGelu(double a) {
        return 0.5 * a * (1 + Erf.erf(a / Math.sqrt(2)));
    }

    private static double[] softmax(double... logits) {
        double l = lse(logits);
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - l);
        }
        return p;
    }

    private static double lse(double[] v) {
        double max = Arrays.stream(v).max().orElseThrow();
        return max + Math.log(Arrays.stream(v).map(x -> Math.exp(x - max)).sum());
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    private static double[] scale(double[] a, double s) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] * s;
        }
        return y;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] y = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, y, a.length, b.length);
        return y;
    }

    /** Row {@code index} of a row-major float matrix with {@code width} columns, as doubles. */
    private static double[] row(float[] m, int index, int width) {
        double[] y = new double[width];
        for (int i = 0; i < width; i++) {
            y[i] = m[index * width + i];
        }
        return y;
    }

    private static double[] rowOf(double[] m, int index, int width) {
        return Arrays.copyOfRange(m, index * width, (index + 1) * width);
    }
}
