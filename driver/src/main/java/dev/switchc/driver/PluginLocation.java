package dev.switchc.driver;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which PJRT plugin to load: the one named on the command line, else {@value #ENV}, else
 * {@code libtpu.so} where a TPU VM or pip keeps it ({@code $TPU_LIBRARY_PATH}, as JAX reads it;
 * {@code /lib}, {@code /usr/lib}, {@code /usr/local/lib}; the {@code libtpu} Python package in the
 * system's and the user's site-packages).
 */
public final class PluginLocation {
  private PluginLocation() {}

  public static final String ENV = "SWITCHC_PJRT_PLUGIN";

  /**
   * The plugin to use, if any. A plugin named by {@code flag} or {@value #ENV} must exist; a
   * default place is used only when it does.
   *
   * @throws UserInputError when a named plugin is not a file
   */
  public static Optional<Path> find(Optional<Path> flag, Map<String, String> env) {
    if (flag.isPresent()) return Optional.of(existing(flag.get(), "--plugin"));
    String named = env.get(ENV);
    if (named != null && !named.isBlank()) return Optional.of(existing(Path.of(named), ENV));
    return defaults(env).stream().filter(Files::isRegularFile).findFirst();
  }

  /**
   * {@link #find}, or a one-line error saying how to name a plugin.
   *
   * @throws UserInputError when there is none
   */
  public static Path require(Optional<Path> flag, Map<String, String> env, String purpose) {
    return find(flag, env).orElseThrow(() -> new UserInputError("no PJRT plugin to " + purpose + ": give --plugin PATH (e.g. libtpu.so on a TPU VM)"
        + " or set " + ENV + "; libtpu.so is not in $TPU_LIBRARY_PATH, /lib, /usr/lib, /usr/local/lib or a Python libtpu package"));
  }

  private static Path existing(Path p, String from) {
    if (Files.isDirectory(p)) throw new UserInputError(from + " " + p + " is a directory; give the plugin's .so file");
    if (!Files.isRegularFile(p)) throw new UserInputError(from + " " + p + ": no such file; give the path of a PJRT plugin (.so), e.g. libtpu.so");
    return p;
  }

  /** The default places, in the order they are tried. */
  static List<Path> defaults(Map<String, String> env) {
    List<Path> out = new ArrayList<>();
    String tpuLibrary = env.get("TPU_LIBRARY_PATH");
    if (tpuLibrary != null && !tpuLibrary.isBlank()) out.add(Path.of(tpuLibrary));
    for (String dir : List.of("/lib", "/usr/lib", "/usr/local/lib")) out.add(Path.of(dir, "libtpu.so"));
    List<Path> lib = new ArrayList<>(List.of(Path.of("/usr/local/lib"), Path.of("/usr/lib")));
    String home = env.get("HOME");
    if (home != null && !home.isBlank()) lib.add(Path.of(home, ".local", "lib"));
    for (Path dir : lib)
      for (Path python : sorted(dir, "python3*"))
        for (String packages : List.of("site-packages", "dist-packages")) out.add(python.resolve(packages).resolve("libtpu").resolve("libtpu.so"));
    return out;
  }

  private static List<Path> sorted(Path dir, String glob) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
      s.forEach(out::add);
    } catch (IOException e) {
      return out; // an unreadable directory holds no plugin we could load
    }
    out.sort(null);
    return out;
  }
}
