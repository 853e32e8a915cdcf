package dev.switchc.frontend.spec;

import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.Presets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Everything a program is made from on the command line: the spec text (a file's or a preset's)
 * with the name its locations use, and the {@code --set}, {@code --mesh} and {@code --layout}
 * overrides. Kept whole so that a compiled artifact can record exactly what it was made from and
 * be checked against it later.
 */
public record ProgramSource(String fileName, String text, List<String> sets, Optional<String> mesh, List<String> layouts) {
  public ProgramSource {
    sets = List.copyOf(sets);
    layouts = List.copyOf(layouts);
  }

  /**
   * A spec file with overrides.
   *
   * @throws dev.switchc.ir.CompileError located at the path if the file cannot be read
   */
  public static ProgramSource ofFile(Path file, List<String> sets, Optional<String> mesh, List<String> layouts) {
    return new ProgramSource(file.toString(), SpecFile.readText(file), sets, mesh, layouts);
  }

  /** A preset of the paper with overrides; an unknown name is a CompileError listing the presets. */
  public static ProgramSource ofPreset(String name, List<String> sets, Optional<String> mesh, List<String> layouts) {
    return new ProgramSource(Presets.fileName(name), Presets.text(name), sets, mesh, layouts);
  }

  /**
   * The program: the text parsed, then the overrides applied ({@link Overrides#load}).
   *
   * @throws dev.switchc.ir.CompileError listing every problem
   */
  public Program load() {
    return Overrides.load(fileName, text, sets, mesh, layouts);
  }
}
