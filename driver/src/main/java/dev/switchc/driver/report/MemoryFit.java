package dev.switchc.driver.report;

import dev.switchc.driver.DeviceCapacity;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.plan.DeviceMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Whether a step's memory per device fits a device, and if not, the message that refuses the plan. */
public final class MemoryFit {
  private MemoryFit() {}

  /**
   * Empty when {@code m} fits in {@code cap}; otherwise one message with the total, its parts, the
   * device's memory and what would make it fit, the larger part's remedy first.
   */
  public static Optional<String> refusal(String program, Mesh mesh, DeviceMemory m, DeviceCapacity cap) {
    if (m.total() <= cap.bytes()) return Optional.empty();
    String step = m.optimizer().isPresent() ? "one training step" : "one forward step";
    StringBuilder sb = new StringBuilder();
    sb.append(step).append(" of ").append(program).append(" on mesh ").append(mesh).append(" (").append(mesh.devices())
        .append(mesh.devices() == 1 ? " device" : " devices").append(") needs ").append(exact(m.total())).append(" per device, more than the device's ")
        .append(exact(cap.bytes())).append(" (").append(cap.name()).append("): ").append(parts(m)).append(". ");
    long weights = m.parameters() + m.gradients() + m.optimizerState(), data = m.activationPeak() + m.inputs();
    String weightFix = "split the weights over more devices (a larger expert or model axis in --mesh, with the weights' dims laid out over it by"
        + " --layout; the weights alone" + (m.optimizer().isPresent() ? " with their gradients and optimizer state" : "") + " are "
        + Units.bytes(weights) + (weights > cap.bytes() ? ", more than the device holds" : "") + ")"
        + (m.optimizer().filter("adamw"::equals).isPresent() ? ", or train with --optimizer adafactor (factored second moments, no first moment)" : "");
    String dataFix = "use a smaller batch (--set batch=N) or more devices on the axes the batch is split over (e.g. a larger data axis in --mesh;"
        + " the activations and inputs are " + Units.bytes(data) + ")";
    List<String> fixes = new ArrayList<>(weights >= data ? List.of(weightFix, dataFix) : List.of(dataFix, weightFix));
    sb.append("To fit: ").append(String.join("; or ", fixes)).append('.');
    return Optional.of(sb.toString());
  }

  /** The parts of {@code m} as a sum: {@code parameters 1.00 GiB + ... = 3.00 GiB}. */
  static String parts(DeviceMemory m) {
    List<String> terms = new ArrayList<>();
    terms.add("parameters " + Units.bytes(m.parameters()));
    if (m.optimizer().isPresent()) {
      terms.add("gradients " + Units.bytes(m.gradients()));
      terms.add("optimizer state (" + m.optimizer().get() + ") " + Units.bytes(m.optimizerState()));
    }
    terms.add("activation peak " + Units.bytes(m.activationPeak()));
    terms.add("inputs " + Units.bytes(m.inputs()));
    return String.join(" + ", terms) + " = " + Units.bytes(m.total());
  }

  /** Bytes for a person and exactly: {@code 16.00 GiB (17179869184 B)}. */
  static String exact(long bytes) {
    return bytes < 1024 ? Units.bytes(bytes) : Units.bytes(bytes) + " (" + bytes + " B)";
  }
}
