package dev.switchc.ir;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An ordered list of named dimensions. The order is the row-major memory order the lowering uses;
 * the meaning of every operation is defined by the names alone.
 */
public record Shape(List<Dim> dims) {
  public Shape {
    dims = List.copyOf(dims);
    Set<String> seen = new HashSet<>();
    for (Dim d : dims)
      if (!seen.add(d.name())) throw new IllegalArgumentException("dimension '" + d.name() + "' appears twice in " + dims);
  }

  public static Shape of(Dim... dims) {
    return new Shape(List.of(dims));
  }

  public static final Shape SCALAR = new Shape(List.of());

  public int rank() {
    return dims.size();
  }

  public long elements() {
    long n = 1;
    for (Dim d : dims) n = Math.multiplyExact(n, d.size());
    return n;
  }

  public List<String> names() {
    return dims.stream().map(Dim::name).toList();
  }

  public boolean has(String name) {
    return indexOf(name) >= 0;
  }

  public int indexOf(String name) {
    for (int i = 0; i < dims.size(); i++) if (dims.get(i).name().equals(name)) return i;
    return -1;
  }

  public Optional<Dim> find(String name) {
    int i = indexOf(name);
    return i < 0 ? Optional.empty() : Optional.of(dims.get(i));
  }

  public Dim get(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("no dimension '" + name + "' in " + this));
  }

  /** This shape without the named dimensions (keeps the order of the rest). */
  public Shape without(Collection<String> names) {
    return new Shape(dims.stream().filter(d -> !names.contains(d.name())).toList());
  }

  /** This shape with {@code extra} appended. */
  public Shape with(Dim extra) {
    List<Dim> out = new ArrayList<>(dims);
    out.add(extra);
    return new Shape(out);
  }

  /** True when both shapes have the same dimensions (names and sizes), in any order. */
  public boolean sameDimsAs(Shape other) {
    return rank() == other.rank() && Set.copyOf(dims).equals(Set.copyOf(other.dims));
  }

  @Override
  public String toString() {
    return dims.stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
  }
}
