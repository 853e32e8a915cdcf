package dev.switchc.driver;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.Op;
import dev.switchc.ir.Value;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Refuses, with a clear message, a run whose tensors cannot fit on this machine, before anything
 * is allocated: a float array beyond Java's 2^31 - 1 elements, or a tensor (parameter, input or
 * an intermediate such as the dispatched [experts, group, capacity, d_model] buffer) larger than a
 * quarter of physical memory. Without this, such a spec ends in an OutOfMemoryError or a native
 * allocation failure inside XLA.
 */
public final class MemoryBudget {
  private MemoryBudget() {}

  /**
   * For a mesh run, the CPU emulation holds every device's copy of every per-device value at once
   * ([devices, local...]), so the check is on those stacked sizes.
   */
  public static void check(dev.switchc.ir.ShardedFunc s) {
    if (s.mesh().devices() == 1) {
      check(s.global());
      return;
    }
    check(s.global());
    long physical = physicalMemory(), devices = s.mesh().devices();
    for (Op op : s.local().body()) {
      long stacked = devices * op.out().type().bytes();
      if (stacked > physical / 4)
        throw new UserInputError(String.format(Locale.ROOT, "emulating this %d-device mesh needs %.1f GiB for one value (%s %s on each device,"
            + " %s), more than a quarter of this machine's %.1f GiB; use a smaller mesh or layer, or compile and plan without running",
            devices, stacked / 1073741824.0, op.out(), op.out().type(), op.loc().what(), physical / 1073741824.0));
    }
  }

  public static void check(Func f) {
    long physical = physicalMemory();
    Value largest = null;
    String largestName = null;
    for (Binding p : f.params()) if (largest == null || p.value().type().bytes() > largest.type().bytes()) {
      largest = p.value();
      largestName = "parameter '" + p.name() + "'";
    }
    for (Op op : f.body()) if (op.out().type().bytes() > largest.type().bytes()) {
      largest = op.out();
      largestName = "intermediate " + op.out() + " (" + op.loc().what() + ")";
    }
    for (Binding p : f.params())
      if (p.value().shape().elements() > Integer.MAX_VALUE - 8)
        throw new UserInputError(String.format(Locale.ROOT, "parameter '%s' %s has %d elements, more than a host array can hold (2^31 - 1);"
            + " reduce its sizes, or compile without running (switchc compile)", p.name(), p.value().shape(), p.value().shape().elements()));
    long parameterBytes = 0;
    for (Binding p : f.params()) parameterBytes += p.value().type().bytes();
    // The host arrays and the runtime's copies of every parameter are alive together.
    if (parameterBytes > physical / 4)
      throw new UserInputError(String.format(Locale.ROOT, "running this program needs its %d inputs and parameters, %.1f GiB together, more"
          + " than a quarter of this machine's %.1f GiB of memory; use a smaller model (e.g. --preset tiny-switch) or --set smaller sizes,"
          + " or plan and compile without running (switchc plan, switchc compile)", f.params().size(), parameterBytes / 1073741824.0,
          physical / 1073741824.0));
    if (largest.type().bytes() > physical / 4)
      throw new UserInputError(String.format(Locale.ROOT, "running this program needs the %s %s of %.1f GiB, more than a quarter of this"
          + " machine's %.1f GiB of memory; reduce batch/seq/d_model/d_ff/experts or min_capacity, or compile without running (switchc compile)",
          largestName, largest.type(), largest.type().bytes() / 1073741824.0, physical / 1073741824.0));
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
    return Runtime.getRuntime().maxMemory();
  }
}
