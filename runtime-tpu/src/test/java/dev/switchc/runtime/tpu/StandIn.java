package dev.switchc.runtime.tpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The tests' PJRT plugin: {@code libpjrt_standin_cpu.so}, a real plugin (GetPjrtApi, PJRT C API
 * 0.105) backed by XLA's CPU client, built by Maven from src/test/native. Also a variant that
 * claims C API 0.56. Other modules' tests get it from runtime-tpu's test jar.
 */
public final class StandIn {
  private StandIn() {}

  /** The stand-in plugin's file. */
  public static Path plugin() {
    return file("libpjrt_standin_cpu.so");
  }

  /** The same plugin announcing PJRT C API 0.56, older than the bridge accepts. */
  public static Path pluginV56() {
    return file("libpjrt_standin_cpu_v56.so");
  }

  private static synchronized Path file(String name) {
    URL url = StandIn.class.getResource("native/" + name);
    if (url == null) throw new IllegalStateException(name + " is not among runtime-tpu's test resources: its native test build did not run");
    try {
      if (url.getProtocol().equals("file")) return Path.of(url.toURI());
      Path dir = Files.createTempDirectory("switchc-standin");
      Path target = dir.resolve(name);
      try (InputStream in = url.openStream()) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
      target.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
