package dev.switchc.ir.optim;

import dev.switchc.ir.DType;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2) with
 * Adam's bias correction (Kingma and Ba 2015, Algorithm 1):
 * {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr_t (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + wd p)}.
 * The decay multiplies the old parameter by the scheduled rate, as in PyTorch's {@code AdamW}
 * (whose defaults beta1 0.9, beta2 0.999, eps 1e-8 are Adam's). Weight decay applies to every parameter.
 */
public record AdamW(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, Schedule schedule, long warmupSteps)
    implements Optimizer {
  /** How the learning rate changes with the step. */
  public enum Schedule {
    /** {@code lr} at every step. */
    CONSTANT,
    /** {@code lr * min(t / w, sqrt(w / t))}: linear warm-up to {@code lr} at step w, then inverse square root decay. */
    LINEAR_WARMUP_RSQRT
  }

  public AdamW {
    if (schedule == Schedule.LINEAR_WARMUP_RSQRT && warmupSteps < 1) throw new IllegalArgumentException("warm-up needs at least one step, got " + warmupSteps);
  }

  public static AdamW of(double learningRate, double weightDecay, Schedule schedule, long warmupSteps) {
    return new AdamW(learningRate, 0.9, 0.999, 1e-8, weightDecay, schedule, warmupSteps);
  }

  public static final String M = "m", V = "v";

  @Override
  public List<Slot> slots(TensorType param) {
    return List.of(new Slot(M, param), new Slot(V, param));
  }

  @Override
  public Update update(FuncBuilder.Ops o, Value param, Value grad, Map<String, Value> state, Value step) {
    DType dt = param.dtype();
    Value t = Optimizer.stepAs(o, step, dt);
    Value one = o.scalar(1, dt);
    Value m = o.add(o.mul(state.get(M), o.scalar(beta1, dt)), o.mul(grad, o.scalar(1 - beta1, dt)));
    Value v = o.add(o.mul(state.get(V), o.scalar(beta2, dt)), o.mul(o.mul(grad, grad), o.scalar(1 - beta2, dt)));
    Value mHat = o.div(m, o.sub(one, Optimizer.pow(o, o.scalar(beta1, dt), t)));
    Value vHat = o.div(v, o.sub(one, Optimizer.pow(o, o.scalar(beta2, dt), t)));
    Value direction = o.add(o.div(mHat, o.add(o.unary(Op.UnaryFn.SQRT, vHat), o.scalar(epsilon, dt))), o.mul(param, o.scalar(weightDecay, dt)));
    Value next = o.sub(param, o.mul(direction, rate(o, t)));
    Map<String, Value> state2 = new LinkedHashMap<>();
    state2.put(M, m);
    state2.put(V, v);
    return new Update(next, state2);
  }

  private Value rate(FuncBuilder.Ops o, Value t) {
    DType dt = t.dtype();
    Value lr = o.scalar(learningRate, dt);
    if (schedule == Schedule.CONSTANT) return lr;
    Value warm = o.mul(t, o.scalar(1.0 / warmupSteps, dt));
    Value decay = o.mul(o.unary(Op.UnaryFn.RSQRT, t), o.scalar(Math.sqrt(warmupSteps), dt));
    return o.mul(lr, o.binary(Op.BinaryFn.MIN, warm, decay));
  }
}
