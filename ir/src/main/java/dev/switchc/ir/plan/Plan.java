package dev.switchc.ir.plan;

import dev.switchc.ir.DType;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.RuleOrigin;
import dev.switchc.ir.TensorType;
import java.util.List;
import java.util.Map;

/**
 * The sharding plan users read before they run: where every tensor lives, what each device holds
 * and computes, and every collective with its bytes. Built by {@link PlanBuilder} from the
 * sharding pass's output; rendered as text, JSON, protobuf and HTML by the CLI.
 *
 * @param facts program-level facts in display order (expert capacity, groups per device, ...)
 * @param parts per-device compute and communication of each part of a model ({@code encoder/layer_003},
 *     ...), in program order; empty for a lone layer
 */
public record Plan(String program, Mesh mesh, List<Rule> rules, Map<String, String> facts, List<Tensor> tensors, Device perDevice,
    List<Collective> collectives, List<Part> parts) {
  public Plan {
    rules = List.copyOf(rules);
    facts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facts));
    tensors = List.copyOf(tensors);
    collectives = List.copyOf(collectives);
    parts = List.copyOf(parts);
  }

  /** A plan without parts (a lone layer). */
  public Plan(String program, Mesh mesh, List<Rule> rules, Map<String, String> facts, List<Tensor> tensors, Device perDevice,
      List<Collective> collectives) {
    this(program, mesh, rules, facts, tensors, perDevice, collectives, List.of());
  }

  /** One part of a model, on each device, for one forward step: FLOPs, and bytes its collectives send. */
  public record Part(String name, long flops, long bytesSent) {}

  /**
   * Subtotals per layer: the parts' compute and communication, with the parameters whose names
   * fall in each ({@link #parametersByLayer}); parameter groups without ops ({@code shared}) come first.
   */
  public List<LayerTotal> layerTotals() {
    Map<String, Subtotal> params = parametersByLayer();
    Map<String, LayerTotal> rows = new java.util.LinkedHashMap<>();
    for (String name : params.keySet())
      if (parts.stream().noneMatch(p -> p.name().equals(name))) rows.put(name, new LayerTotal(name, params.get(name), 0, 0));
    for (Part p : parts) rows.put(p.name(), new LayerTotal(p.name(), params.getOrDefault(p.name(), new Subtotal(0, 0, 0)), p.flops(), p.bytesSent()));
    return List.copyOf(rows.values());
  }

  /** A row of {@link #layerTotals()}. */
  public record LayerTotal(String name, Subtotal parameters, long flops, long bytesSent) {}

  /** Parameters of the whole program (all devices together): elements. */
  public long parameterCount() {
    return tensors.stream().filter(t -> t.kind() == Kind.PARAMETER).mapToLong(t -> t.global().shape().elements()).sum();
  }

  /** Parameters of the whole program: bytes. */
  public long parameterBytes() {
    return tensors.stream().filter(t -> t.kind() == Kind.PARAMETER).mapToLong(t -> t.global().bytes()).sum();
  }

  /**
   * Parameter subtotals by the part of the program that declares them, in program order: a
   * parameter of layer {@code encoder/layer_003} counts for it, one of a stack ({@code encoder}) or of
   * the shared embedding ({@code shared}) for that. Empty unless the program has parts (a whole model).
   */
  public Map<String, Subtotal> parametersByLayer() {
    Map<String, Subtotal> m = new java.util.LinkedHashMap<>();
    for (Tensor t : tensors) {
      if (t.kind() != Kind.PARAMETER || t.part().isEmpty()) continue;
      m.merge(t.part(), new Subtotal(t.global().shape().elements(), t.global().bytes(), t.localBytes()), Subtotal::plus);
    }
    return m;
  }

  /** Parameters of one group: elements and bytes over all devices, and bytes on each device. */
  public record Subtotal(long parameters, long bytes, long bytesPerDevice) {
    Subtotal plus(Subtotal o) {
      return new Subtotal(parameters + o.parameters, bytes + o.bytes, bytesPerDevice + o.bytesPerDevice);
    }
  }

  /** Bytes each device sends per step, by collective kind, in first-seen order. */
  public Map<CollectiveKind, Long> bytesSentByKind() {
    Map<CollectiveKind, Long> m = new java.util.LinkedHashMap<>();
    for (Collective c : collectives) m.merge(c.kind(), c.bytesSentPerDevice(), Long::sum);
    return m;
  }

  /** A layout rule, how it came to be ({@code origin}) and where ({@code source}: a spec line, a flag, a DSL call, or the defaults). */
  public record Rule(String dim, List<String> axes, RuleOrigin origin, String source) {}

  public enum Kind { PARAMETER, INPUT, RESULT, ACTIVATION }

  /**
   * One tensor: its global type, the axes each dim is split over, the per-device type and bytes.
   * {@code partialOver}: axes over which a device holds only a partial sum (before an all-reduce).
   * {@code part}: the part of the program that makes or declares it ({@code encoder/layer_003}; empty for a lone layer).
   */
  public record Tensor(String name, Kind kind, TensorType global, Map<String, List<String>> split, List<String> partialOver,
      TensorType local, long localBytes, String source, String part) {}

  /**
   * Per-device totals: parameter bytes; the peak of live activation bytes over the program order
   * (an estimate: XLA may fuse away or reuse buffers); FLOPs of one forward step (2 per
   * multiply-add of an einsum, 1 per element of other arithmetic; data movement counts none).
   */
  public record Device(long parameterBytes, long activationPeakBytes, long flops) {}

  /**
   * One collective. {@code localBytes}: the per-device operand. {@code bytesSentPerDevice}: what
   * each device sends over the network: (k-1)/k of its operand for an all-to-all, (k-1) times it
   * for an all-gather, 2(k-1)/k of it for an all-reduce (ring), with k = {@code groupSize}.
   */
  public record Collective(CollectiveKind kind, List<String> axes, int groupSize, DType dtype, TensorType local, long localBytes,
      long bytesSentPerDevice, String source, List<List<Integer>> replicaGroups) {}

  /** The rules of {@code layout} for the dims that occur in the program, in the order given. */
  public static List<Rule> rules(Layout layout, List<String> dims) {
    return dims.stream().map(d -> new Rule(d, layout.axes(d), layout.originOf(d), layout.whereOf(d).line() > 0 ? layout.whereOf(d) + " " + layout.whereOf(d).what()
        : layout.whereOf(d).what().isEmpty() ? "default" : layout.whereOf(d).what())).toList();
  }
}
