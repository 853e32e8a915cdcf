package dev.switchc.frontend.spec;

import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.ShardingBuilder;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.SwitchProgram;
import dev.switchc.frontend.model.ModelProgram;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec file being assembled: its {@code switch_layer} ({@link LayerDraft}) or {@code model}
 * ({@link ModelDraft}), its mesh and layout ({@link ShardingBuilder}), and then the CLI's
 * overrides of each. {@link #build()} reports the problems of all of them together, the file's in
 * source order first.
 */
final class ProgramDraft {
  final String fileName;
  /** Exactly one of layer and model is set. */
  final LayerDraft layer;
  final ModelDraft model;
  final ShardingBuilder sharding;

  ProgramDraft(String fileName, LayerDraft layer) {
    this(fileName, layer, null);
  }

  ProgramDraft(String fileName, ModelDraft model) {
    this(fileName, null, model);
    sharding.dimensions(DefaultLayout.MODEL_DIMENSIONS, "model");
  }

  private ProgramDraft(String fileName, LayerDraft layer, ModelDraft model) {
    this.fileName = fileName;
    this.layer = layer;
    this.model = model;
    this.sharding = new ShardingBuilder(fileName, ShardingBuilder.Syntax.SPEC, ShardingBuilder.noMeshBlock(fileName));
  }

  /** A {@code --set} on the layer or the model. */
  void override(FieldAssignment a) {
    if (layer != null) layer.override(a);
    else model.override(a);
  }

  void errors(List<Diagnostic> ds) {
    if (layer != null) layer.errors(ds);
    else model.errors(ds);
  }

  /**
   * The validated layer program.
   *
   * @throws CompileError with every problem in the layer, the mesh and the layout, or if the file describes a model
   */
  SwitchProgram build() {
    Program p = buildAny();
    if (p instanceof SwitchProgram s) return s;
    throw new CompileError(((ModelProgram) p).model().where().block(), "this spec describes a model, but a switch_layer is expected here");
  }

  /**
   * The validated program, layer or model.
   *
   * @throws CompileError with every problem in the definition, the mesh and the layout
   */
  Program buildAny() {
    List<Diagnostic> all = new ArrayList<>();
    Located<SwitchLayerSpec> builtLayer = null;
    Located<ModelSpec> builtModel = null;
    try {
      if (layer != null) builtLayer = layer.build();
      else builtModel = model.build();
    } catch (CompileError e) {
      all.addAll(e.diagnostics());
    }
    all.addAll(sharding.problems());
    if (all.isEmpty()) return layer != null ? sharding.build(builtLayer) : ModelProgram.of(builtModel, sharding.buildSharding());
    all.sort(LayerDraft.inSourceOrder(fileName));
    throw new CompileError(all);
  }
}
