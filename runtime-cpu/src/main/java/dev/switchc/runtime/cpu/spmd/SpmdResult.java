package dev.switchc.runtime.cpu.spmd;

import dev.switchc.runtime.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * One run of an emulated SPMD program, by output name in signature order: {@code global} the
 * outputs assembled by the module's result shardings (the global signature's types);
 * {@code stacked} every device's output stacked {@code [device=N, local...]}; {@code perDevice}
 * the same split by device ({@code perDevice.get(d)} is what device d returned, local shapes under
 * the global dims' names).
 */
public record SpmdResult(Map<String, HostTensor> global, Map<String, HostTensor> stacked, List<Map<String, HostTensor>> perDevice) {
  public SpmdResult {
    global = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(global));
    stacked = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stacked));
    perDevice = perDevice.stream().map(m -> java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m))).toList();
  }

  public int devices() {
    return perDevice.size();
  }

  /** What device {@code d} returned, by output name. */
  public Map<String, HostTensor> device(int d) {
    return perDevice.get(d);
  }
}
