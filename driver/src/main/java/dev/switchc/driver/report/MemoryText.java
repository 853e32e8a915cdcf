package dev.switchc.driver.report;

import dev.switchc.driver.DeviceCapacity;
import dev.switchc.ir.plan.DeviceMemory;
import java.util.Optional;

/** The memory per device as text, after the plan (and the backward, for a training step). */
public final class MemoryText {
  private MemoryText() {}

  public static String render(DeviceMemory m, Optional<DeviceCapacity> cap) {
    StringBuilder sb = new StringBuilder();
    boolean train = m.optimizer().isPresent();
    sb.append(train ? "\nmemory per device, one training step (optimizer " + m.optimizer().get() + "; an estimate)\n"
        : "\nmemory per device, one forward step (an estimate)\n");
    sb.append("  parameters        ").append(Units.bytes(m.parameters())).append('\n');
    if (train) {
      sb.append("  gradients         ").append(Units.bytes(m.gradients())).append(" (each laid out as its argument)\n");
      sb.append("  optimizer state   ").append(Units.bytes(m.optimizerState())).append(" (").append(m.optimizer().get())
          .append("'s slots, each split where its parameter's dims are)\n");
      sb.append("  activation peak   ").append(Units.bytes(m.activationPeak()))
          .append(" (live values of the step in program order: forward activations kept for the backward, and the backward's)\n");
      sb.append("    kept from the forward ").append(Units.bytes(m.keptForBackward())).append(" (live when the backward begins)\n");
    } else {
      sb.append("  activation peak   ").append(Units.bytes(m.activationPeak())).append(" (live values in program order)\n");
    }
    sb.append("  inputs            ").append(Units.bytes(m.inputs())).append('\n');
    sb.append("  total             ").append(Units.bytes(m.total())).append('\n');
    cap.ifPresent(c -> sb.append("  device memory     ").append(Units.bytes(c.bytes())).append(" (").append(c.name()).append("): fits, ")
        .append(Units.bytes(c.bytes() - m.total())).append(" to spare\n"));
    return sb.toString();
  }
}
