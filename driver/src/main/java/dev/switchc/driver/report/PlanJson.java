package dev.switchc.driver.report;

import dev.switchc.ir.Dim;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.plan.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The plan as JSON: exact integers for bytes and FLOPs, keys in a fixed order (byte-identical for equal plans). */
public final class PlanJson {
  private PlanJson() {}

  public static String render(Plan p) {
    return render(p, StepReport.NONE);
  }

  /** The plan and, where {@code r} has them, the backward ({@code "backward"}) and the memory per device ({@code "memory_per_device"}). */
  public static String render(Plan p, StepReport step) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("program", p.program());
    Map<String, Object> mesh = new LinkedHashMap<>();
    List<Object> axes = new ArrayList<>();
    for (MeshAxis a : p.mesh().axes()) axes.add(map("name", a.name(), "size", a.size()));
    mesh.put("axes", axes);
    mesh.put("devices", p.mesh().devices());
    m.put("mesh", mesh);
    List<Object> rules = new ArrayList<>();
    for (Plan.Rule r : p.rules()) rules.add(map("dim", r.dim(), "axes", r.axes(), "source", r.source()));
    m.put("rules", rules);
    m.put("facts", p.facts());
    Map<String, Object> parameters = map("total", p.parameterCount(), "total_bytes", p.parameterBytes(), "bytes_per_device", p.perDevice().parameterBytes());
    if (!p.parametersByLayer().isEmpty()) {
      List<Object> byLayer = new ArrayList<>();
      p.parametersByLayer().forEach((name, t) -> byLayer.add(map("name", name, "parameters", t.parameters(), "bytes", t.bytes(),
          "bytes_per_device", t.bytesPerDevice())));
      parameters = new LinkedHashMap<>(parameters);
      parameters.put("by_layer", byLayer);
    }
    m.put("parameters", parameters);
    if (!p.layerTotals().isEmpty()) {
      List<Object> perLayer = new ArrayList<>();
      for (Plan.LayerTotal t : p.layerTotals())
        perLayer.add(map("name", t.name(), "parameters", t.parameters().parameters(), "parameter_bytes_per_device", t.parameters().bytesPerDevice(),
            "flops_per_device", t.flops(), "bytes_sent_per_device", t.bytesSent()));
      m.put("per_layer", perLayer);
    }
    m.put("per_device", map("parameter_bytes", p.perDevice().parameterBytes(), "activation_peak_bytes", p.perDevice().activationPeakBytes(),
        "flops", p.perDevice().flops()));
    List<Object> tensors = new ArrayList<>();
    for (Plan.Tensor t : p.tensors()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", t.name());
      e.put("kind", t.kind().name().toLowerCase(java.util.Locale.ROOT));
      e.put("global", type(t.global()));
      e.put("layout", new LinkedHashMap<>(t.split()));
      e.put("partial_over", t.partialOver());
      e.put("local", type(t.local()));
      e.put("local_bytes", t.localBytes());
      e.put("source", t.source());
      tensors.add(e);
    }
    m.put("tensors", tensors);
    m.put("collectives", collectives(p.collectives()));
    m.put("bytes_sent_per_device_by_kind", p.bytesSentByKind());
    step.backward().ifPresent(b -> m.put("backward", map("gradients", b.gradients(), "gradient_bytes_per_device", b.gradientBytesPerDevice(),
        "gradient_bytes", b.gradientBytes(), "collectives", collectives(b.collectives()), "bytes_sent_per_device_by_kind", b.bytesSentByKind())));
    step.memory().ifPresent(mem -> {
      Map<String, Object> e = map("step", mem.optimizer().isPresent() ? "training" : "forward");
      mem.optimizer().ifPresent(o -> e.put("optimizer", o));
      e.put("parameter_bytes", mem.parameters());
      if (mem.optimizer().isPresent()) {
        e.put("gradient_bytes", mem.gradients());
        e.put("optimizer_state_bytes", mem.optimizerState());
      }
      e.put("activation_peak_bytes", mem.activationPeak());
      if (mem.optimizer().isPresent()) e.put("activations_kept_for_backward_bytes", mem.keptForBackward());
      e.put("input_bytes", mem.inputs());
      e.put("total_bytes", mem.total());
      step.capacity().ifPresent(c -> e.put("device_memory_bytes", c.bytes()));
      m.put("memory_per_device", e);
    });
    return dev.switchc.driver.io.Json.write(m);
  }

  private static List<Object> collectives(List<Plan.Collective> cs) {
    List<Object> collectives = new ArrayList<>();
    for (Plan.Collective c : cs) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("kind", c.kind().spelling());
      e.put("axes", c.axes());
      e.put("group_size", c.groupSize());
      e.put("dtype", c.dtype().specName());
      e.put("local", type(c.local()));
      e.put("local_bytes", c.localBytes());
      e.put("bytes_sent_per_device", c.bytesSentPerDevice());
      e.put("source", c.source());
      e.put("replica_groups", c.replicaGroups());
      collectives.add(e);
    }
    return collectives;
  }

  static Map<String, Object> type(TensorType t) {
    List<Object> dims = new ArrayList<>();
    for (Dim d : t.shape().dims()) dims.add(map("name", d.name(), "size", d.size()));
    return map("dtype", t.dtype().specName(), "dims", dims, "bytes", t.bytes());
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }
}
