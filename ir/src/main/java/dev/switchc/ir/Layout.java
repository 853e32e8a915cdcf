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
public record Layout(Map<String, List<String>> rules, Map<String, SourceLoc> where, Map<String, RuleOrigin> origins) {
  public Layout {
    Map<String, List<String>> r = new LinkedHashMap<>();
    rules.forEach((k, v) -> r.put(k, List.copyOf(v)));
    rules = java.util.Collections.unmodifiableMap(r);
    where = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(where));
    origins = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(origins));
  }

  /** Rules written in Java code ({@link RuleOrigin#DSL}). */
  public Layout(Map<String, List<String>> rules, Map<String, SourceLoc> where) {
    this(rules, where, originsOf(rules.keySet(), RuleOrigin.DSL));
  }

  /** {@code origin} for every one of {@code dims}. */
  public static Map<String, RuleOrigin> originsOf(java.util.Collection<String> dims, RuleOrigin origin) {
    Map<String, RuleOrigin> m = new LinkedHashMap<>();
    for (String d : dims) m.put(d, origin);
    return m;
  }

  public static final Layout NONE = new Layout(Map.of(), Map.of());

  /** The mesh axes dimension {@code dim} is split over, major first; empty when it is whole. */
  public List<String> axes(String dim) {
    return rules.getOrDefault(dim, List.of());
  }

  public SourceLoc whereOf(String dim) {
    return where.getOrDefault(dim, SourceLoc.UNKNOWN);
  }

  /** Whether {@code dim}'s rule was written (and how) or is the default; a dim without a rule is whole by default. */
  public RuleOrigin originOf(String dim) {
    return origins.getOrDefault(dim, RuleOrigin.DEFAULT);
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
