package dev.switchc.ir.plan;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.Op;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.Value;
import dev.switchc.ir.optim.Optimizer;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What one device holds at its fullest during a step, in bytes, by part. Every part derives from
 * the per-device (sharded) program, like the rest of the plan; the activation peak is an estimate
 * (see {@link ActivationPeak}).
 *
 * @param optimizer the optimizer whose state is counted (user-facing name); empty for a forward-only plan
 * @param keptForBackward of the activation peak, the forward's activations still live when the
 *     backward begins (0 for a forward-only plan)
 * @param inputs the data arguments (tokens, a layer's input, a layer's cotangent)
 */
public record DeviceMemory(Optional<String> optimizer, long parameters, long gradients, long optimizerState, long activationPeak, long keptForBackward,
    long inputs) {
  public long total() {
    return Math.addExact(Math.addExact(Math.addExact(parameters, gradients), Math.addExact(optimizerState, activationPeak)), inputs);
  }

  /** A forward step: the parameters, the inputs and the forward's activation peak. */
  public static DeviceMemory forward(Plan forward) {
    return new DeviceMemory(Optional.empty(), forward.perDevice().parameterBytes(), 0, 0, forward.perDevice().activationPeakBytes(), 0,
        inputBytes(forward));
  }

  /**
   * One training step: the forward and the backward in one sharded program ({@code step}, whose
   * plan is {@code stepPlan}), then the optimizer's update.
   *
   * <p>The activation peak is the liveness peak of the step's per-device program, taken the way
   * the forward plan takes its own ({@link ActivationPeak}): the step program is the forward's ops
   * followed by the backward's, so a forward activation the backward reads stays live until its
   * last use there. The peak therefore counts at once the forward activations kept for the
   * backward and the backward's own live values at its fullest point. The gradients (the step's
   * results named by {@code isGradient}) are left out of it, as they are counted whole as
   * gradients: the optimizer reads all of them after the step.
   *
   * <p>{@code forward} is the forward's per-device program, of which the step's begins with the
   * ops (the same kinds making the same types, in the same order): the values live across the end
   * of those are the forward activations kept for the backward.
   *
   * <p>The optimizer state of a parameter is its slots ({@link Optimizer#slots}) taken on the
   * parameter's per-device type: a slot keeps the parameter's dims (a factored one all but one of
   * them), so it is split where those dims are split and whole where they are whole.
   */
  public static DeviceMemory training(Func forward, ShardedFunc step, Plan stepPlan, Predicate<String> isGradient, Optimizer optimizer,
      String optimizerName) {
    int boundary = forward.body().size();
    List<Op> ops = step.local().body();
    for (int i = 0; i < boundary; i++)
      if (i >= ops.size() || ops.get(i).getClass() != forward.body().get(i).getClass() || !ops.get(i).out().type().equals(forward.body().get(i).out().type()))
        throw new IllegalStateException("the training step's program does not begin with the forward's ops: op " + i + " is "
            + (i < ops.size() ? ops.get(i) : "missing") + ", the forward's " + forward.body().get(i));
    Set<Integer> gradients = new HashSet<>();
    long gradientBytes = 0;
    for (Binding r : step.local().results())
      if (isGradient.test(r.name()) && gradients.add(r.value().id())) gradientBytes += r.value().type().bytes();
    long state = 0;
    for (Plan.Tensor t : stepPlan.tensors())
      if (t.kind() == Plan.Kind.PARAMETER) for (Optimizer.Slot s : optimizer.slots(t.local())) state = Math.addExact(state, s.type().bytes());
    Predicate<Value> activation = v -> !gradients.contains(v.id());
    long peak = ActivationPeak.of(step.local(), activation), kept = ActivationPeak.liveAcross(step.local(), boundary, activation);
    return new DeviceMemory(Optional.of(optimizerName), stepPlan.perDevice().parameterBytes(), gradientBytes, state, peak, kept, inputBytes(stepPlan));
  }

  private static long inputBytes(Plan p) {
    return p.tensors().stream().filter(t -> t.kind() == Plan.Kind.INPUT).mapToLong(Plan.Tensor::localBytes).sum();
  }
}
