package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import dev.switchc.ir.grad.Grad;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every op kind's gradient rule against central finite differences, in f64 on XLA (eps 1e-6,
 * 1e-6 relative). Each program is one op (plus what makes its inputs) and the loss
 * {@code sum(out * ct)} with a random cotangent {@code ct}, so the check covers the op's whole
 * Jacobian. Inputs stay away from kinks (abs at 0, max/min ties, argmax ties) by more than eps;
 * the tests that say so check it.
 */
class GradOpsTest {
  static final Dim A = new Dim("a", 3), B = new Dim("b", 4), C = new Dim("c", 2);

  /** One program under construction: parameters with their values, then the loss. */
  static final class Program {
    final FuncBuilder b = new FuncBuilder("op");
    final FuncBuilder.Ops o = b.unlocated();
    final Map<String, double[]> inputs = new LinkedHashMap<>();
    final Random r = new Random(11);

    Value param(String name, DType t, Shape s, double[] values) {
      assertEquals(s.elements(), values.length, name);
      inputs.put(name, values);
      return b.param(name, new TensorType(t, s));
    }

    Value gaussian(String name, Dim... dims) {
      Shape s = Shape.of(dims);
      return param(name, DType.F64, s, GradCheck.gaussian(r, (int) s.elements(), 1));
    }

    /** Like {@link #gaussian} but |x| >= 0.5: for log, sqrt, rsqrt, division and abs. */
    Value awayFromZero(String name, boolean positive, Dim... dims) {
      Shape s = Shape.of(dims);
      double[] v = GradCheck.gaussian(r, (int) s.elements(), 1);
      for (int i = 0; i < v.length; i++) v[i] = (positive ? 1 : Math.signum(v[i])) * (Math.abs(v[i]) + 0.5);
      return param(name, DType.F64, s, v);
    }

    /** {@code loss = sum(out * ct)}; checks d loss / d {@code wrt} and returns the autodiff gradients. */
    Map<String, double[]> check(Value out, GradCheck.Options opt, String... wrt) {
      Value ct = gaussian("ct", out.shape().dims().toArray(Dim[]::new));
      Value prod = o.mul(out, o.cast(ct, out.dtype()));
      b.result("loss", o.cast(o.reduce(Op.ReduceFn.SUM, prod, out.shape().names().toArray(String[]::new)), DType.F64));
      return GradCheck.check(b.build(), "loss", List.of(wrt), inputs, opt);
    }

    Map<String, double[]> check(Value out, String... wrt) {
      return check(out, GradCheck.Options.exact(), wrt);
    }
  }

  @ParameterizedTest
  @EnumSource(Op.UnaryFn.class)
  void unary(Op.UnaryFn fn) {
    Program p = new Program();
    boolean positive = fn == Op.UnaryFn.LOG || fn == Op.UnaryFn.SQRT || fn == Op.UnaryFn.RSQRT;
    Value x = positive || fn == Op.UnaryFn.ABS ? p.awayFromZero("x", positive, A, B) : p.gaussian("x", A, B);
    p.check(p.o.unary(fn, x), "x");
  }

  /** Both operands broadcast by name: [a, b] with [b, c] gives [a, b, c], so each gradient sums over a dim. */
  @ParameterizedTest
  @EnumSource(value = Op.BinaryFn.class, names = {"ADD", "SUB", "MUL", "DIV", "MAX", "MIN"})
  void binary(Op.BinaryFn fn) {
    Program p = new Program();
    Value l = p.gaussian("l", A, B);
    Value r = fn == Op.BinaryFn.DIV ? p.awayFromZero("r", false, B, C) : p.gaussian("r", B, C);
    if (fn == Op.BinaryFn.MAX || fn == Op.BinaryFn.MIN) assertNoTies(p.inputs.get("l"), p.inputs.get("r"));
    p.check(p.o.binary(fn, l, r), "l", "r");
  }

  private static void assertNoTies(double[] l, double[] r) {
    for (double a : l) for (double b : r) if (Math.abs(a - b) < 1e-4) throw new AssertionError("operands within 1e-4: a kink");
  }

  /** At a tie each operand takes half the gradient (as JAX): relu = max(x, 0) has slope 1/2 at exactly 0. */
  @Test
  void maxSharesTiesEqually() {
    Program p = new Program();
    Value x = p.param("x", DType.F64, Shape.of(A), new double[] {-1, 0, 2});
    Map<String, double[]> g = p.check(p.o.max(x, p.o.scalar(0, DType.F64)), GradCheck.Options.exact().sampled(1).rel(Double.MAX_VALUE), "x");
    double[] ct = p.inputs.get("ct");
    assertArrayEquals(new double[] {0, ct[1] / 2, ct[2]}, g.get("x"), 0);
  }

