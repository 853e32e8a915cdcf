package dev.switchc.driver.report;

import dev.switchc.ir.plan.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The plan as fixed-width text tables, for a terminal. */
public final class PlanText {
  private PlanText() {}

  public static String render(Plan p) {
    StringBuilder sb = new StringBuilder();
    sb.append("sharding plan: ").append(p.program()).append(" on mesh ").append(p.mesh()).append(" (").append(p.mesh().devices()).append(p.mesh().devices() == 1 ? " device)\n" : " devices)\n");
    for (Map.Entry<String, String> f : p.facts().entrySet()) sb.append("  ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');

    sb.append("\nlayout rules (dim -> mesh axes, major first)\n");
    List<String[]> rules = new ArrayList<>();
    rules.add(new String[] {"dim", "axes", "from"});
    for (Plan.Rule r : p.rules()) rules.add(new String[] {r.dim(), r.axes().isEmpty() ? "-" : String.join("+", r.axes()), r.source()});
    table(sb, rules);

    sb.append("\ntensors (per-device shape and bytes on every device)\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"name", "kind", "global", "layout", "per device", "bytes/device"});
    for (Plan.Tensor t : p.tensors())
      rows.add(new String[] {t.name(), t.kind().name().toLowerCase(java.util.Locale.ROOT), t.global().toString(), layout(t), dims(t.local()),
          Units.bytes(t.localBytes())});
    table(sb, rows);

    sb.append("\nper device, one forward step\n");
    sb.append("  parameters        ").append(Units.bytes(p.perDevice().parameterBytes())).append(" (all devices: ").append(p.parameterCount())
        .append(" parameters, ").append(Units.bytes(p.parameterBytes())).append(")\n");
    sb.append("  activation peak   ").append(Units.bytes(p.perDevice().activationPeakBytes())).append(" (estimate: live values in program order)\n");
    sb.append("  compute           ").append(Units.flops(p.perDevice().flops())).append('\n');
    if (!p.layerTotals().isEmpty()) {
      sb.append("\nparameters by layer (with each layer's compute and communication per device, one forward step)\n");
      List<String[]> rows2 = new ArrayList<>();
      rows2.add(new String[] {"layer", "parameters", "bytes (all devices)", "bytes/device", "compute/device", "sent/device"});
      for (Plan.LayerTotal t : p.layerTotals())
        rows2.add(new String[] {t.name(), Long.toString(t.parameters().parameters()), Units.bytes(t.parameters().bytes()),
            Units.bytes(t.parameters().bytesPerDevice()), Units.flops(t.flops()), Units.bytes(t.bytesSent())});
      table(sb, rows2);
    }

    sb.append("\ncollectives\n");
    collectives(sb, p.collectives(), p.bytesSentByKind());
    return sb.toString();
  }

  /** The collectives' table and the bytes each device sends per step by kind; a line saying so when there are none. */
  static void collectives(StringBuilder sb, List<Plan.Collective> collectives, Map<dev.switchc.ir.plan.CollectiveKind, Long> sentByKind) {
    if (collectives.isEmpty()) {
      sb.append("  none: every op runs on local data\n");
      return;
    }
    List<String[]> cs = new ArrayList<>();
    cs.add(new String[] {"kind", "axes", "group", "dtype", "operand per device", "operand bytes", "sent per device", "from"});
    for (Plan.Collective c : collectives)
      cs.add(new String[] {c.kind().spelling(), String.join("+", c.axes()), Integer.toString(c.groupSize()), c.dtype().specName(), dims(c.local()),
          Units.bytes(c.localBytes()), Units.bytes(c.bytesSentPerDevice()), c.source()});
    table(sb, cs);
    sb.append("  sent per device per step: ").append(sentByKind.entrySet().stream()
        .map(e -> e.getKey() + " " + Units.bytes(e.getValue())).collect(Collectors.joining(", "))).append('\n');
  }

  static String layout(Plan.Tensor t) {
    String s = t.global().shape().dims().stream().map(d -> {
      List<String> axes = t.split().getOrDefault(d.name(), List.of());
      return axes.isEmpty() ? d.name() : d.name() + "=" + (axes.size() == 1 ? axes.get(0) : "(" + String.join(",", axes) + ")");
    }).collect(Collectors.joining(", ", "[", "]"));
    return t.partialOver().isEmpty() ? s : s + " partial over " + String.join("+", t.partialOver());
  }

  static String dims(dev.switchc.ir.TensorType t) {
    return t.dtype().specName() + t.shape().dims().stream().map(d -> Long.toString(d.size())).collect(Collectors.joining("x", "[", "]"));
  }

  private static void table(StringBuilder sb, List<String[]> rows) {
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < r.length; i++) line.append(String.format("%-" + w[i] + "s", r[i])).append(i + 1 < r.length ? "  " : "");
      sb.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
