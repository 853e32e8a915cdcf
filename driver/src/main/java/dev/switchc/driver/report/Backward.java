package dev.switchc.driver.report;

import dev.switchc.driver.GradientProgram;
import dev.switchc.ir.plan.CollectiveKind;
import dev.switchc.ir.plan.Plan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a training step's plan (forward plus gradients, sharded by the same pass) adds to the
 * forward's plan: the gradients and the backward's collectives (the gradients' all-reduces over
 * the batch-like axes, the reverse all-to-alls of each expert layer). The step's program begins
 * with the forward's ops unchanged, so its first collectives are the forward's and the rest are
 * the backward's. No plan is re-read or re-parsed: both are the compiler's.
 *
 * @param gradients how many gradients (one per float argument)
 * @param gradientBytesPerDevice the gradients on one device, each laid out as its argument
 * @param gradientBytes the gradients over all devices (global sizes)
 */
public record Backward(int gradients, long gradientBytesPerDevice, long gradientBytes, List<Plan.Collective> collectives) {
  public Backward {
    collectives = List.copyOf(collectives);
  }

  public static Backward of(Plan forward, Plan step) {
    List<Plan.Collective> all = step.collectives(), fwd = forward.collectives();
    if (all.size() < fwd.size() || !all.subList(0, fwd.size()).equals(fwd))
      throw new IllegalStateException("the training step's program does not begin with the forward's collectives: " + fwd + " vs " + all);
    int gradients = 0;
    long perDevice = 0, global = 0;
    for (Plan.Tensor t : step.tensors())
      if (t.kind() == Plan.Kind.RESULT && t.name().startsWith(GradientProgram.gradientOf(""))) {
        gradients++;
        perDevice += t.localBytes();
        global += t.global().bytes();
      }
    return new Backward(gradients, perDevice, global, all.subList(fwd.size(), all.size()));
  }

  /** Bytes each device sends in the backward, by collective kind, in first-seen order. */
  public Map<CollectiveKind, Long> bytesSentByKind() {
    Map<CollectiveKind, Long> sent = new LinkedHashMap<>();
    for (Plan.Collective c : collectives) sent.merge(c.kind(), c.bytesSentPerDevice(), Long::sum);
    return sent;
  }
}
