package dev.switchc.tests.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * Tests of the reference itself on tiny cases worked out by hand (the arithmetic is in the
 * comments). Numeric constants for sigmoid/erf/gelu come from 50-digit mpmath, not from the code
 * under test.
 */
class SwitchReferenceTest {

    private static final double TOL = 1e-14;

    /** sigma(v) = 1 / (1 + e^-v): the 2-expert softmax probability of the expert ahead by v. */
    private static final double SIG1 = 0.7310585786300049; // sigma(1) = e / (e + 1)
    private static final double SIG2 = 0.8807970779778824; // sigma(2) = e^2 / (e^2 + 1)

    // Exact GELU values, 0.5 v (1 + erf(v / sqrt 2)), from mpmath.
    private static final double GELU_P1 = 0.8413447460685429;
    private static final double GELU_M1 = -0.15865525393145705;
    private static final double GELU_P2 = 1.9544997361036416;
    private static final double GELU_M4 = -0.0001266849673324797;

    // ------------------------------------------------------------------------------------------
    // The shared tiny layer: 4 tokens, d_model 2, d_ff 2, 2 experts.
    //
    // router_w [d_model, E] = identity, so logits(t) = x(t):
    //   t0: x = (1, 0) -> logits (1, 0) -> expert 0, gate = sigma(1)
    //   t1: x = (2, 1) -> logits (2, 1) -> expert 0, gate = sigma(1)
    //   t2: x = (0, 2) -> logits (0, 2) -> expert 1, gate = sigma(2)
    //   t3: x = (3, 1) -> logits (3, 1) -> expert 0, gate = sigma(2)
    // probs: t0 (s1, 1-s1), t1 (s1, 1-s1), t2 (1-s2, s2), t3 (s2, 1-s2)   [s1 = sigma(1), s2 = sigma(2)]
    //
    // wi [E, d_model, d_ff]:  wi[0] = [[1, -1], [0, 1]]     wi[1] = [[0.5, 0], [1, -2]]
    // wo [E, d_ff, d_model]:  wo[0] = [[2, 0], [0, 3]]      wo[1] = [[1, -1], [4, 5]]
    // pre_j = sum_k x_k wi[e][k][j];  out_m = sum_j h_j wo[e][j][m]
    //   t0 (e0): pre = (1*1 + 0*0, 1*(-1) + 0*1) = (1, -1)
    //   t1 (e0): pre = (2*1 + 1*0, 2*(-1) + 1*1) = (2, -1)
    //   t2 (e1): pre = (0*0.5 + 2*1, 0*0 + 2*(-2)) = (2, -4)
    //   t3 (e0): pre = (3*1 + 1*0, 3*(-1) + 1*1) = (3, -2)
    // ReLU:  t0 h = (1, 0) -> out = (1*2 + 0*0, 1*0 + 0*3) = (2, 0)
    //        t1 h = (2, 0) -> out = (4, 0)
    //        t2 h = (2, 0) -> out = (2*1 + 0*4, 2*(-1) + 0*5) = (2, -2)
    //        t3 h = (3, 0) -> out = (6, 0)
    //
    // Aux loss for the single group of 4 (before capacity): f = (3/4, 1/4),
    //   P0 = (s1 + s1 + (1 - s2) + s2) / 4 = (2 s1 + 1) / 4,  P1 = (3 - 2 s1) / 4,
    //   E * sum f_i P_i = 2 * (3 (2 s1 + 1) + (3 - 2 s1)) / 16 = (4 s1 + 6) / 8 = (2 s1 + 3) / 4
    //   = (1.4621171572600098 + 3) / 4 = 1.11552928931500245;  times alpha 0.01 -> 0.011155292893150025.
    // ------------------------------------------------------------------------------------------
    private static final float[] X = {1, 0, 2, 1, 0, 2, 3, 1};
    private static final float[] ROUTER_W = {1, 0, 0, 1};
    private static final float[] WI = {1, -1, 0, 1, /* expert 1 */ 0.5f, 0, 1, -2};
    private static final float[] WO = {2, 0, 0, 3, /* expert 1 */ 1, -1, 4, 5};
    private static final double AUX_ONE_GROUP = 0.01 * (2 * SIG1 + 3) / 4; // 0.011155292893150025

