package dev.switchc.frontend.spec;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.model.ModelField;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.SwitchModel;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code model} block being assembled from a spec file or preset and then {@code --set}
 * overrides: the model counterpart of {@link LayerDraft}, with the same rules (a field once per
 * block, overrides replace, every problem reported together by {@link #build()}).
 */
final class ModelDraft {
  static final String BLOCK = "model";

  private final SwitchModel.Builder builder;
  private final SourceLoc block;
  private final List<Diagnostic> errors = new ArrayList<>();
  private final Map<ModelField, FieldAssignment> written = new EnumMap<>(ModelField.class);

  ModelDraft(SourceLoc block) {
    this.builder = new SwitchModel.Builder(block);
    this.block = block;
  }

  void error(Diagnostic d) {
    errors.add(d);
  }

  void errors(List<Diagnostic> ds) {
    errors.addAll(ds);
  }

  /** A field written in the block: each once, and capacity_factor not with its parts. */
  void fromFile(FieldAssignment a) {
    try {
      ModelField field = a.field(ModelField.values(), BLOCK);
      a.checkFirstWrite(written, field, overlapping(field), other -> field == ModelField.CAPACITY_FACTOR || other == ModelField.CAPACITY_FACTOR
          ? "capacity_factor sets both train_capacity_factor and eval_capacity_factor, so write either capacity_factor"
              + " or train_capacity_factor/eval_capacity_factor, not both"
          : "layers sets both encoder_layers and decoder_layers, so write either layers or encoder_layers/decoder_layers, not both");
      written.put(field, a);
      apply(field, a);
    } catch (CompileError e) {
      errors(e.diagnostics());
    }
  }

  /** A {@code --set}: replaces the field whatever the block said; later overrides win. */
  void override(FieldAssignment a) {
    try {
      apply(a.field(ModelField.values(), BLOCK), a);
    } catch (CompileError e) {
      errors(e.diagnostics());
    }
  }

  private void apply(ModelField field, FieldAssignment a) {
    try {
      builder.set(field, a.valueFor(field), a.valueAt());
    } catch (CompileError e) {
      builder.reject(field, e.diagnostics().get(0));
    }
  }

  private static List<ModelField> overlapping(ModelField field) {
    return switch (field) {
      case CAPACITY_FACTOR -> List.of(ModelField.TRAIN_CAPACITY_FACTOR, ModelField.EVAL_CAPACITY_FACTOR);
      case TRAIN_CAPACITY_FACTOR, EVAL_CAPACITY_FACTOR -> List.of(ModelField.CAPACITY_FACTOR);
      case LAYERS -> List.of(ModelField.ENCODER_LAYERS, ModelField.DECODER_LAYERS);
      case ENCODER_LAYERS, DECODER_LAYERS -> List.of(ModelField.LAYERS);
      default -> List.of();
    };
  }


  /** The validated model, or every problem in source order. */
  Located<ModelSpec> build() {
    List<Diagnostic> all = new ArrayList<>(errors);
    try {
      Located<ModelSpec> model = builder.build();
      if (all.isEmpty()) return model;
    } catch (CompileError e) {
      all.addAll(e.diagnostics());
    }
    all.sort(LayerDraft.inSourceOrder(block.file()));
    throw new CompileError(all);
  }
}
