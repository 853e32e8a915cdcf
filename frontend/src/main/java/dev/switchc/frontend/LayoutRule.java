package dev.switchc.frontend;

import dev.switchc.ir.SourceLoc;
import java.util.List;

/**
 * One layout rule as the user wrote it (spec {@code layout} block, {@code --layout} entry or DSL
 * {@code layout(...)} call), before it is checked against the mesh: dimension {@code dim} is split
 * over the mesh axes {@code axes}, major first; no axes means the dimension stays whole.
 *
 * @param at where the rule was written; {@code at.what()} quotes it as written, e.g.
 *     {@code batch = (data, expert)} or {@code batch=data+expert}
 */
public record LayoutRule(String dim, List<String> axes, SourceLoc at) {
  public LayoutRule {
    if (dim == null || at == null) throw new IllegalArgumentException("dim and at must be non-null");
    axes = List.copyOf(axes);
  }
}