  @Test
  void select() {
    Program p = new Program();
    Value c = p.param("c", DType.F64, Shape.of(A), new double[] {1, -1, 2});
    Value pred = p.o.compare(Op.Cmp.GT, c, p.o.scalar(0, DType.F64));
    p.check(p.o.select(pred, p.gaussian("t", A, B), p.gaussian("f", B)), "t", "f");
  }

  /** f32 parameter, f64 arithmetic: the gradient is cast back to f32; the finite differences use the f32 steps actually taken. */
  @Test
  void cast() {
    Program p = new Program();
    Value x = p.param("x", DType.F32, Shape.of(A, B), GradCheck.gaussian(new Random(3), 12, 1));
    p.check(p.o.unary(Op.UnaryFn.EXP, p.o.cast(x, DType.F64)), GradCheck.Options.exact().eps(1e-3).rel(1e-5), "x");
  }

  /** A batch dim (t), a contracted dim (k), a free dim on each side, and a result in yet another order. */
  @Test
  void einsum() {
    Program p = new Program();
    Dim t = new Dim("t", 2), i = new Dim("i", 3), k = new Dim("k", 4), j = new Dim("j", 2);
    Value l = p.gaussian("l", t, i, k), r = p.gaussian("r", k, t, j);
    p.check(p.o.einsum(l, r, Shape.of(j, t, i)), "l", "r");
  }

  @Test
  void einsumOuterProduct() {
    Program p = new Program();
    Value l = p.gaussian("l", A), r = p.gaussian("r", B);
    p.check(p.o.einsum(l, r, Shape.of(B, A)), "l", "r");
  }

  @ParameterizedTest
  @EnumSource(Op.ReduceFn.class)
  void reduce(Op.ReduceFn fn) {
    Program p = new Program();
    Value x = p.gaussian("x", A, B, C);
    p.check(p.o.reduce(fn, x, "b"), "x");
  }

  @Test
  void reduceToScalar() {
    Program p = new Program();
    p.check(p.o.reduce(Op.ReduceFn.MAX, p.gaussian("x", A, B), "a", "b"), "x");
  }

  @Test
  void cumsumInclusive() {
    Program p = new Program();
    p.check(p.o.cumsum(p.gaussian("x", A, B), "b", false), "x");
  }

  @Test
  void cumsumExclusive() {
    Program p = new Program();
    p.check(p.o.cumsum(p.gaussian("x", A, B), "a", true), "x");
  }

  @Test
  void reshape() {
    Program p = new Program();
    p.check(p.o.reshape(p.gaussian("x", A, B), Shape.of(new Dim("p", 2), new Dim("q", 6))), "x");
  }

  @Test
  void relabel() {
    Program p = new Program();
    p.check(p.o.relabel(p.gaussian("x", A, B), Shape.of(new Dim("p", 3), new Dim("q", 4))), "x");
  }

  /**
   * Rows gathered per group (g is a batch dim), some twice, so their gradients add; one index
   * above range and one below, which the forward clamps to the edge rows, which get the gradient.
   */
  @Test
  void gather() {
    Program p = new Program();
    Dim g = new Dim("g", 2), n = new Dim("n", 5), d = new Dim("d", 3), t = new Dim("t", 6);
    Value operand = p.gaussian("operand", g, n, d);
    Value idx = p.param("idx", DType.I32, Shape.of(g, t), new double[] {0, 2, 2, 4, 7, 1, 3, 3, -1, 0, 4, 4});
    p.check(p.o.gather(operand, Map.of("n", idx), Shape.of(g, t, d)), "operand");
  }

  /** Updates scattered per group, some onto the same row (they add); the two out of range are dropped and get no gradient. */
  @Test
  void scatterAdd() {
    Program p = new Program();
    Dim g = new Dim("g", 2), n = new Dim("n", 5), d = new Dim("d", 3), t = new Dim("t", 6);
    Value operand = p.gaussian("operand", g, n, d);
    Value updates = p.gaussian("updates", g, t, d);
    Value idx = p.param("idx", DType.I32, Shape.of(g, t), new double[] {0, 2, 2, 4, 5, 1, 3, 3, -1, 0, 4, 4});
    Map<String, double[]> grads = p.check(p.o.scatterAdd(operand, updates, Map.of("n", idx)), "operand", "updates");
    double[] dropped = Arrays.copyOfRange(grads.get("updates"), 4 * 3, 5 * 3);
    assertArrayEquals(new double[3], dropped, 0, "an update whose index is out of range is dropped, so has no gradient");
  }

