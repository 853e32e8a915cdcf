package dev.switchc.ir.optim;

import dev.switchc.ir.DType;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import java.util.List;
import java.util.Map;

/**
 * An optimizer as IR: the state it keeps per parameter (static shapes, so a training step is one
 * compiled program) and the ops that turn a parameter, its gradient, its state and the step number
 * into the new parameter and state. Builders only append ops; they never read values.
 */
public sealed interface Optimizer permits Adafactor, AdamW {
  /** One state tensor of a parameter: its name (unique per parameter) and type. */
  record Slot(String name, TensorType type) {}

  /** A parameter's new value and its new state by slot name. */
  record Update(Value param, Map<String, Value> state) {}

  /** The state tensors kept for a parameter of type {@code param}; all start at zero. */
  List<Slot> slots(TensorType param);

  /**
   * Appends the update of one parameter.
   *
   * @param state the current state by {@link Slot#name()}
   * @param step the 1-based number of this update, an i32 scalar
   */
  Update update(FuncBuilder.Ops o, Value param, Value grad, Map<String, Value> state, Value step);

  /** The root mean square of every element of {@code x}, a scalar. */
  static Value rms(FuncBuilder.Ops o, Value x) {
    Value sumSquares = o.reduce(Op.ReduceFn.SUM, o.mul(x, x), x.shape().names().toArray(String[]::new));
    return o.unary(Op.UnaryFn.SQRT, o.mul(sumSquares, o.scalar(1.0 / x.shape().elements(), x.dtype())));
  }

  /** {@code base^exponent} for a positive scalar base, as exp(exponent * log(base)): the IR has no power op. */
  static Value pow(FuncBuilder.Ops o, Value base, Value exponent) {
    return o.unary(Op.UnaryFn.EXP, o.mul(exponent, o.unary(Op.UnaryFn.LOG, base)));
  }

  /** The step as a float scalar of {@code dtype}. */
  static Value stepAs(FuncBuilder.Ops o, Value step, DType dtype) {
    if (step.dtype() != DType.I32 || step.shape().rank() != 0) throw new IllegalArgumentException("the step must be an i32 scalar, got " + step.type());
    return o.cast(step, dtype);
  }
}
