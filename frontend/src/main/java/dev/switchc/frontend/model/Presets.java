package dev.switchc.frontend.model;

import dev.switchc.frontend.Names;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.SourceLoc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The paper's models as spec files ({@code examples/presets/NAME.swc}, packaged with the
 * frontend): T5 baselines, Switch-Base with 8 to 256 experts, Switch-Large, Switch-XXL, Switch-C,
 * and tiny CPU models for tests and demos. A preset is read exactly like a spec file, so
 * {@code --set}, {@code --mesh} and {@code --layout} apply to it too.
 */
public final class Presets {
  private Presets() {}

  public static final List<String> NAMES = List.of("t5-base", "t5-large", "switch-base-8", "switch-base-16", "switch-base-32",
      "switch-base-64", "switch-base-128", "switch-base-256", "switch-large-128", "switch-xxl", "switch-c", "tiny-switch",
      "tiny-dense", "tiny-switch-lm");

  /** The file name a preset's locations use. */
  public static String fileName(String name) {
    return "examples/presets/" + name + ".swc";
  }

  /** The spec text of preset {@code name}; an unknown name is a CompileError listing the presets. */
  public static String text(String name) {
    if (!NAMES.contains(name)) {
      SourceLoc at = new SourceLoc("--preset " + name, 0, 0, name);
      throw new CompileError(at, "unknown preset '" + name + "'; " + Names.didYouMean(name, NAMES) + "presets: " + String.join(", ", NAMES));
    }
    try (InputStream in = Presets.class.getResourceAsStream("/dev/switchc/frontend/presets/" + name + ".swc")) {
      if (in == null) throw new IllegalStateException("preset " + name + " is not packaged with the frontend");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("reading preset " + name, e);
    }
  }

  /** Preset {@code name} with the CLI's overrides, exactly as a spec file ({@link Overrides#load}). */
  public static Program load(String name, List<String> sets, Optional<String> mesh, List<String> layouts) {
    return Overrides.load(fileName(name), text(name), sets, mesh, layouts);
  }

  /** Preset {@code name} as it is. */
  public static Program load(String name) {
    return load(name, List.of(), Optional.empty(), List.of());
  }
}
