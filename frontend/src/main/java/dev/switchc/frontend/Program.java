package dev.switchc.frontend;

import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;

/**
 * What one spec file, preset or DSL definition describes: a single Switch layer
 * ({@link SwitchProgram}) or a whole model ({@code model.ModelProgram}), with its mesh and layout.
 */
public interface Program {
  Located<Mesh> mesh();

  Layout layout();
}
