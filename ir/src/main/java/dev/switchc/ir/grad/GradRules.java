package dev.switchc.ir.grad;

import dev.switchc.ir.DType;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gradient rule of every op kind, at the one dispatch point: given the cotangent {@code gy} of
 * an op's result, the cotangents of its inputs, in {@link Op#inputs()} order, each with exactly
 * that input's type; null where an input gets none (integer and pred inputs: indices, predicates,
 * routing decisions). Rules read the forward values they need (saved activations) from the op.
 *
 * <p>Names make the rules short: an einsum's gradient is the einsum of the cotangent with the other
 * operand into this operand's dims, a broadcast's is a sum over the dims it added.
 */
final class GradRules implements Op.Visitor<List<Value>> {
  private final FuncBuilder.Ops o;
  private final Value gy;

  private GradRules(FuncBuilder.Ops o, Value gy) {
    this.o = o;
    this.gy = gy;
  }

  /** The inputs' cotangents of {@code op}, given its result's cotangent; new ops are made through {@code o}. */
  static List<Value> of(Op op, Value gy, FuncBuilder.Ops o) {
    return op.accept(new GradRules(o, gy));
  }

  // ---- no gradient: no inputs, or only decisions (integers, preds) come out ----

  @Override
  public List<Value> constant(Op.Constant op) {
    return List.of();
  }

  @Override
  public List<Value> iota(Op.Iota op) {
    return List.of();
  }

  /** An index: piecewise constant in its input, so zero almost everywhere (routing carries no gradient). */
  @Override
  public List<Value> argMax(Op.ArgMax op) {
    return none(op);
  }

  /** Its input is an integer index. */
  @Override
  public List<Value> oneHot(Op.OneHot op) {
    return none(op);
  }

  /** Its result is a pred. */
  @Override
  public List<Value> compare(Op.Compare op) {
    return none(op);
  }

  // ---- elementwise ----

  @Override
  public List<Value> unary(Op.Unary op) {
    Value x = op.x(), y = op.out();
    DType t = x.dtype();
    Value gx = switch (op.fn()) {
      case NEG -> o.unary(Op.UnaryFn.NEG, gy);
      case EXP -> o.mul(gy, y);
      case LOG -> o.div(gy, x);
      case ERF -> o.mul(gy, o.mul(o.scalar(2 / Math.sqrt(Math.PI), t), o.unary(Op.UnaryFn.EXP, o.unary(Op.UnaryFn.NEG, o.mul(x, x)))));
      case SQRT -> o.div(o.mul(gy, o.scalar(0.5, t)), y);
      case RSQRT -> o.mul(gy, o.mul(o.scalar(-0.5, t), o.mul(y, o.mul(y, y))));
      case TANH -> o.mul(gy, o.sub(o.scalar(1, t), o.mul(y, y)));
      // sign(x), 0 at 0 (as JAX): the kink itself gets no gradient.
      case ABS -> o.select(o.compare(Op.Cmp.LT, x, o.scalar(0, t)), o.unary(Op.UnaryFn.NEG, gy),
          o.select(o.compare(Op.Cmp.GT, x, o.scalar(0, t)), gy, o.scalar(0, t)));
    };
    return List.of(gx);
  }

  @Override
  public List<Value> binary(Op.Binary op) {
    Value l = op.lhs(), r = op.rhs();
    if (!l.dtype().isFloat()) return none(op); // integer arithmetic: hashes, counts, positions
    DType t = l.dtype();
    return switch (op.fn()) {
      case ADD -> List.of(sumTo(gy, l), sumTo(gy, r));
      case SUB -> List.of(sumTo(gy, l), sumTo(o.unary(Op.UnaryFn.NEG, gy), r));
      case MUL -> List.of(sumTo(o.mul(gy, r), l), sumTo(o.mul(gy, l), r));
      case DIV -> List.of(sumTo(o.div(gy, r), l), sumTo(o.unary(Op.UnaryFn.NEG, o.div(o.mul(gy, op.out()), r)), r));
      // The larger operand takes the gradient; on a tie each takes half (as JAX), so relu = max(x, 0)
      // has gradient 1/2 at exactly 0.
      case MAX -> List.of(sumTo(picked(Op.Cmp.GT, l, r, t), l), sumTo(picked(Op.Cmp.GT, r, l, t), r));
      case MIN -> List.of(sumTo(picked(Op.Cmp.LT, l, r, t), l), sumTo(picked(Op.Cmp.LT, r, l, t), r));
      case XOR, SHR -> throw new AssertionError("bitwise " + op.fn() + " on floats passed the verifier");
    };
  }

