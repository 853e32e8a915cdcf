package dev.switchc.cli;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchProgram;
import dev.switchc.frontend.spec.Overrides;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The spec file, its {@code --set} overrides and the mode: shared by every command. */
final class SpecOptions {
  @Parameters(index = "0", paramLabel = "SPEC", description = "Spec file (.swc), e.g. examples/switch-layer.swc.")
  Path spec;

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

  /** The layer, its mesh and layout: spec file, then --set, --mesh and --layout. */
  SwitchProgram load() {
    return Overrides.applyProgram(spec, sets, java.util.Optional.ofNullable(mesh), layouts);
  }

  Mode mode() {
    return mode != null && mode.train ? Mode.TRAIN : Mode.EVAL;
  }
}
