package dev.switchc.driver.io;

import static dev.switchc.driver.FuzzContract.assertUserFacing;
import static dev.switchc.frontend.fuzz.FuzzChecks.withinTimeout;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link Npy}'s readers on arbitrary bytes: a valid array or a {@link TensorFileException}, never
 * another exception, a huge allocation or a hang. Seeds: {@code NpyFuzzTestInputs/readNpy}.
 */
class NpyFuzzTest {
  /** One file per JVM, rewritten for each input: Jazzer's inputs are bytes, the readers take paths. */
  private static final Path FILE = tempFile();

  @FuzzTest
  void readNpy(byte[] bytes) throws Exception {
    Files.write(FILE, bytes);
    withinTimeout(() -> {
      try {
        Npy.readFloats(FILE);
      } catch (RuntimeException e) {
        assertUserFacing(e);
      }
      try {
        Npy.readInts(FILE);
      } catch (RuntimeException e) {
        assertUserFacing(e);
      }
    });
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("fuzz-", ".npy");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
