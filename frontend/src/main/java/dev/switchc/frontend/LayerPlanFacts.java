package dev.switchc.frontend;

import dev.switchc.ir.DType;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import java.util.LinkedHashMap;
import java.util.Map;

/** The layer-level lines of a sharding plan: capacity, groups and tokens per device, experts per device. */
final class LayerPlanFacts {
  private LayerPlanFacts() {}

  static Map<String, String> of(SwitchLayerSpec s, Mode mode, Mesh mesh, Layout layout) {
    Map<String, String> f = new LinkedHashMap<>();
    int groupParts = mesh.size(layout.axes("group")), expertParts = mesh.size(layout.axes("experts"));
    f.put("mode", mode.specName());
    f.put("capacity_factor", Decimals.text(s.capacityFactor(mode)));
    f.put("expert_capacity", Long.toString(s.expertCapacity(mode)));
    f.put("groups", Long.toString(s.groups()));
    f.put("group_size", Long.toString(s.groupSize()));
    f.put("groups_per_device", Long.toString(s.groups() / groupParts));
    f.put("tokens_per_device", Long.toString(s.groups() / groupParts * s.groupSize()));
    f.put("experts", Long.toString(s.experts()));
    f.put("experts_per_device", Long.toString(s.experts() / expertParts));
    f.put("activation_dtype", s.activationDtype().specName());
    // Shown only for the ablation, so plans of the default (f32 router) read as before.
    if (s.routerDtype() != DType.F32) f.put("router_dtype", s.routerDtype().specName());
    f.put("dispatch", s.dispatch().specName());
    return f;
  }
}