  /** {@code gy} where {@code a} wins ({@code a cmp b}), half of it where they tie, else 0. */
  private Value picked(Op.Cmp wins, Value a, Value b, DType t) {
    Value zero = o.scalar(0, t);
    Value half = o.mul(gy, o.scalar(0.5, t));
    return o.select(o.compare(wins, a, b), gy, o.select(o.compare(Op.Cmp.EQ, a, b), half, zero));
  }

  @Override
  public List<Value> select(Op.Select op) {
    Value zero = o.scalar(0, gy.dtype());
    return Arrays.asList(null, sumTo(o.select(op.pred(), gy, zero), op.onTrue()), sumTo(o.select(op.pred(), zero, gy), op.onFalse()));
  }

  /** Float to float: the cotangent cast back. From an integer or pred: a decision, no gradient. */
  @Override
  public List<Value> cast(Op.Cast op) {
    if (!op.x().dtype().isFloat() || !op.out().dtype().isFloat()) return none(op);
    return List.of(o.cast(gy, op.x().dtype()));
  }

  // ---- contractions and reductions ----

  /**
   * {@code d lhs = einsum(gy, rhs) -> lhs dims}: the forward's batch dims stay batch dims, its
   * contracted dims (in lhs and rhs only) come back from rhs, and its free result dims are summed.
   * Likewise for rhs. A widening (bf16 operands, f32 result) einsum computes in the result's type.
   */
  @Override
  public List<Value> einsum(Op.Einsum op) {
    return List.of(contractWith(op.rhs(), op.lhs()), contractWith(op.lhs(), op.rhs()));
  }

  private Value contractWith(Value other, Value into) {
    Value b = o.cast(other, gy.dtype());
    Shape out = into.shape();
    Value g = misplaced(b, gy, out) < misplaced(gy, b, out) ? o.einsum(b, gy, out, gy.dtype()) : o.einsum(gy, b, out, gy.dtype());
    return o.cast(g, into.dtype());
  }

  /**
   * How many elements of {@code einsum(lhs, rhs) -> out}'s operands lie in a layout a matmul
   * reads transposed: a dot_general is a plain {@code [batch, free, contracted] x [batch,
   * contracted, free]} matmul when lhs's contracted dims come last and rhs's come first after its
   * batch dims. A gradient einsum contracts operands laid out for the forward, so one of its orders
   * usually reads the large operand (a weight) transposed; XLA's CPU dot runs that at about half
   * the rate (the cotangent of an FFN's hidden layer: 95 ms against 62 ms for the other order and
   * a transpose of the small result, at 1024 tokens, d=512, f=2048, E=8). Einsum is symmetric in
   * its operands, so the gradient takes the order that reads less transposed.
   */
  private static long misplaced(Value lhs, Value rhs, Shape out) {
    List<String> contracted = lhs.shape().names().stream().filter(n -> rhs.shape().has(n) && !out.has(n)).toList();
    int c = contracted.size();
    List<String> l = lhs.shape().names(), r = rhs.shape().names().stream().filter(n -> !(lhs.shape().has(n) && out.has(n))).toList();
    long cost = 0;
    if (!new HashSet<>(l.subList(l.size() - c, l.size())).equals(new HashSet<>(contracted))) cost += lhs.shape().elements();
    if (!new HashSet<>(r.subList(0, c)).equals(new HashSet<>(contracted))) cost += rhs.shape().elements();
    return cost;
  }

  @Override
  public List<Value> reduce(Op.Reduce op) {
    Value x = op.x();
    return switch (op.fn()) {
      case SUM -> List.of(broadcastTo(gy, x.shape()));
      // To the elements equal to the result, shared equally among ties (as JAX): for the router's
      // gate, the chosen expert's probability.
      case MAX, MIN -> {
        Value chosen = o.cast(o.compare(Op.Cmp.EQ, x, op.out()), x.dtype());
        Value ties = o.reduce(Op.ReduceFn.SUM, chosen, op.reducedDims().toArray(String[]::new));
        yield List.of(o.mul(chosen, o.div(gy, ties)));
      }
    };
  }

  /**
   * Inclusive: {@code dx[j] = sum over i >= j of gy[i] = total - exclusive_cumsum(gy)[j]};
   * exclusive: {@code dx[j] = sum over i > j = total - inclusive_cumsum(gy)[j]}.
   */
  @Override
  public List<Value> cumsum(Op.Cumsum op) {
    if (!op.x().dtype().isFloat()) return none(op);
    Value total = o.reduce(Op.ReduceFn.SUM, gy, op.dim());
    Value before = o.cumsum(gy, op.dim(), !op.exclusive());
    return List.of(o.unary(Op.UnaryFn.NEG, o.sub(before, total)));
  }

