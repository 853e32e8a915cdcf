package dev.switchc.driver.io;

import static dev.switchc.driver.FuzzContract.assertUserFacing;
import static dev.switchc.frontend.fuzz.FuzzChecks.withinTimeout;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link Safetensors#read} on arbitrary bytes: the tensors or a {@link TensorFileException}, never
 * another exception, a huge allocation or a hang. Seeds: {@code SafetensorsFuzzTestInputs/readSafetensors}.
 */
class SafetensorsFuzzTest {
  /** One file per JVM, rewritten for each input: Jazzer's inputs are bytes, the reader takes a path. */
  private static final Path FILE = tempFile();

  @FuzzTest
  void readSafetensors(byte[] bytes) throws Exception {
    Files.write(FILE, bytes);
    withinTimeout(() -> {
      try {
        Safetensors.read(FILE);
      } catch (RuntimeException e) {
        assertUserFacing(e);
      }
    });
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("fuzz-", ".safetensors");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
