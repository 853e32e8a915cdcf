package dev.switchc.driver.report;

import dev.switchc.ir.Dim;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan as one self-contained HTML page: the tables, and for chosen tensors an SVG picture of
 * the mesh (in the spirit of JAX's visualize_array_sharding, for 1-, 2- and 3-axis meshes) where
 * each device cell shows which slice of every split dim it holds; replicas share a colour.
 */
public final class PlanHtml {
  private PlanHtml() {}

  private static final String[] PALETTE = {"#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
      "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#1f78b4", "#b2df8a", "#33a02c"};
  private static final int CELL_W = 190, CELL_H = 72, GAP = 6, PANEL_GAP = 30;

  /** The tensors worth a picture: parameters, the input, results of rank >= 1, and the expert-side dispatched tensors. */
  public static List<String> defaultTensors(Plan p) {
    List<String> names = new ArrayList<>();
    // A model repeats its layers: one picture per distinct tensor type and layout is enough.
    java.util.Set<String> drawn = new java.util.HashSet<>();
    for (Plan.Tensor t : p.tensors())
      if (t.global().shape().rank() > 0 && (t.kind() != Plan.Kind.ACTIVATION || t.name().endsWith(" relabel"))
          && drawn.add(t.global() + " " + t.split())) names.add(t.name());
    return names;
  }

  public static String render(Plan p, List<String> tensorsToDraw) {
    return render(p, tensorsToDraw, StepReport.NONE);
  }

  /** The page, with the backward and the memory per device where {@code r} has them (after the forward's collectives). */
  public static String render(Plan p, List<String> tensorsToDraw, StepReport step) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>switchc plan: ").append(esc(p.program())).append(" on ")
        .append(esc(p.mesh().toString())).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:24px;color:#222} table{border-collapse:collapse;margin:8px 0 20px}")
        .append(" td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px;text-align:left} th{background:#eee}")
        .append(" figure{margin:12px 0 28px} figcaption{font-weight:bold;margin-bottom:6px} .mono{font-family:monospace}\n")
        .append("</style></head><body>\n");
    h.append("<h1>Sharding plan: ").append(esc(p.program())).append("</h1>\n<p>Mesh <b>").append(esc(p.mesh().toString())).append("</b>, ")
        .append(p.mesh().devices()).append(" devices (device id = row-major index over the mesh axes).</p>\n");
    List<String[]> facts = new ArrayList<>();
    p.facts().forEach((k, v) -> facts.add(new String[] {k, v}));
    table(h, new String[] {"fact", "value"}, facts);
    h.append("<h2>Per device, one forward step</h2>\n");
    table(h, new String[] {"parameters", "activation peak (estimate)", "compute"}, List.<String[]>of(new String[] {
        Units.bytes(p.perDevice().parameterBytes()), Units.bytes(p.perDevice().activationPeakBytes()), Units.flops(p.perDevice().flops())}));
    h.append("<h2>Mesh pictures</h2>\n");
    for (String name : tensorsToDraw) {
      Plan.Tensor t = p.tensors().stream().filter(x -> x.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no tensor '" + name + "' in the plan"));
      figure(h, p.mesh(), t);
    }
    h.append("<h2>Layout rules</h2>\n");
    List<String[]> rules = new ArrayList<>();
    for (Plan.Rule r : p.rules()) rules.add(new String[] {r.dim(), r.axes().isEmpty() ? "whole" : String.join(", ", r.axes()), r.source()});
    table(h, new String[] {"dim", "mesh axes (major first)", "from"}, rules);
    h.append("<h2>Collectives</h2>\n");
    List<String[]> cs = new ArrayList<>();
    for (Plan.Collective c : p.collectives())
      cs.add(new String[] {c.kind().spelling(), String.join("+", c.axes()), Integer.toString(c.groupSize()), c.dtype().specName(), PlanText.dims(c.local()),
          Units.bytes(c.localBytes()), Units.bytes(c.bytesSentPerDevice()), c.source()});
    table(h, new String[] {"kind", "axes", "group", "dtype", "operand per device", "operand bytes", "sent per device", "from"}, cs);
    step.backward().ifPresent(b -> backward(h, b));
    step.memory().ifPresent(m -> memory(h, m, step.capacity()));
    h.append("<h2>Tensors</h2>\n");
    List<String[]> ts = new ArrayList<>();
    for (Plan.Tensor t : p.tensors())
      ts.add(new String[] {t.name(), t.kind().name().toLowerCase(java.util.Locale.ROOT), t.global().toString(), PlanText.layout(t),
          PlanText.dims(t.local()), Units.bytes(t.localBytes()), t.source()});
    table(h, new String[] {"name", "kind", "global", "layout", "per device", "bytes/device", "from"}, ts);
    return h.append("</body></html>\n").toString();
  }

  /** The backward's gradients and collectives, with exact bytes beside the readable ones. */
  private static void backward(StringBuilder h, Backward b) {
    h.append("<h2 id=\"backward\">Backward (training step)</h2>\n<p>").append(b.gradients())
        .append(" gradients of the training loss, one per float argument, sharded by the same rules: ").append(esc(Units.bytes(b.gradientBytesPerDevice())))
        .append(" per device (all devices: ").append(esc(Units.bytes(b.gradientBytes()))).append(").</p>\n");
    List<String[]> cs = new ArrayList<>();
    for (Plan.Collective c : b.collectives())
      cs.add(new String[] {c.kind().spelling(), String.join("+", c.axes()), Integer.toString(c.groupSize()), c.dtype().specName(), PlanText.dims(c.local()),
          Long.toString(c.localBytes()), Long.toString(c.bytesSentPerDevice()), Units.bytes(c.bytesSentPerDevice()), c.source()});
    table(h, new String[] {"kind", "axes", "group", "dtype", "operand per device", "operand bytes", "sent per device (bytes)", "sent per device", "from"}, cs);
  }

  /** The memory per device, by part, exact and readable. */
  private static void memory(StringBuilder h, dev.switchc.ir.plan.DeviceMemory m, java.util.Optional<dev.switchc.driver.DeviceCapacity> cap) {
    h.append("<h2 id=\"memory\">Memory per device, one ").append(m.optimizer().isPresent() ? "training step (optimizer " + esc(m.optimizer().get()) + ")" : "forward step")
        .append(", an estimate</h2>\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"parameters", Long.toString(m.parameters()), Units.bytes(m.parameters())});
    if (m.optimizer().isPresent()) {
      rows.add(new String[] {"gradients", Long.toString(m.gradients()), Units.bytes(m.gradients())});
      rows.add(new String[] {"optimizer state", Long.toString(m.optimizerState()), Units.bytes(m.optimizerState())});
    }
    rows.add(new String[] {"activation peak", Long.toString(m.activationPeak()), Units.bytes(m.activationPeak())});
    if (m.optimizer().isPresent())
      rows.add(new String[] {"of which kept from the forward for the backward", Long.toString(m.keptForBackward()), Units.bytes(m.keptForBackward())});
    rows.add(new String[] {"inputs", Long.toString(m.inputs()), Units.bytes(m.inputs())});
    rows.add(new String[] {"total", Long.toString(m.total()), Units.bytes(m.total())});
    cap.ifPresent(c -> rows.add(new String[] {"device memory (" + c.name() + ")", Long.toString(c.bytes()), Units.bytes(c.bytes())}));
    table(h, new String[] {"part", "bytes", "readable"}, rows);
  }

  /** What device {@code d} holds of each split dim: "group 4:8"; "all" when it holds the whole tensor. */
  static String shard(Mesh mesh, Plan.Tensor t, int device) {
    int[] coords = mesh.coordinates(device);
    List<String> parts = new ArrayList<>();
    for (Dim d : t.global().shape().dims()) {
      List<String> axes = t.split().getOrDefault(d.name(), List.of());
      if (axes.isEmpty()) continue;
      int index = 0;
      for (String a : axes) index = index * mesh.size(a) + coords[mesh.indexOf(a)];
      long piece = d.size() / mesh.size(axes);
      parts.add(d.name() + " " + index * piece + ":" + (index + 1) * piece);
    }
    return parts.isEmpty() ? "all" : String.join(", ", parts);
  }

  private static void figure(StringBuilder h, Mesh mesh, Plan.Tensor t) {
    List<Integer> axisSizes = mesh.axes().stream().map(dev.switchc.ir.MeshAxis::size).toList();
    int panels = axisSizes.size() == 3 ? axisSizes.get(0) : 1;
    int rows = axisSizes.size() >= 2 ? axisSizes.get(axisSizes.size() - 2) : 1;
    int cols = axisSizes.isEmpty() ? 1 : axisSizes.get(axisSizes.size() - 1);
    int panelW = cols * (CELL_W + GAP), width = panels * panelW + (panels - 1) * PANEL_GAP, height = rows * (CELL_H + GAP) + 24;
    Map<String, String> colours = new LinkedHashMap<>();
    String id = "tensor-" + t.name().replaceAll("[^A-Za-z0-9]+", "-");
    h.append("<figure id=\"").append(esc(id)).append("\"><figcaption class=\"mono\">").append(esc(t.name())).append(" ")
        .append(esc(t.global().toString())).append(" laid out as ").append(esc(PlanText.layout(t))).append("; cells: device (")
        .append(esc(String.join(",", mesh.axes().stream().map(dev.switchc.ir.MeshAxis::name).toList()))).append(") and the slice it holds</figcaption>\n");
    h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height).append("\">\n");
    for (int d = 0; d < mesh.devices(); d++) {
      int[] c = mesh.coordinates(d);
      int panel = axisSizes.size() == 3 ? c[0] : 0;
      int row = axisSizes.size() >= 2 ? c[axisSizes.size() - 2] : 0;
      int col = axisSizes.isEmpty() ? 0 : c[axisSizes.size() - 1];
      int x = panel * (panelW + PANEL_GAP) + col * (CELL_W + GAP), y = 20 + row * (CELL_H + GAP);
      String shard = shard(mesh, t, d);
      String fill = colours.computeIfAbsent(shard, k -> PALETTE[colours.size() % PALETTE.length]);
      h.append("  <rect class=\"device-cell\" data-device=\"").append(d).append("\" data-shard=\"").append(esc(shard)).append("\" x=\"").append(x)
          .append("\" y=\"").append(y).append("\" width=\"").append(CELL_W).append("\" height=\"").append(CELL_H).append("\" fill=\"").append(fill)
          .append("\" stroke=\"#333\"/>\n");
      h.append("  <text x=\"").append(x + 6).append("\" y=\"").append(y + 18).append("\" font-size=\"12\" font-family=\"monospace\">device ").append(d)
          .append(" ").append(esc(coordinates(mesh, c))).append("</text>\n");
      String[] lines = shard.split(", ");
      for (int k = 0; k < lines.length; k++)
        h.append("  <text x=\"").append(x + 6).append("\" y=\"").append(y + 36 + 15 * k).append("\" font-size=\"12\" font-family=\"monospace\">")
            .append(esc(lines[k])).append("</text>\n");
    }
    if (panels > 1)
      for (int k = 0; k < panels; k++)
        h.append("  <text x=\"").append(k * (panelW + PANEL_GAP)).append("\" y=\"14\" font-size=\"13\" font-weight=\"bold\">")
            .append(esc(mesh.axes().get(0).name())).append(" = ").append(k).append("</text>\n");
    h.append("</svg></figure>\n");
  }

  /** The device's coordinates, e.g. (1,0,1); the caption names the axes. */
  private static String coordinates(Mesh mesh, int[] c) {
    List<String> parts = new ArrayList<>();
    for (int v : c) parts.add(Integer.toString(v));
    return "(" + String.join(",", parts) + ")";
  }

  private static void table(StringBuilder h, String[] head, List<String[]> rows) {
    h.append("<table><tr>");
    for (String c : head) h.append("<th>").append(esc(c)).append("</th>");
    h.append("</tr>\n");
    for (String[] r : rows) {
      h.append("<tr>");
      for (String c : r) h.append("<td class=\"mono\">").append(esc(c)).append("</td>");
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