  // ---- data movement ----

  @Override
  public List<Value> reshape(Op.Reshape op) {
    return List.of(o.reshape(gy, op.x().shape()));
  }

  @Override
  public List<Value> relabel(Op.Relabel op) {
    return List.of(o.relabel(gy, op.x().shape()));
  }

  /**
   * A scatter-add of the cotangent into zeros at the same indices. The forward clamps an
   * out-of-range index to the edge, so the rule clamps it too: the row read gets the gradient.
   */
  @Override
  public List<Value> gather(Op.Gather op) {
    Value operand = op.operand();
    Map<String, Value> clamped = new LinkedHashMap<>();
    for (Map.Entry<String, Value> e : op.indices().entrySet()) {
      long size = operand.shape().get(e.getKey()).size();
      Value idx = e.getValue();
      clamped.put(e.getKey(), o.binary(Op.BinaryFn.MAX, o.binary(Op.BinaryFn.MIN, idx, o.scalar(size - 1, DType.I32)), o.scalar(0, DType.I32)));
    }
    Value g = o.scatterAdd(o.constant(0, operand.dtype(), operand.shape()), gy, clamped);
    return withIndices(g, op.indices().size());
  }

  /**
   * The operand's cotangent passes through; the updates' is a gather of it at the same indices,
   * zero for updates the forward dropped (index out of range).
   */
  @Override
  public List<Value> scatterAdd(Op.ScatterAdd op) {
    Value updates = op.updates();
    Value g = o.gather(gy, op.indices(), updates.shape());
    Value zero = o.scalar(0, g.dtype());
    for (Map.Entry<String, Value> e : op.indices().entrySet()) {
      long size = op.operand().shape().get(e.getKey()).size();
      g = o.select(o.compare(Op.Cmp.GE, e.getValue(), o.scalar(0, DType.I32)), g, zero);
      g = o.select(o.compare(Op.Cmp.LT, e.getValue(), o.scalar(size, DType.I32)), g, zero);
    }
    List<Value> out = new ArrayList<>(Arrays.asList(gy, g));
    for (int i = 0; i < op.indices().size(); i++) out.add(null);
    return out;
  }

  // ---- per-device ops: autodiff runs on the global program, before sharding (as Mesh TensorFlow) ----

  @Override
  public List<Value> allReduce(Op.AllReduce op) {
    throw perDevice(op);
  }

  @Override
  public List<Value> allGather(Op.AllGather op) {
    throw perDevice(op);
  }

  @Override
  public List<Value> allToAll(Op.AllToAll op) {
    throw perDevice(op);
  }

  @Override
  public List<Value> deviceCoordinate(Op.DeviceCoordinate op) {
    throw perDevice(op);
  }

  @Override
  public List<Value> localSlice(Op.LocalSlice op) {
    throw perDevice(op);
  }

  private static IllegalArgumentException perDevice(Op op) {
    return new IllegalArgumentException("autodiff runs on the global program, before sharding; " + op.getClass().getSimpleName()
        + " at " + op.loc() + " belongs to a per-device program");
  }

  // ---- helpers ----

  private static List<Value> none(Op op) {
    return Arrays.asList(new Value[op.inputs().size()]);
  }

  /** {@code g} (the operand's cotangent) followed by no cotangent for each index. */
  private static List<Value> withIndices(Value g, int indices) {
    List<Value> out = new ArrayList<>();
    out.add(g);
    for (int i = 0; i < indices; i++) out.add(null);
    return out;
  }

  /** {@code g} summed over the dims {@code x} lacks (undoing a broadcast by name), in {@code x}'s dim order. */
  private Value sumTo(Value g, Value x) {
    List<String> extra = g.shape().names().stream().filter(n -> !x.shape().has(n)).toList();
    Value summed = extra.isEmpty() ? g : o.reduce(Op.ReduceFn.SUM, g, extra.toArray(String[]::new));
    return broadcastTo(summed, x.shape());
  }

  /** {@code g} broadcast by name to {@code target} (whose dims include g's), in target's order. */
  private Value broadcastTo(Value g, Shape target) {
    if (g.shape().equals(target)) return g;
    return o.add(o.constant(0, g.dtype(), target), g);
  }
}
