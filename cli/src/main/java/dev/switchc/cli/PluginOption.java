package dev.switchc.cli;

import dev.switchc.driver.PluginLocation;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --plugin PATH}: the PJRT plugin, shared by the commands that compile or run on one. */
final class PluginOption {
  @Option(names = "--plugin", paramLabel = "PATH", description = "A PJRT plugin (.so), e.g. libtpu.so. Default: $" + PluginLocation.ENV
      + ", else libtpu.so where a TPU VM or pip keeps it ($TPU_LIBRARY_PATH, /lib, /usr/lib, /usr/local/lib, a Python libtpu package).")
  Path plugin;

  boolean given() {
    return plugin != null;
  }

  /** The plugin to use, if one is named or found. */
  Optional<Path> find() {
    return PluginLocation.find(Optional.ofNullable(plugin), System.getenv());
  }

  /** The plugin to use, or a one-line error saying how to name one. */
  Path require(String purpose) {
    return PluginLocation.require(Optional.ofNullable(plugin), System.getenv(), purpose);
  }
}
