package dev.switchc.frontend.spec;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.frontend.ProgramKinds;
import dev.switchc.frontend.ProgramSpec;
import dev.switchc.frontend.ShardingBuilder;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import java.util.ArrayList;
import java.util.List;

/**
 * A spec file being assembled: its definition block ({@link BlockDraft}, absent when the file has
 * none that can be read), its mesh and layout ({@link ShardingBuilder}), and then the CLI's
 * overrides of each. {@link #build()} reports the problems of all of them together, the file's in
 * source order first.
 */
final class ProgramDraft {
  final String fileName;
  /** Null when the file defines nothing usable (syntax errors, no definition block): then only {@link #errors} are reported. */
  final BlockDraft definition;
  final ShardingBuilder sharding;
  private final List<Diagnostic> errors = new ArrayList<>();

  ProgramDraft(String fileName, BlockDraft definition) {
    this.fileName = fileName;
    this.definition = definition;
    this.sharding = new ShardingBuilder(fileName, ShardingBuilder.Syntax.SPEC, ShardingBuilder.noMeshBlock(fileName));
    if (definition != null) sharding.kind(definition.kind());
  }

  /** A problem of the file itself (syntax, blocks), reported with the definition's. */
  void error(Diagnostic d) {
    errors.add(d);
  }

  void errors(List<Diagnostic> ds) {
    errors.addAll(ds);
  }

  /**
   * A {@code --set} on the definition. A file without a usable definition (syntax errors) still
   * gets its overrides checked, against the first kind of program that has the field, so that one
   * run reports every mistake.
   */
  void override(FieldAssignment a) {
    if (definition != null) {
      definition.override(a);
      return;
    }
    ProgramKind<?> kind = ProgramKinds.ALL.stream().filter(k -> k.fields().stream().anyMatch(f -> f.specName().equals(a.name()))).findFirst()
        .orElse(ProgramKinds.ALL.get(0));
    errors.addAll(BlockDraft.problems(kind, a));
  }

  /**
   * The validated program.
   *
   * @throws CompileError with every problem in the definition, the mesh and the layout
   */
  Program build() {
    List<Diagnostic> all = new ArrayList<>(errors);
    Located<? extends ProgramSpec> built = null;
    if (definition != null) {
      try {
        built = definition.build();
      } catch (CompileError e) {
        all.addAll(e.diagnostics());
      }
    }
    all.addAll(sharding.problems());
    if (all.isEmpty()) return sharding.build(built);
    all.sort(BlockDraft.inSourceOrder(fileName));
    throw new CompileError(all);
  }
}
