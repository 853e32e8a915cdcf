package dev.switchc.driver.report;

import dev.switchc.driver.GradientProgram;
import dev.switchc.ir.plan.CollectiveKind;
import dev.switchc.ir.plan.Plan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward of a training step as text, for {@code switchc plan --train}: what the step's plan
 * (forward plus gradients, sharded by the same pass) adds to the forward's plan. The step's program
 * begins with the forward's ops unchanged, so its first collectives are the forward's; the rest
 * are the backward's: the gradients' all-reduces over the batch-like axes and the reverse
 * all-to-alls of each expert layer. No plan is re-read or re-parsed: both are the compiler's.
 */
public final class BackwardPlanText {
  private BackwardPlanText() {}

  public static String render(Plan forward, Plan step) {
    List<Plan.Collective> all = step.collectives(), fwd = forward.collectives();
    if (all.size() < fwd.size() || !all.subList(0, fwd.size()).equals(fwd))
      throw new IllegalStateException("the training step's program does not begin with the forward's collectives: " + fwd + " vs " + all);
    List<Plan.Collective> backward = all.subList(fwd.size(), all.size());
    long gradients = 0, gradientBytes = 0, globalBytes = 0;
    for (Plan.Tensor t : step.tensors())
      if (t.kind() == Plan.Kind.RESULT && t.name().startsWith(GradientProgram.gradientOf(""))) {
        gradients++;
        gradientBytes += t.localBytes();
        globalBytes += t.global().bytes();
      }
    StringBuilder sb = new StringBuilder();
    sb.append("\nbackward (").append(gradients).append(gradients == 1 ? " gradient" : " gradients")
        .append(" of the training loss, one per float argument, sharded by the same rules)\n");
    sb.append("  gradients         ").append(Units.bytes(gradientBytes)).append(" per device (all devices: ").append(Units.bytes(globalBytes))
        .append(", each laid out as its parameter)\n");
    sb.append("\nbackward collectives (after the forward's)\n");
    Map<CollectiveKind, Long> sent = new LinkedHashMap<>();
    for (Plan.Collective c : backward) sent.merge(c.kind(), c.bytesSentPerDevice(), Long::sum);
    PlanText.collectives(sb, backward, sent);
    return sb.toString();
  }
}
