package dev.switchc.frontend.spec;

import dev.switchc.frontend.LayerField;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code switch_layer} being assembled from a spec block and then {@code --set} overrides. It
 * keeps going after a bad field and fails once, in {@link #build()}, with every problem found.
 *
 * <p>{@link #apply} is the one place where a written assignment becomes a builder call; the file
 * ({@link #fromFile}) and {@code --set} ({@link #override}) differ only in the rules around it: in a
 * file a field may be written once, while an override replaces whatever was there.
 */
final class LayerDraft {
  private final SwitchLayer.Builder builder;
  private final SourceLoc block;
  /** False when there is no usable switch_layer block; then only the collected errors are reported. */
  private final boolean hasBlock;
  private final List<Diagnostic> errors = new ArrayList<>();
  /** The block's assignments by field, to report duplicates and capacity-factor conflicts. */
  private final Map<LayerField, FieldAssignment> written = new EnumMap<>(LayerField.class);

  private LayerDraft(SourceLoc block, boolean hasBlock) {
    this.builder = new SwitchLayer.Builder(block);
    this.block = block;
    this.hasBlock = hasBlock;
  }

  /** A draft for the switch_layer block whose name is at {@code block}. */
  static LayerDraft forBlock(SourceLoc block) {
    return new LayerDraft(block, true);
  }

  /** A draft for a file without a usable block (syntax errors, no switch_layer): it can only fail. */
  static LayerDraft withoutBlock(String fileName) {
    return new LayerDraft(new SourceLoc(fileName, 1, 1, SpecFile.SWITCH_LAYER), false);
  }

  void error(Diagnostic d) {
    errors.add(d);
  }

  void errors(List<Diagnostic> ds) {
    errors.addAll(ds);
  }

  /** A field written in the spec block: each field once, and capacity_factor not with its parts. */
  void fromFile(FieldAssignment a) {
    try {
      LayerField field = a.field();
      checkFirstWrite(field, a);
      written.put(field, a);
      apply(field, a);
    } catch (CompileError e) {
      errors(e.diagnostics());
    }
  }

  /** A {@code --set}: replaces the field whatever the file said; later overrides win. */
  void override(FieldAssignment a) {
    try {
      apply(a.field(), a);
    } catch (CompileError e) {
      errors(e.diagnostics());
    }
  }

  private void apply(LayerField field, FieldAssignment a) {
    try {
      builder.set(field, a.valueFor(field), a.valueAt());
    } catch (CompileError e) {
      // With a block, the builder reports it (and knows the field was written); without, we do.
      if (hasBlock) builder.reject(field, e.diagnostics().get(0));
      else errors(e.diagnostics());
    }
  }

  private void checkFirstWrite(LayerField field, FieldAssignment a) {
    a.checkFirstWrite(written, field, overlapping(field), other -> "capacity_factor sets both train_capacity_factor and eval_capacity_factor,"
        + " so write either capacity_factor or train_capacity_factor/eval_capacity_factor, not both");
  }

  /** Fields that set part of what {@code field} sets. */
  private static List<LayerField> overlapping(LayerField field) {
    return switch (field) {
      case CAPACITY_FACTOR -> List.of(LayerField.TRAIN_CAPACITY_FACTOR, LayerField.EVAL_CAPACITY_FACTOR);
      case TRAIN_CAPACITY_FACTOR, EVAL_CAPACITY_FACTOR -> List.of(LayerField.CAPACITY_FACTOR);
      default -> List.of();
    };
  }


  /**
   * The validated layer.
   *
   * @throws CompileError with the collected problems and the validator's, in source order
   */
  Located<SwitchLayerSpec> build() {
    List<Diagnostic> all = new ArrayList<>(errors);
    if (hasBlock) {
      try {
        Located<SwitchLayerSpec> layer = builder.build();
        if (all.isEmpty()) return layer;
      } catch (CompileError e) {
        all.addAll(e.diagnostics());
      }
    }
    all.sort(inSourceOrder(block.file()));
    throw new CompileError(all);
  }

  /**
   * The spec file's diagnostics by line and column, like a compiler reads it, then the others
   * ({@code --set}) in the order they were found. The sort is stable.
   */
  static Comparator<Diagnostic> inSourceOrder(String file) {
    return Comparator.comparingInt((Diagnostic d) -> d.loc().file().equals(file) ? 0 : 1)
        .thenComparingInt(d -> d.loc().file().equals(file) ? d.loc().line() : 0)
        .thenComparingInt(d -> d.loc().file().equals(file) ? d.loc().col() : 0);
  }
}
