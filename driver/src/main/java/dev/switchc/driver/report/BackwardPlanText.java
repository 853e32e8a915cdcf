package dev.switchc.driver.report;

/** The backward of a training step as text, for {@code switchc plan --train}: see {@link Backward}. */
public final class BackwardPlanText {
  private BackwardPlanText() {}

  public static String render(Backward b) {
    StringBuilder sb = new StringBuilder();
    sb.append("\nbackward (").append(b.gradients()).append(b.gradients() == 1 ? " gradient" : " gradients")
        .append(" of the training loss, one per float argument, sharded by the same rules)\n");
    sb.append("  gradients         ").append(Units.bytes(b.gradientBytesPerDevice())).append(" per device (all devices: ").append(Units.bytes(b.gradientBytes()))
        .append(", each laid out as its parameter)\n");
    sb.append("\nbackward collectives (after the forward's)\n");
    PlanText.collectives(sb, b.collectives(), b.bytesSentByKind());
    return sb.toString();
  }
}
