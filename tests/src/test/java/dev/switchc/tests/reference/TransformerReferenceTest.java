package dev.switchc.tests.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.tests.reference.TransformerReference.Config;
import dev.switchc.tests.reference.TransformerReference.Ffn;
import dev.switchc.tests.reference.TransformerReference.Result;
import java.math.BigDecimal;
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
