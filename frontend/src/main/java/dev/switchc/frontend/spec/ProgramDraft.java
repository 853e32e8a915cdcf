package dev.switchc.frontend.spec;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.ShardingBuilder;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.SwitchProgram;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec file being assembled: its {@code switch_layer} ({@link LayerDraft}), its mesh and layout
 * ({@link ShardingBuilder}), and then the CLI's overrides of each. {@link #build()} reports the
 * problems of all of them together, the file's in source order first.
 */
final class ProgramDraft {
  final String fileName;
  final LayerDraft layer;
  final ShardingBuilder sharding;

  ProgramDraft(String fileName, LayerDraft layer) {
    this.fileName = fileName;
    this.layer = layer;
    this.sharding = new ShardingBuilder(fileName, ShardingBuilder.Syntax.SPEC, ShardingBuilder.noMeshBlock(fileName));
  }

  /**
   * The validated program.
   *
   * @throws CompileError with every problem in the layer, the mesh and the layout
   */
  SwitchProgram build() {
    List<Diagnostic> all = new ArrayList<>();
    Located<SwitchLayerSpec> built = null;
    try {
      built = layer.build();
    } catch (CompileError e) {
      all.addAll(e.diagnostics());
    }
    all.addAll(sharding.problems());
    if (all.isEmpty()) return sharding.build(built);
    all.sort(LayerDraft.inSourceOrder(fileName));
    throw new CompileError(all);
  }
}
