package dev.switchc.runtime.tpu;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Loads one of runtime-tpu's JNI libraries, built by Maven into its resources ({@code native/}):
 * straight from the class directory, or, from a jar, copied once into a per-user cache directory
 * named by the library's SHA-256 (so two versions never collide and a copy is never half written).
 */
final class NativeLibrary {
  private NativeLibrary() {}

  static void load(String fileName) {
    URL url = NativeLibrary.class.getResource("native/" + fileName);
    if (url == null)
      throw new IllegalStateException(fileName + " is not in runtime-tpu's resources: the native build (runtime-tpu/src/main/native/build.sh,"
          + " run by Maven with g++) did not run; rebuild with mvn -B package");
    try {
      Path file = url.getProtocol().equals("file") ? Path.of(url.toURI()) : extract(url, fileName);
      System.load(file.toAbsolutePath().toString());
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot load " + fileName + ": " + e.getMessage(), e);
    }
  }

  private static Path extract(URL url, String fileName) throws IOException {
    byte[] bytes;
    try (InputStream in = url.openStream()) {
      bytes = in.readAllBytes();
    }
    String hash;
    try {
      hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String base = System.getenv("XDG_CACHE_HOME");
    Path dir = (base != null && !base.isEmpty() ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache")).resolve("switchc").resolve(hash);
    Path target = dir.resolve(fileName);
    if (Files.isRegularFile(target) && Files.size(target) == bytes.length) return target;
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, fileName, ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }
}
