package dev.switchc.driver;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.Op;
import dev.switchc.ir.plan.Plan;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The memory a whole run needs, estimated from the plan before anything is allocated, and the
 * check that refuses a run that cannot fit on this machine, with the numbers and the largest
 * parts. Two budgets, because they fail differently:
 *
 * <ul>
 *   <li><b>Java heap</b> (bounded by -Xmx): the host arrays of the parameters, data inputs and
 *       outputs, and for a mesh the per-device copies the host cuts them into and assembles
 *       them from;
 *   <li><b>native memory</b> (bounded by the machine): what XLA holds on the CPU devices of this
 *       process, per device the parameters, inputs and the plan's activation peak (an upper
 *       estimate: XLA fuses element-wise ops and reuses buffers), times the devices; for switchc's
 *       emulation of a mesh the same stacked over the devices, plus its spelt-out collectives,
 *       whose per-device gathers XLA must compile. A PJRT plugin's devices hold their own memory:
 *       only the host side is counted for them (the plan shows the per-device memory).
 * </ul>
 */
public record RunMemory(List<Part> heap, List<Part> nativeParts) {
  /** Where a program runs, as far as this process's memory is concerned. */
  public enum Runtime {
    /** XLA on this process's CPU devices (one, or a mesh through XLA's partitioner). */
    XLA_CPU,
    /** switchc's emulation of the mesh: one XLA CPU program over values stacked across devices. */
    EMULATION,
    /** A PJRT plugin's devices: device memory is the plugin's. */
    PLUGIN
  }

  /** One contributor, in bytes. */
  public record Part(String what, long bytes) {}

  /** What a small run's process holds before its tensors (RSS of a tiny layer's run here: about 0.4 GB). */
  static final long BASELINE_BYTES = 512L << 20;

  /** Measured on this machine: XLA's compile of the emulation's spelt-out collectives takes about this much per device row of a gather. */
  static final long EMULATED_GATHER_ROW_BYTES = 1024;

  public RunMemory {
    heap = List.copyOf(heap);
    nativeParts = List.copyOf(nativeParts);
  }

  /** The estimate for {@code c} run on {@code runtime}. */
  public static RunMemory of(Compilation c, Runtime runtime) {
    Func global = c.global(), local = c.sharded().local();
    Set<String> data = c.dataInputNames();
    long devices = c.program().mesh().value().devices();
    boolean mesh = devices > 1;
    List<Part> heap = new ArrayList<>(), nat = new ArrayList<>();

    // Each global host array is held twice at its peak: the caller's, and the runtime's copy
    // (HostTensor copies on the way in, and the result is copied out for the caller).
    long hostParams = 0;
    for (Binding p : global.params())
      if (data.contains(p.name())) heap.add(new Part("input '" + p.name() + "' (host arrays: the caller's and the runtime's)", 2 * hostBytes(p)));
      else hostParams += 2 * hostBytes(p);
    heap.add(new Part("parameters (host arrays: the caller's and the runtime's)", hostParams));
    for (Binding r : global.results()) heap.add(new Part("output '" + r.name() + "' (host arrays: the runtime's and the caller's)", 2 * hostBytes(r)));
    if (mesh) {
      long in = 0, out = 0;
      for (Binding p : local.params()) in += hostBytes(p);
      for (Binding r : local.results()) out += hostBytes(r);
      heap.add(new Part("per-device copies of parameters and inputs (host, " + devices + " devices)", Math.multiplyExact(devices, in)));
      heap.add(new Part("per-device outputs (host, " + devices + " devices)", Math.multiplyExact(devices, out)));
    }

    nat.add(new Part("JVM, TensorFlow and XLA libraries (measured)", BASELINE_BYTES));
    if (runtime != Runtime.PLUGIN) {
      Plan.Device d = c.plan().perDevice();
      long inputs = 0;
      for (Binding p : local.params()) if (data.contains(p.name())) inputs += p.value().type().bytes();
      String on = mesh ? " on " + devices + " devices" : "";
      String xla = runtime == Runtime.EMULATION ? "XLA, emulated mesh: " : "XLA: ";
      nat.add(new Part(xla + "parameters" + on, Math.multiplyExact(devices, d.parameterBytes())));
      nat.add(new Part(xla + "inputs" + on, Math.multiplyExact(devices, inputs)));
      nat.add(new Part(xla + "activation peak" + on + " (upper estimate" + largestValue(local) + ")", Math.multiplyExact(devices, d.activationPeakBytes())));
      if (!mesh) {
        // One device runs through TensorFlow's XlaCallModule, which hands the results over as TensorFlow tensors.
        long outputs = 0;
        for (Binding r : global.results()) outputs += r.value().type().bytes();
        nat.add(new Part("TensorFlow's tensors of the outputs", outputs));
      }
      if (runtime == Runtime.EMULATION) {
        // The emulation is one TensorFlow program over stacked values: its outputs come back as
        // TensorFlow tensors, and each collective is spelt out as per-member slices of its stacked
        // operand and their concatenation, twice the operand beside it.
        long outputs = 0, pieces = 0;
        for (Binding r : local.results()) outputs += r.value().type().bytes();
        for (Plan.Collective col : c.plan().collectives()) pieces = Math.max(pieces, 2 * col.localBytes());
        nat.add(new Part("TensorFlow's tensors of the stacked outputs", Math.multiplyExact(devices, outputs)));
        nat.add(new Part("XLA, emulated mesh: the largest collective's slices and concatenation", Math.multiplyExact(devices, pieces)));
        long rows = 0;
        for (Plan.Collective col : c.plan().collectives()) rows = Math.addExact(rows, Math.multiplyExact((long) col.groupSize(), devices));
        nat.add(new Part("XLA, emulated mesh: compiling " + c.plan().collectives().size() + " collectives spelt out per device",
            Math.multiplyExact(rows, EMULATED_GATHER_ROW_BYTES)));
      }
    }
    return new RunMemory(heap, nat);
  }

