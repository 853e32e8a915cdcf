package dev.switchc.ir.grad;

import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Value;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A softmax over one dim as the frontend builds it ({@code SwitchFfn.softmax}): {@code e = exp(x -
 * max(x)); y = e / sum(e)}, differentiated as one op: {@code dx = y * (dy - sum(dy * y))}.
 *
 * <p>Op by op, the division, the sum, the exponential and the shift each get their rule: the
 * cotangents of {@code e}, of the sum and of the shifted logits are full-size tensors, and the
 * max's rule (the gradient that the shift sends back, zero in exact arithmetic because softmax
 * does not change under a shift) compares every logit with the max and shares among ties. The
 * fused rule reads only {@code y} and {@code dy}: one product, one sum, one fused elementwise.
 *
 * <p>It applies only where the pattern's inner values ({@code max}, {@code x - max}, {@code e},
 * {@code sum(e)}) are used by the pattern alone, so no other cotangent flows into them; otherwise
 * the op-by-op rules run.
 */
record Softmax(Value x, Value y, String dim) implements Fused {
  /** {@code op} as the division that ends a softmax, given each value's producer and use count. */
  static Optional<Softmax> match(Op op, Map<Integer, Op> producers, Map<Integer, Integer> uses) {
    if (!(op instanceof Op.Binary div) || div.fn() != Op.BinaryFn.DIV || !div.out().dtype().isFloat()) return Optional.empty();
    Value e = div.lhs(), sum = div.rhs();
    if (!(producers.get(sum.id()) instanceof Op.Reduce s) || s.fn() != Op.ReduceFn.SUM || s.x() != e || s.reducedDims().size() != 1)
      return Optional.empty();
    String dim = s.reducedDims().get(0);
    if (!(producers.get(e.id()) instanceof Op.Unary exp) || exp.fn() != Op.UnaryFn.EXP) return Optional.empty();
    Value shifted = exp.x();
    if (!(producers.get(shifted.id()) instanceof Op.Binary sub) || sub.fn() != Op.BinaryFn.SUB) return Optional.empty();
    Value x = sub.lhs(), max = sub.rhs();
    if (!(producers.get(max.id()) instanceof Op.Reduce m) || m.fn() != Op.ReduceFn.MAX || m.x() != x || !m.reducedDims().equals(List.of(dim)))
      return Optional.empty();
    if (!x.shape().equals(div.out().shape())) return Optional.empty();
    boolean inner = Fused.uses(uses, e) == 2 && Fused.uses(uses, sum) == 1 && Fused.uses(uses, shifted) == 1 && Fused.uses(uses, max) == 1;
    return inner ? Optional.of(new Softmax(x, div.out(), dim)) : Optional.empty();
  }

  @Override
  public Value grad(Value gy, FuncBuilder.Ops o) {
    Value dot = o.reduce(Op.ReduceFn.SUM, o.mul(gy, y), dim);
    return o.mul(y, o.sub(gy, dot));
  }
}
