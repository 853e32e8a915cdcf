package dev.switchc.ir.grad;

import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Value;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A log-sum-exp over one dim as the frontend builds it ({@code SwitchFfn.logSumExp}, the
 * cross-entropy's normaliser over the vocabulary and the router's z-loss): {@code m = max(x); e =
 * exp(x - m); out = log(sum(e)) + m}, differentiated as one op: {@code dx = dy * e / sum(e)}
 * (the softmax of x, from the forward's own {@code e} and sum).
 *
 * <p>Op by op, the max gets a cotangent from both the shift and the final add, which cancel in
 * exact arithmetic, and its rule compares every element of {@code x} (a [batch, seq, vocab]
 * tensor for the cross-entropy) with the max; the shift's and the exponential's rules make
 * further full-size tensors.
 */
record LogSumExp(Value x, Value e, Value sum) implements Fused {
  static Optional<LogSumExp> match(Op op, Map<Integer, Op> producers, Map<Integer, Integer> uses) {
    if (!(op instanceof Op.Binary add) || add.fn() != Op.BinaryFn.ADD || !add.out().dtype().isFloat()) return Optional.empty();
    Value log = add.lhs(), max = add.rhs();
    if (!(producers.get(log.id()) instanceof Op.Unary l) || l.fn() != Op.UnaryFn.LOG) return Optional.empty();
    Value sum = l.x();
    if (!(producers.get(sum.id()) instanceof Op.Reduce s) || s.fn() != Op.ReduceFn.SUM || s.reducedDims().size() != 1) return Optional.empty();
    String dim = s.reducedDims().get(0);
    Value e = s.x();
    if (!(producers.get(e.id()) instanceof Op.Unary exp) || exp.fn() != Op.UnaryFn.EXP) return Optional.empty();
    Value shifted = exp.x();
    if (!(producers.get(shifted.id()) instanceof Op.Binary sub) || sub.fn() != Op.BinaryFn.SUB || sub.rhs() != max) return Optional.empty();
    Value x = sub.lhs();
    if (!(producers.get(max.id()) instanceof Op.Reduce m) || m.fn() != Op.ReduceFn.MAX || m.x() != x || !m.reducedDims().equals(List.of(dim)))
      return Optional.empty();
    if (!x.shape().equals(e.shape()) || !add.out().shape().equals(sum.shape())) return Optional.empty();
    boolean inner = Fused.uses(uses, max) == 2 && Fused.uses(uses, shifted) == 1 && Fused.uses(uses, e) == 1
        && Fused.uses(uses, sum) == 1 && Fused.uses(uses, log) == 1;
    return inner ? Optional.of(new LogSumExp(x, e, sum)) : Optional.empty();
  }

  @Override
  public Value grad(Value gy, FuncBuilder.Ops o) {
    return o.mul(o.div(e, sum), gy);
  }
}
