package dev.switchc.frontend;

import dev.switchc.ir.SourceLoc;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where a definition and each of its fields came from. A field left at its default points at the
 * definition itself ({@code block}).
 */
public record Provenance(SourceLoc block, Map<Field, SourceLoc> fields) {
  public Provenance {
    EnumMap<Field, SourceLoc> m = new EnumMap<>(Field.class);
    m.putAll(fields);
    fields = java.util.Collections.unmodifiableMap(m);
  }

  /** The place to blame for {@code field}: where it was set, or the definition if defaulted. */
  public SourceLoc of(Field field) {
    SourceLoc loc = fields.get(field);
    return loc != null ? loc : block.describing(field.specName() + " (default)");
  }

  /** The same places, for ops of {@code part} of the program ({@link SourceLoc#scope}). */
  public Provenance within(String part) {
    Map<Field, SourceLoc> m = new EnumMap<>(Field.class);
    fields.forEach((k, v) -> m.put(k, v.within(part)));
    return new Provenance(block.within(part), m);
  }

  public Provenance with(Field field, SourceLoc loc) {
    Map<Field, SourceLoc> m = new EnumMap<>(Field.class);
    m.putAll(fields);
    m.put(field, loc);
    return new Provenance(block, m);
  }
}
