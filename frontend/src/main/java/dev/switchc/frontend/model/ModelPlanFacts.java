package dev.switchc.frontend.model;

import dev.switchc.frontend.Mode;
import dev.switchc.ir.DType;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The model-level lines of a sharding plan: architecture, depth, routing and tokens per device. */
final class ModelPlanFacts {
  private ModelPlanFacts() {}

  static Map<String, String> of(ModelSpec s, Mode mode, Mesh mesh, Layout layout) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("mode", mode.specName());
    f.put("architecture", s.architecture().specName());
    f.put("layers", s.encoderDecoder() ? s.encoderLayers() + " encoder + " + s.decoderLayers() + " decoder" : s.decoderLayers() + " decoder");
    long sparse = 0;
    for (long i = 0; i < s.encoderLayers(); i++) if (s.isSwitch(i)) sparse++;
    for (long i = 0; i < s.decoderLayers(); i++) if (s.isSwitch(i)) sparse++;
    f.put("switch_layers", Long.toString(sparse));
    f.put("d_model", Long.toString(s.dModel()));
    f.put("ffn", s.ffn().specName() + ", d_ff " + s.dFf());
    f.put("attention", s.heads() + " heads of d_kv " + s.dKv());
    f.put("vocab", s.vocab() + (s.tiedEmbeddings() ? " (tied embeddings)" : " (untied)"));
    long batchParts = mesh.size(layout.axes("batch"));
    f.put("batch", s.batch() + " x " + s.seq() + (s.encoderDecoder() ? " inputs, " + s.decSeq() + " targets" : " tokens"));
    f.put("sequences_per_device", Long.toString(s.batch() / batchParts));
    if (sparse > 0) {
      BigDecimal cf = s.capacityFactor(mode);
      f.put("experts", s.experts() + " per Switch layer, " + s.experts() / mesh.size(layout.axes("experts")) + " per device");
      f.put("routing", "top-" + s.topK());
      f.put("capacity_factor", dev.switchc.frontend.Decimals.text(cf));
      f.put("expert_capacity", s.expertCapacity(mode) + " per group of " + s.groupSize() + " tokens");
      long groupParts = mesh.size(layout.axes("group"));
      f.put("groups", groups(s, s.seq(), groupParts) + (s.encoderDecoder() ? " (encoder), " + groups(s, s.decSeq(), groupParts) + " (decoder)" : ""));
    }
    f.put("activation_dtype", s.activationDtype().specName());
    // Shown only for the ablation, so plans of the default (f32 router) read as before.
    if (s.routerDtype() != DType.F32) f.put("router_dtype", s.routerDtype().specName());
    if (sparse > 0) f.put("dispatch", s.dispatch().specName());
    return f;
  }

  private static String groups(ModelSpec s, long length, long parts) {
    long g = s.batch() * length / s.groupSize();
    return g + " (" + (g % parts == 0 ? Long.toString(g / parts) : g + "/" + parts) + " per device)";
  }
}
