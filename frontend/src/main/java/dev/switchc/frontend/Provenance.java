package dev.switchc.frontend;

import dev.switchc.ir.SourceLoc;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a definition and each of its fields came from. A field left at its default points at the
 * definition itself ({@code block}).
 */
public record Provenance(SourceLoc block, Map<String, SourceLoc> fields) {
  public Provenance {
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** The place to blame for {@code field}: where it was set, or the definition if defaulted. */
  public SourceLoc of(String field) {
    SourceLoc loc = fields.get(field);
    return loc != null ? loc : block.describing(field + " (default)");
  }

  /** The same places, for ops of {@code part} of the program ({@link SourceLoc#scope}). */
  public Provenance within(String part) {
    Map<String, SourceLoc> m = new LinkedHashMap<>();
    fields.forEach((k, v) -> m.put(k, v.within(part)));
    return new Provenance(block.within(part), m);
  }

  public Provenance with(String field, SourceLoc loc) {
    Map<String, SourceLoc> m = new LinkedHashMap<>(fields);
    m.put(field, loc);
    return new Provenance(block, m);
  }
}
