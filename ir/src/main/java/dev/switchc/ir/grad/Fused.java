package dev.switchc.ir.grad;

import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Value;
import java.util.Map;
import java.util.Optional;

/**
 * A pattern of several ops that {@link Grad} differentiates as one: the cotangent of the pattern's
 * input {@code x} from that of its last op's result, the inner values getting none. Each pattern
 * matches only where its inner values are used by the pattern alone.
 */
sealed interface Fused permits Softmax, LogSumExp {
  /** The pattern's input. */
  Value x();

  /** The cotangent of {@link #x()} given that of the pattern's result. */
  Value grad(Value gy, FuncBuilder.Ops o);

  /** The pattern that {@code op} ends, given each value's producer and use count (a result counts as a use). */
  static Optional<Fused> match(Op op, Map<Integer, Op> producers, Map<Integer, Integer> uses) {
    Optional<Fused> s = Softmax.match(op, producers, uses).map(f -> f);
    return s.isPresent() ? s : LogSumExp.match(op, producers, uses).map(f -> f);
  }

  static int uses(Map<Integer, Integer> uses, Value v) {
    return uses.getOrDefault(v.id(), 0);
  }
}