    private static SwitchReference.Config cfg(
            int batch, int seq, int group, String cf, long minCap, boolean gelu) {
        return new SwitchReference.Config(batch, seq, 2, 2, 2, group, new BigDecimal(cf), minCap, gelu, 0.01);
    }

    @Test
    void capacityOverflowOneGroupRelu() {
        // S = 4, E = 2, cf = 0.5: floor(4 * 0.5 / 2) = floor(1) = 1; min(4, 1) = 1; max(1, 1) = 1 -> C = 1.
        // positions (earlier tokens with the same expert): t0 e0 -> 0, t1 e0 -> 1, t2 e1 -> 0, t3 e0 -> 2.
        // kept iff position < 1: t0 yes, t1 no, t2 yes, t3 no. dropped = 2 / 4 = 0.5.
        SwitchReference.Result r = SwitchReference.compute(cfg(1, 4, 4, "0.5", 1, false), X, ROUTER_W, WI, WO);
        assertEquals(1, r.expertCapacity());
        assertEquals(1, r.groups());
        assertArrayEquals(new int[] {0, 0, 1, 0}, r.expert());
        assertArrayEquals(new int[] {0, 1, 0, 2}, r.position());
        assertArrayEquals(new boolean[] {true, false, true, false}, r.kept());
        assertArrayEquals(new double[] {SIG1, SIG1, SIG2, SIG2}, r.gate(), TOL);
        assertArrayEquals(new long[] {3, 1}, r.tokensPerExpert());
        assertEquals(0.5, r.droppedFraction());
        // y: t0 = s1 * (2, 0) = (1.4621171572600098, 0); t1 dropped; t2 = s2 * (2, -2); t3 dropped.
        double[] expected = {2 * SIG1, 0, 0, 0, 2 * SIG2, -2 * SIG2, 0, 0};
        assertArrayEquals(expected, r.y(), TOL);
        assertEquals(1.4621171572600098, r.y()[0], TOL);
        // Dropped rows are exactly zero, not merely small.
        assertEquals(0.0, r.y()[2]);
        assertEquals(0.0, r.y()[3]);
        assertEquals(0.0, r.y()[6]);
        assertEquals(0.0, r.y()[7]);
        assertEquals(AUX_ONE_GROUP, r.auxLoss(), 1e-16);
        assertEquals(0.011155292893150025, r.auxLoss(), 1e-16);
        // Router probabilities of each token sum to 1.
        assertArrayEquals(new double[] {SIG1, 1 - SIG1, SIG1, 1 - SIG1, 1 - SIG2, SIG2, SIG2, 1 - SIG2},
                r.routerProbs(), TOL);
    }

    @Test
    void capacityOverflowOneGroupGelu() {
        // Same routing as above (C = 1, t0 and t2 kept); activation = exact GELU.
        //   t0: pre (1, -1) -> h = (gelu(1), gelu(-1)) = (0.8413447460685429, -0.15865525393145705)
        //       out = (2 h0 + 0 h1, 0 h0 + 3 h1) = (1.6826894921370859, -0.47596576179437117)
        //   t2: pre (2, -4) -> h = (gelu(2), gelu(-4)) = (1.9544997361036416, -1.266849673324797e-4)
        //       out = (1 h0 + 4 h1, -1 h0 + 5 h1) = (1.9539929962343117, -1.955133160940304)
        SwitchReference.Result r = SwitchReference.compute(cfg(1, 4, 4, "0.5", 1, true), X, ROUTER_W, WI, WO);
        double[] out0 = {2 * GELU_P1, 3 * GELU_M1};
        double[] out2 = {GELU_P2 + 4 * GELU_M4, -GELU_P2 + 5 * GELU_M4};
        assertEquals(1.6826894921370859, out0[0], 1e-15);
        assertEquals(-0.47596576179437117, out0[1], 1e-15);
        assertEquals(1.9539929962343117, out2[0], 1e-15);
        assertEquals(-1.955133160940304, out2[1], 1e-15);
        double[] expected = {SIG1 * out0[0], SIG1 * out0[1], 0, 0, SIG2 * out2[0], SIG2 * out2[1], 0, 0};
        assertArrayEquals(expected, r.y(), TOL);
        // Routing, aux loss and counts do not depend on the activation.
        assertEquals(AUX_ONE_GROUP, r.auxLoss(), 1e-16);
        assertArrayEquals(new long[] {3, 1}, r.tokensPerExpert());
        assertEquals(0.5, r.droppedFraction());
    }

