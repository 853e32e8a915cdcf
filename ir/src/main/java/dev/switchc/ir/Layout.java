package dev.switchc.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layout rules, as in Mesh TensorFlow: each dimension name maps to an ordered tuple of mesh axes
 * (major first) or to none. Every tensor's layout follows from its dimension names, so two tensors
 * that share a dimension name split it the same way. {@code where} remembers the spec line (or
 * default) behind each rule, for error messages and the plan.
 */
public record Layout(Map<String, List<String>> rules, Map<String, SourceLoc> where) {
  public Layout {
    Map<String, List<String>> r = new LinkedHashMap<>();
    rules.forEach((k, v) -> r.put(k, List.copyOf(v)));
    rules = java.util.Collections.unmodifiableMap(r);
    where = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(where));
  }

  public static final Layout NONE = new Layout(Map.of(), Map.of());

  /** The mesh axes dimension {@code dim} is split over, major first; empty when it is whole. */
  public List<String> axes(String dim) {
    return rules.getOrDefault(dim, List.of());
  }

  public SourceLoc whereOf(String dim) {
    return where.getOrDefault(dim, SourceLoc.UNKNOWN);
  }

  /** The per-device shape of {@code global} on {@code mesh} under these rules (sizes must divide). */
  public Shape local(Shape global, Mesh mesh) {
    return new Shape(global.dims().stream().map(d -> {
      int parts = mesh.size(axes(d.name()));
      if (d.size() % parts != 0) throw new IllegalArgumentException(d + " is not divisible by " + axes(d.name()) + " (" + parts + ")");
      return new Dim(d.name(), d.size() / parts);
    }).toList());
  }
}
