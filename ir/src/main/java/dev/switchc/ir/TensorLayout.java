package dev.switchc.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How one tensor lies on the mesh: its global type, the mesh axes each dimension is split over
 * (major first; absent = whole on every device), and the axes over which each device holds only a
 * partial sum (an einsum or reduction before its all-reduce).
 */
public record TensorLayout(TensorType global, Map<String, List<String>> split, List<String> partialOver) {
  public TensorLayout {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (Dim d : global.shape().dims()) {
      List<String> axes = split.getOrDefault(d.name(), List.of());
      if (!axes.isEmpty()) m.put(d.name(), List.copyOf(axes));
    }
    split = java.util.Collections.unmodifiableMap(m);
    partialOver = List.copyOf(partialOver);
  }

  public List<String> axes(String dim) {
    return split.getOrDefault(dim, List.of());
  }

  /** Every axis the tensor is split over. */
  public List<String> splitAxes() {
    List<String> all = new ArrayList<>();
    split.values().forEach(all::addAll);
    return all;
  }

  /** The per-device type on {@code mesh}. */
  public TensorType local(Mesh mesh) {
    return new TensorType(global.dtype(), new Shape(global.shape().dims().stream()
        .map(d -> new Dim(d.name(), d.size() / mesh.size(axes(d.name())))).toList()));
  }

  /** E.g. {@code [group=(data,expert), token, d_model]}. */
  public String describe() {
    return global.shape().dims().stream().map(d -> axes(d.name()).isEmpty() ? d.name()
        : d.name() + "=" + (axes(d.name()).size() == 1 ? axes(d.name()).get(0) : "(" + String.join(",", axes(d.name())) + ")"))
        .collect(Collectors.joining(", ", "[", "]")) + (partialOver.isEmpty() ? "" : " partial over " + partialOver);
  }
}