    @Test
    void enoughCapacityKeepsEveryToken() {
        // cf = 2.0: floor(4 * 2 / 2) = 4; min(4, 4) = 4; max(4, 1) = 4 -> everything kept.
        //   t1: out (4, 0) -> y = s1 * (4, 0);  t3: out (6, 0) -> y = s2 * (6, 0).
        SwitchReference.Result r = SwitchReference.compute(cfg(1, 4, 4, "2.0", 1, false), X, ROUTER_W, WI, WO);
        assertEquals(4, r.expertCapacity());
        assertArrayEquals(new boolean[] {true, true, true, true}, r.kept());
        assertArrayEquals(new int[] {0, 1, 0, 2}, r.position());
        assertEquals(0.0, r.droppedFraction());
        double[] expected = {2 * SIG1, 0, 4 * SIG1, 0, 2 * SIG2, -2 * SIG2, 6 * SIG2, 0};
        assertArrayEquals(expected, r.y(), TOL);
        // f_i is taken before capacity, so the aux loss is the same as in the overflow case.
        assertEquals(AUX_ONE_GROUP, r.auxLoss(), 1e-16);
    }

    @Test
    void minCapacityBinds() {
        // cf = 0.5 gives floor(1) = 1, but min_capacity = 2: C = max(min(4, 1), 2) = 2.
        // positions (0, 1, 0, 2): t0, t1, t2 kept; t3 (position 2) dropped -> dropped = 1/4.
        SwitchReference.Result r = SwitchReference.compute(cfg(1, 4, 4, "0.5", 2, false), X, ROUTER_W, WI, WO);
        assertEquals(2, r.expertCapacity());
        assertArrayEquals(new boolean[] {true, true, true, false}, r.kept());
        assertEquals(0.25, r.droppedFraction());
        double[] expected = {2 * SIG1, 0, 4 * SIG1, 0, 2 * SIG2, -2 * SIG2, 0, 0};
        assertArrayEquals(expected, r.y(), TOL);

        // min_capacity = 3: C = 3, position 2 < 3 -> all kept.
        SwitchReference.Result r3 = SwitchReference.compute(cfg(1, 4, 4, "0.5", 3, false), X, ROUTER_W, WI, WO);
        assertEquals(3, r3.expertCapacity());
        assertEquals(0.0, r3.droppedFraction());
        assertEquals(6 * SIG2, r3.y()[6], TOL);
    }

    @Test
    void zeroCapacityDropsEverything() {
        // cf = 0, min_capacity = 0: C = max(min(4, 0), 0) = 0 -> no token kept; aux loss unchanged.
        SwitchReference.Result r = SwitchReference.compute(cfg(1, 4, 4, "0", 0, false), X, ROUTER_W, WI, WO);
        assertEquals(0, r.expertCapacity());
        assertEquals(1.0, r.droppedFraction());
        assertArrayEquals(new double[8], r.y(), 0.0);
        assertEquals(AUX_ONE_GROUP, r.auxLoss(), 1e-16);
        assertArrayEquals(new long[] {3, 1}, r.tokensPerExpert());
    }