  /**
   * The router's pattern: softmax probabilities, the chosen expert by argmax, its probability as
   * the gate, and a one-hot mask. The decisions (argmax, one-hot, compare) carry no gradient;
   * the gate does. The logits' top two are more than 1e-3 apart, so no decision flips.
   */
  @Test
  void routingDecisionsCarryNoGradient() {
    Program p = new Program();
    Dim t = new Dim("t", 5), e = new Dim("e", 4);
    FuncBuilder.Ops o = p.o;
    Value logits = p.gaussian("logits", t, e);
    double[] v = p.inputs.get("logits");
    for (int i = 0; i < 5; i++) {
      double[] row = Arrays.copyOfRange(v, 4 * i, 4 * i + 4);
      Arrays.sort(row);
      assertEquals(true, row[3] - row[2] > 1e-3, "argmax margin of token " + i);
    }
    Value exp = o.unary(Op.UnaryFn.EXP, o.sub(logits, o.reduce(Op.ReduceFn.MAX, logits, "e")));
    Value probs = o.div(exp, o.reduce(Op.ReduceFn.SUM, exp, "e"));
    Value mask = o.oneHot(o.argmax(logits, "e"), e, DType.F64);
    Value gate = o.reduce(Op.ReduceFn.MAX, probs, "e");
    Value kept = o.compare(Op.Cmp.LT, o.cumsum(mask, "t", true), o.scalar(2, DType.F64));
    Value routed = o.select(kept, o.mul(mask, gate), o.scalar(0, DType.F64));
    Value positions = o.cast(o.iota(DType.I32, Shape.of(t, e), "t"), DType.F64);
    p.check(o.add(routed, o.mul(o.mul(probs, positions), o.constant(0.25, DType.F64, Shape.of(e)))), "logits");
  }

  /**
   * A softmax built as the frontend builds it (max-shifted) is differentiated as one op,
   * {@code dx = y * (dy - sum(dy * y))}: right by finite differences, and without the max's rule
   * (a compare of every logit with the max), which the fused rule makes needless.
   */
  @Test
  void softmaxIsOneOp() {
    Program p = new Program();
    FuncBuilder.Ops o = p.o;
    Value x = p.gaussian("x", A, B);
    Value e = o.unary(Op.UnaryFn.EXP, o.sub(x, o.reduce(Op.ReduceFn.MAX, x, "b")));
    p.check(o.div(e, o.reduce(Op.ReduceFn.SUM, e, "b")), "x");
    Func grad = Grad.run(p.b.build(), "loss", List.of("x"));
    assertEquals(List.of(), grad.body().stream().filter(op -> op instanceof Op.Compare).toList(), "the fused rule compares nothing");
  }

  /**
   * A log-sum-exp built as the frontend builds it ({@code log(sum(exp(x - max))) + max}) is
   * differentiated as one op, {@code dx = dy * softmax(x)}: right by finite differences, and
   * without the max's rule.
   */
  @Test
  void logSumExpIsOneOp() {
    Program p = new Program();
    FuncBuilder.Ops o = p.o;
    Value x = p.gaussian("x", A, B);
    Value max = o.reduce(Op.ReduceFn.MAX, x, "b");
    Value sum = o.reduce(Op.ReduceFn.SUM, o.unary(Op.UnaryFn.EXP, o.sub(x, max)), "b");
    p.check(o.add(o.unary(Op.UnaryFn.LOG, sum), max), "x");
    Func grad = Grad.run(p.b.build(), "loss", List.of("x"));
    assertEquals(List.of(), grad.body().stream().filter(op -> op instanceof Op.Compare).toList(), "the fused rule compares nothing");
  }

  /** Where an inner value of the softmax is used elsewhere too (here exp), the op-by-op rules run, and are right. */
  @Test
  void softmaxWithSharedInnerValue() {
    Program p = new Program();
    FuncBuilder.Ops o = p.o;
    Value x = p.gaussian("x", A, B);
    Value e = o.unary(Op.UnaryFn.EXP, o.sub(x, o.reduce(Op.ReduceFn.MAX, x, "b")));
    p.check(o.add(o.div(e, o.reduce(Op.ReduceFn.SUM, e, "b")), o.mul(e, o.scalar(0.5, DType.F64))), "x");
  }

  /** A parameter the loss does not depend on has a zero gradient, of its own type. */
  @Test
  void unusedParameterHasZeroGradient() {
    Program p = new Program();
    Value x = p.gaussian("x", A);
    p.gaussian("unused", B, C);
    Map<String, double[]> g = p.check(p.o.mul(x, x), "x", "unused");
    assertArrayEquals(new double[8], g.get("unused"), 0);
  }

  @Test
  void lossMustBeAFloatScalar() {
    Program p = new Program();
    Value x = p.gaussian("x", A);
    p.b.result("y", x);
    Func f = p.b.build();
    var e = assertThrows(IllegalArgumentException.class, () -> Grad.run(f, "y", List.of("x")));
    assertEquals("the loss 'y' must be a float scalar, got f64[a=3]", e.getMessage());
  }
}
