package dev.switchc.frontend;

import dev.switchc.ir.Mesh;
import dev.switchc.ir.RuleOrigin;
import dev.switchc.ir.SourceLoc;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A mesh with where it was declared: {@code block} (the mesh block, the {@code --mesh} option or
 * the DSL's {@code Program.of} call; for a spec file without a mesh, the file at line 0), where each
 * axis was declared, and how ({@code origin}: spec file, flag or DSL).
 */
public record LocatedMesh(Mesh value, SourceLoc block, Map<String, SourceLoc> axes, RuleOrigin origin) {
  public LocatedMesh {
    axes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(axes));
  }

  /** Where axis {@code axis} was declared, or the mesh's place if it was not. */
  public SourceLoc of(String axis) {
    SourceLoc loc = axes.get(axis);
    return loc != null ? loc : block;
  }
}