    @Test
    void twoGroupsRestartPositionsAndAverageAuxLoss() {
        // batch 2, seq 2, group size 2: token order t = b*seq + s is the same as above, G = 4 / 2 = 2.
        //   group 0 = {t0, t1}, group 1 = {t2, t3}.
        // C = max(min(2, floor(2 * 1.0 / 2) = 1), 1) = 1.
        //   group 0: t0 e0 pos 0 kept; t1 e0 pos 1 dropped.
        //   group 1: t2 e1 pos 0 kept; t3 e0 pos 0 kept (positions restart per group).
        // dropped = 1/4. y: t0 = s1 (2, 0), t1 = 0, t2 = s2 (2, -2), t3 = s2 (6, 0).
        // aux: group 0: f = (1, 0), P0 = s1 -> 2 * (1 * s1) = 2 s1
        //      group 1: f = (1/2, 1/2), P = ((1 - s2 + s2)/2, (s2 + 1 - s2)/2) = (1/2, 1/2) -> 2 * (1/4 + 1/4) = 1
        //      aux = 0.01 * (2 s1 + 1) / 2 = 0.012310585786300048
        SwitchReference.Result r = SwitchReference.compute(cfg(2, 2, 2, "1.0", 1, false), X, ROUTER_W, WI, WO);
        assertEquals(2, r.groups());
        assertEquals(1, r.expertCapacity());
        assertArrayEquals(new int[] {0, 1, 0, 0}, r.position());
        assertArrayEquals(new boolean[] {true, false, true, true}, r.kept());
        assertEquals(0.25, r.droppedFraction());
        assertArrayEquals(new long[] {3, 1}, r.tokensPerExpert());
        double[] expected = {2 * SIG1, 0, 0, 0, 2 * SIG2, -2 * SIG2, 6 * SIG2, 0};
        assertArrayEquals(expected, r.y(), TOL);
        assertEquals(0.01 * (2 * SIG1 + 1) / 2, r.auxLoss(), 1e-16);
        assertEquals(0.012310585786300048, r.auxLoss(), 1e-16);
    }

    @Test
    void tiesGoToLowestIndex() {
        // Two experts, identity router, x = (1, 1): logits (1, 1) -> probs (1/2, 1/2) -> expert 0, gate 0.5.
        //   wi[0] = [[1, -1], [0, 1]]: pre = (1, 0) -> relu (1, 0) -> wo[0]: out = (2, 0) -> y = (1, 0).
        SwitchReference.Config c2 = cfg(1, 1, 1, "1.0", 1, false);
        SwitchReference.Result r2 = SwitchReference.compute(c2, new float[] {1, 1}, ROUTER_W, WI, WO);
        assertArrayEquals(new int[] {0}, r2.expert());
        assertEquals(0.5, r2.gate()[0], 0.0);
        assertArrayEquals(new double[] {1, 0}, r2.y(), TOL);

        // Three experts, d_model 3, d_ff 1, identity router, all wi and wo entries 1.
        //   t0: x = (0, 2, 2): logits (0, 2, 2) -> tie between 1 and 2 -> expert 1,
        //       gate = e^2 / (1 + 2 e^2) = 0.4683105308334812; pre = 0 + 2 + 2 = 4 -> out (4, 4, 4).
        //   t1: x = (0, 0, 0): logits all 0 -> expert 0, gate 1/3; pre = 0 -> y = 0.
        // C = max(min(2, floor(2 * 1 / 3) = 0), 1) = 1; both tokens at position 0, kept.
        // aux: f = (1/2, 1/2, 0); P = ((g0 + 1/3)/2, (g1 + 1/3)/2, ...) with g0 = 1/(1 + 2e^2) (t0's expert-0 prob);
        //   3 * (1/2 * (g0 + 1/3)/2 + 1/2 * (g + 1/3)/2) = 3/4 * (g0 + g + 2/3).
        SwitchReference.Config c3 = new SwitchReference.Config(1, 2, 3, 1, 3, 2, new BigDecimal("1"), 1, false, 0.01);
        float[] eye3 = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        float[] ones3 = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        SwitchReference.Result r3 = SwitchReference.compute(c3, new float[] {0, 2, 2, 0, 0, 0}, eye3, ones3, ones3);
        double g = 0.4683105308334812;
        double g0 = 1 - 2 * g; // 1 / (1 + 2 e^2)
        assertEquals(1, r3.expertCapacity());
        assertArrayEquals(new int[] {1, 0}, r3.expert());
        assertArrayEquals(new double[] {g, 1.0 / 3}, r3.gate(), TOL);
        assertArrayEquals(new boolean[] {true, true}, r3.kept());
        assertArrayEquals(new double[] {4 * g, 4 * g, 4 * g, 0, 0, 0}, r3.y(), TOL);
        assertArrayEquals(new long[] {1, 1, 0}, r3.tokensPerExpert());
        assertEquals(0.01 * 0.75 * (g0 + g + 2.0 / 3), r3.auxLoss(), 1e-16);
    }

