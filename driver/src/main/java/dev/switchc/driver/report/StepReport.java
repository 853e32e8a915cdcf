package dev.switchc.driver.report;

import dev.switchc.driver.DeviceCapacity;
import dev.switchc.ir.plan.DeviceMemory;
import java.util.Optional;

/**
 * What a plan shows beside the forward's tables, in every format: the backward of a training step
 * ({@code switchc plan --train}), the memory per device (with {@code --train} or
 * {@code --device-memory}) and the device memory it was checked against. A plain forward plan has
 * none of them, so its output stays what it was.
 */
public record StepReport(Optional<Backward> backward, Optional<DeviceMemory> memory, Optional<DeviceCapacity> capacity) {
  public static final StepReport NONE = new StepReport(Optional.empty(), Optional.empty(), Optional.empty());
}
