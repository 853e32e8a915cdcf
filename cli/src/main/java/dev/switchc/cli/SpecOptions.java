package dev.switchc.cli;

import dev.switchc.driver.UserInputError;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.Presets;
import java.util.Optional;
import dev.switchc.frontend.spec.ProgramSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The spec file, its {@code --set} overrides and the mode: shared by every command. */
final class SpecOptions {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "Spec file (.swc), e.g. examples/switch-layer.swc; or use --preset.")
  Path spec;

  @Option(names = "--preset", paramLabel = "NAME", description = "A model of the paper instead of a spec file: ${COMPLETION-CANDIDATES}.",
      completionCandidates = PresetNames.class)
  String preset;

  static final class PresetNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Presets.NAMES.iterator();
    }
  }

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a spec field, e.g. --set experts=8 --set capacity_factor=0.5.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--mesh", paramLabel = "AXES", description = "Device mesh replacing the spec's, e.g. --mesh data=2,expert=4.")
  String mesh;

  @Option(names = "--layout", paramLabel = "RULES", description = "Layout rules replacing the spec's for the dims named, e.g. --layout 'batch=data+expert,d_model='.")
  List<String> layouts = new ArrayList<>();

  @ArgGroup(exclusive = true)
  ModeOption mode = new ModeOption();

  static final class ModeOption {
    @Option(names = "--train", description = "Training mode: train capacity factor.")
    boolean train;

    @Option(names = "--eval", description = "Evaluation mode (default): eval capacity factor, no noise.")
    boolean eval;
  }

  /** The layer or model, its mesh and layout: spec file or preset, then --set, --mesh and --layout. */
  Program load() {
    return source().load();
  }

  /** What the program is made from: the spec file's or preset's text and the overrides. */
  ProgramSource source() {
    if ((spec == null) == (preset == null))
      throw new UserInputError(spec == null ? "give a spec file (e.g. examples/switch-layer.swc) or --preset NAME (" + String.join(", ", Presets.NAMES) + ")"
          : "give a spec file or --preset, not both");
    Optional<String> m = Optional.ofNullable(mesh);
    return preset != null ? ProgramSource.ofPreset(preset, sets, m, layouts) : ProgramSource.ofFile(spec, sets, m, layouts);
  }

  /** A short name for output directories: the spec file's name without .swc, or the preset's. */
  String baseName() {
    return preset != null ? preset : baseName(spec.toString());
  }

  /** The base name of a spec file (a preset's file is named after the preset). */
  static String baseName(String specFile) {
    Path name = Path.of(specFile).getFileName();
    return (name == null ? "program" : name.toString()).replaceFirst("\\.swc$", "");
  }

  /** Whether any option that makes a program was given (a spec, a preset, an override or a mode). */
  boolean given() {
    return spec != null || preset != null || !sets.isEmpty() || mesh != null || !layouts.isEmpty() || (mode != null && (mode.train || mode.eval));
  }

  Mode mode() {
    return mode != null && mode.train ? Mode.TRAIN : Mode.EVAL;
  }
}