  /** "; largest value f32[experts=8, ...] (the einsum at layer.swc:3:1)": what to shrink. */
  private static String largestValue(Func f) {
    Op largest = null;
    for (Op op : f.body()) if (largest == null || op.out().type().bytes() > largest.out().type().bytes()) largest = op;
    if (largest == null) return "";
    String where = largest.loc().what().isEmpty() ? "" : " (" + largest.loc().what() + ")";
    return "; largest value " + largest.out().type() + " " + gib(largest.out().type().bytes()) + where;
  }

  public long heapBytes() {
    return heap.stream().mapToLong(Part::bytes).sum();
  }

  public long nativeBytes() {
    return nativeParts.stream().mapToLong(Part::bytes).sum();
  }

  /** The machine a run is checked against: the JVM's heap limit, physical memory and what is available now. */
  public record Machine(long maxHeap, long physical, long available) {
    public static Machine current() {
      long physical = physicalMemory();
      return new Machine(java.lang.Runtime.getRuntime().maxMemory(), physical, availableMemory(physical));
    }
  }

  /**
   * Refuses {@code c} when a host array would exceed Java's array limit, when the host arrays do
   * not fit in the heap, or when heap and native memory together exceed the memory available.
   *
   * @throws UserInputError with the numbers, the largest parts and what to change
   */
  public static void check(Compilation c, Runtime runtime) {
    for (Binding p : c.global().params())
      if (p.value().shape().elements() > Integer.MAX_VALUE - 8)
        throw new UserInputError(String.format(Locale.ROOT, "%s '%s' %s has %d elements, more than a host array can hold (2^31 - 1);"
            + " reduce its sizes, or compile and plan without running (switchc compile, switchc plan)",
            c.dataInputNames().contains(p.name()) ? "input" : "parameter", p.name(), p.value().shape(), p.value().shape().elements()));
    for (Binding r : c.global().results())
      if (r.value().shape().elements() > Integer.MAX_VALUE - 8)
        throw new UserInputError(String.format(Locale.ROOT, "output '%s' %s has %d elements, more than a host array can hold (2^31 - 1);"
            + " reduce its sizes, or compile and plan without running", r.name(), r.value().shape(), r.value().shape().elements()));
    of(c, runtime).check(Machine.current());
  }

  /** Refuses this estimate on {@code m}; see {@link #check(Compilation, Runtime)}. */
  public void check(Machine m) {
    long heapNeed = heapBytes(), nativeNeed = nativeBytes(), total = heapNeed + nativeNeed;
    // The heap holds more than the arrays (the compiled program, the JVM's own): a margin.
    long heapWithMargin = heapNeed + heapNeed / 8 + (256L << 20);
    if (total > m.available())
      throw new UserInputError(String.format(Locale.ROOT, "this run needs about %s of memory, more than the %s available on this machine (%s in all): %s;"
          + " use smaller sizes (batch, seq, d_model, d_ff, experts, layers) or a smaller mesh, or plan and compile without running"
          + " (switchc plan, switchc compile)", gib(total), gib(m.available()), gib(m.physical()), largest()));
    if (heapWithMargin > m.maxHeap()) {
      long suggest = (heapWithMargin + (1L << 30) - 1) >> 30; // whole GiB
      boolean fits = (suggest << 30) + nativeNeed <= m.available();
      throw new UserInputError(String.format(Locale.ROOT, "this run needs about %s of Java heap for its host arrays, more than the JVM's limit of %s: %s; %s",
          gib(heapWithMargin), gib(m.maxHeap()), largest(), fits
              ? "give the JVM more heap, e.g. JAVA_OPTS=-Xmx" + suggest + "g (this machine has " + gib(m.available()) + " available), or use smaller sizes"
              : "that much heap and the " + gib(nativeNeed) + " XLA needs beside it do not fit in the " + gib(m.available())
                  + " available on this machine: use smaller sizes (batch, seq, d_model, d_ff, experts, layers) or a smaller mesh"));
    }
  }

  /** The largest parts, for a message: "activation peak 6.0 GiB, input 'x' 3.0 GiB, ...". */
  String largest() {
    List<Part> all = new ArrayList<>(heap);
    all.addAll(nativeParts);
    all.sort(Comparator.comparingLong(Part::bytes).reversed());
    List<String> shown = new ArrayList<>();
    for (Part p : all.subList(0, Math.min(4, all.size()))) if (p.bytes() > 0) shown.add(p.what() + " " + gib(p.bytes()));
    return "largest parts: " + String.join(", ", shown);
  }

  static String gib(long bytes) {
    return bytes >= (1L << 30) || bytes == 0 ? String.format(Locale.ROOT, "%.1f GiB", bytes / 1073741824.0)
        : String.format(Locale.ROOT, "%.0f MiB", Math.ceil(bytes / 1048576.0));
  }

  /** Host arrays hold 4 bytes per element (float or int) whatever the tensor's dtype on the device. */
  private static long hostBytes(Binding b) {
    return Math.multiplyExact(b.value().shape().elements(), 4L);
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
    return java.lang.Runtime.getRuntime().maxMemory();
  }

  /** MemAvailable of /proc/meminfo (Linux's estimate of what can be allocated without swapping), else the free memory. */
  private static long availableMemory(long physical) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
        if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getFreeMemorySize();
    return physical;
  }
}
