package dev.switchc.frontend;

import dev.switchc.frontend.model.ModelSpec;
import java.util.List;
import java.util.Optional;

/** The kinds of program a spec file may define, by block; a new kind is added here and nowhere else. */
public final class ProgramKinds {
  private ProgramKinds() {}

  public static final List<ProgramKind<?>> ALL = List.of(SwitchLayerSpec.KIND, ModelSpec.KIND);

  /** The kind a spec block named {@code block} defines. */
  public static Optional<ProgramKind<?>> byBlock(String block) {
    return ALL.stream().filter(k -> k.block().equals(block)).findFirst();
  }
}
