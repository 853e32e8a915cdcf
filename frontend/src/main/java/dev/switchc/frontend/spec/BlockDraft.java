package dev.switchc.frontend.spec;

import dev.switchc.frontend.Field;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.frontend.ProgramSpec;
import dev.switchc.frontend.SpecBuilder;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A definition block being assembled from a spec file or preset and then {@code --set} overrides,
 * for any {@link ProgramKind}. It keeps going after a bad field and fails once, in {@link #build()},
 * with every problem found.
 *
 * <p>{@link #apply} is the one place where a written assignment becomes a field value: the block
 * ({@link #fromFile}) and {@code --set} ({@link #override}) differ only in the rules around it: in a
 * block a field may be written once (and not together with a field it covers), while an override
 * replaces whatever was there.
 */
final class BlockDraft {
  private final SpecBuilder<? extends ProgramSpec> builder;
  private final SourceLoc block;
  private final List<Diagnostic> errors = new ArrayList<>();
  /** The block's assignments by field, to report duplicates and conflicts. */
  private final Map<Field, FieldAssignment> written = new EnumMap<>(Field.class);

  /** A draft for the block of {@code kind} whose name is at {@code block}. */
  BlockDraft(ProgramKind<?> kind, SourceLoc block) {
    this.builder = new SpecBuilder<>(kind, block);
    this.block = block;
  }

  ProgramKind<?> kind() {
    return builder.kind();
  }

  void error(Diagnostic d) {
    errors.add(d);
  }

  void errors(List<Diagnostic> ds) {
    errors.addAll(ds);
  }

  /** What is wrong with {@code a} as a {@code --set} of a {@code kind} definition (its name or its value), without applying it. */
  static List<Diagnostic> problems(ProgramKind<?> kind, FieldAssignment a) {
    try {
      a.checkValue(kind);
      a.valueFor(a.field(kind), kind);
      return List.of();
    } catch (CompileError e) {
      return e.diagnostics();
    }
  }

  /** A field written in the block: each once, and not together with a field that covers it or that it covers. */
  void fromFile(FieldAssignment a) {
    try {
      Field field = a.field(kind());
      a.checkFirstWrite(written, field);
      written.put(field, a);
      apply(field, a);
    } catch (CompileError e) {
      errors(e.diagnostics());
    }
  }

  /** A {@code --set}: replaces the field whatever the block said; later overrides win. */
  void override(FieldAssignment a) {
    try {
      a.checkValue(kind());
      apply(a.field(kind()), a);
    } catch (CompileError e) {
      errors(e.diagnostics());
    }
  }

  private void apply(Field field, FieldAssignment a) {
    try {
      builder.set(field, a.valueFor(field, kind()), a.valueAt());
    } catch (CompileError e) {
      builder.reject(field, e.diagnostics().get(0));
    }
  }

  /**
   * The validated definition.
   *
   * @throws CompileError with the collected problems and the validator's, in source order
   */
  Located<? extends ProgramSpec> build() {
    List<Diagnostic> all = new ArrayList<>(errors);
    try {
      Located<? extends ProgramSpec> built = builder.build();
      if (all.isEmpty()) return built;
    } catch (CompileError e) {
      all.addAll(e.diagnostics());
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