    @Test
    void capacityFormulaIsExactDecimal() {
        // S = 10, cf = 1.1, E = 11: 10 * 1.1 / 11 = 11 / 11 = 1.0 exactly -> floor 1; min(10, 1) = 1.
        assertEquals(1, SwitchReference.expertCapacity(10, new BigDecimal("1.1"), 11, 0));
        // S = 100, cf = 0.29, E = 29: exactly 29 / 29 = 1 -> 1. In doubles 100 * 0.29 = 28.999999999999996,
        // whose floor after / 29 would be 0: this is why the capacity is computed in decimal.
        assertEquals(0.0, Math.floor(100 * 0.29 / 29));
        assertEquals(1, SwitchReference.expertCapacity(100, new BigDecimal("0.29"), 29, 0));
        // S = 16, cf = 0.5, E = 8: 8 / 8 = 1 -> min(16, 1) = 1 -> max(1, min_capacity 4) = 4.
        assertEquals(4, SwitchReference.expertCapacity(16, new BigDecimal("0.5"), 8, 4));
        assertEquals(1, SwitchReference.expertCapacity(16, new BigDecimal("0.5"), 8, 0));
        // S = 10, cf = 1.09, E = 11: 10.9 / 11 = 0.99.. -> 0; with min_capacity 0 -> 0, with 1 -> 1.
        assertEquals(0, SwitchReference.expertCapacity(10, new BigDecimal("1.09"), 11, 0));
        assertEquals(1, SwitchReference.expertCapacity(10, new BigDecimal("1.09"), 11, 1));
        // S = 4, cf = 4, E = 2: 16 / 2 = 8 -> min(4, 8) = 4 (a group cannot send more than S tokens).
        assertEquals(4, SwitchReference.expertCapacity(4, new BigDecimal("4"), 2, 1));
        // S = 2, cf = 1, E = 2, min_capacity 4: min(2, 1) = 1 -> max(1, 4) = 4 (min_capacity wins, even over S).
        assertEquals(4, SwitchReference.expertCapacity(2, new BigDecimal("1"), 2, 4));
        // Mesh TF defaults: S = 1024, E = 8; train cf 1.25 -> 1280 / 8 = 160; eval cf 2.0 -> 256.
        assertEquals(160, SwitchReference.expertCapacity(1024, new BigDecimal("1.25"), 8, 4));
        assertEquals(256, SwitchReference.expertCapacity(1024, new BigDecimal("2.0"), 8, 4));
        // The same through a layer config: S = 16, cf 0.5, E = 8, min 4.
        SwitchReference.Config c = new SwitchReference.Config(
                1, 16, 1, 1, 8, 16, new BigDecimal("0.5"), 4, false, 0.01);
        SwitchReference.Result r = SwitchReference.compute(c, new float[16], new float[8], new float[8], new float[8]);
        assertEquals(4, r.expertCapacity());
        // All logits 0 -> every token to expert 0 (tie), positions 0..15, kept iff < 4 -> 12 dropped.
        assertArrayEquals(new long[] {16, 0, 0, 0, 0, 0, 0, 0}, r.tokensPerExpert());
        assertEquals(12.0 / 16, r.droppedFraction());
        // aux: f = (1, 0, ...), P = (1/8, ...): 8 * (1 * 1/8) = 1 -> 0.01.
        assertEquals(0.01, r.auxLoss(), 1e-17);
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> cfg(1, 4, 3, "1.0", 1, false));
        assertThrows(IllegalArgumentException.class,
                () -> SwitchReference.compute(cfg(1, 4, 4, "1.0", 1, false), new float[7], ROUTER_W, WI, WO));
        assertThrows(IllegalArgumentException.class,
                () -> SwitchReference.compute(cfg(1, 4, 4, "1.0", 1, false), X, ROUTER_W, new float[7], WO));
    }

    @Test
    void activations() {
        assertEquals(0.0, SwitchReference.relu(-3.0));
        assertEquals(2.5, SwitchReference.relu(2.5));
        assertEquals(0.0, SwitchReference.gelu(0.0));
        assertEquals(GELU_P1, SwitchReference.gelu(1.0), 1e-15);
        assertEquals(GELU_M1, SwitchReference.gelu(-1.0), 1e-15);
        assertEquals(GELU_P2, SwitchReference.gelu(2.0), 1e-15);
        assertEquals(GELU_M4, SwitchReference.gelu(-4.0), 1e-18);
        assertEquals(2.99595030590511, SwitchReference.gelu(3.0), 1e-15);
        // Far left tail, relative accuracy kept via erfc: gelu(-10) = -7.619853024160526e-23.
        assertEquals(-7.619853024160526e-23, SwitchReference.gelu(-10.0), 1e-35);
    }

    @Test
    void bf16Rounding() {
        assertEquals(1.0f, SwitchReference.roundToBf16(1.0f));
        // 0x3F808000 = 1 + 2^-8, exactly halfway between bf16 0x3F80 and 0x3F81 -> even 0x3F80.
        assertEquals(0x3F80_0000, bits(SwitchReference.roundToBf16(Float.intBitsToFloat(0x3F80_8000))));
        // 0x3F818000: halfway between 0x3F81 (odd) and 0x3F82 -> even 0x3F82.
        assertEquals(0x3F82_0000, bits(SwitchReference.roundToBf16(Float.intBitsToFloat(0x3F81_8000))));
        // Just above / below halfway.
        assertEquals(0x3F81_0000, bits(SwitchReference.roundToBf16(Float.intBitsToFloat(0x3F80_8001))));
        assertEquals(0x3F80_0000, bits(SwitchReference.roundToBf16(Float.intBitsToFloat(0x3F80_7FFF))));
        // Negative values round on the magnitude.
        assertEquals(0xBF82_0000, bits(SwitchReference.roundToBf16(Float.intBitsToFloat(0xBF81_8000))));
        // Signed zeros and infinities pass through.
        assertEquals(0x8000_0000, bits(SwitchReference.roundToBf16(-0.0f)));
        assertEquals(Float.POSITIVE_INFINITY, SwitchReference.roundToBf16(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, SwitchReference.roundToBf16(Float.NEGATIVE_INFINITY));
        // Float.MAX_VALUE (0x7F7FFFFF) is above the largest bf16 + half ulp -> +inf; largest bf16 stays.
        assertEquals(Float.POSITIVE_INFINITY, SwitchReference.roundToBf16(Float.MAX_VALUE));
        assertEquals(0x7F7F_0000, bits(SwitchReference.roundToBf16(Float.intBitsToFloat(0x7F7F_0000))));
        // NaNs (quiet and signalling with a low-only payload) stay NaN.
        assertTrue(Float.isNaN(SwitchReference.roundToBf16(Float.NaN)));
        assertTrue(Float.isNaN(SwitchReference.roundToBf16(Float.intBitsToFloat(0x7F80_0001))));
        assertTrue(Float.isNaN(SwitchReference.roundToBf16(Float.intBitsToFloat(0xFF80_0001))));
        // A value: 3.14159274f (0x40490FDB) -> 0x4049 (next bits 0x0FDB < 0x8000) = 3.140625.
        assertEquals(3.140625f, SwitchReference.roundToBf16((float) Math.PI));
    }

    private static int bits(float f) {
        return Float.floatToRawIntBits(f);
    }
}
