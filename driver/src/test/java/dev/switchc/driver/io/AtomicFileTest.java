package dev.switchc.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
  @TempDir
  Path dir;

  @Test
  void failingBodyLeavesPreviousContentAndNoTempFiles() throws IOException {
    Path target = dir.resolve("out.bin");
    AtomicFile.writeString(target, "previous");
    IOException boom = new IOException("disk on fire");
    IOException thrown = assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
      out.write(new byte[100_000]); // more than the buffer, so bytes really reach the temp file
      throw boom;
    }));
    assertSame(boom, thrown);
    assertEquals("previous", Files.readString(target));
    assertEquals(List.of(target), list());
  }

  @Test
  void uncheckedFailureAlsoCleansUp() throws IOException {
    Path target = dir.resolve("new.bin");
    assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, out -> {
      out.write(1);
      throw new IllegalStateException("bug");
    }));
    assertEquals(List.of(), list(), "no target and no temp file");
  }

  @Test
  void failingTensorWriteKeepsOldFile() throws IOException {
    Path target = dir.resolve("t.npy");
    Npy.writeFloats(target, new long[] {1}, new float[] {7});
    byte[] before = Files.readAllBytes(target);
    // A shape/data mismatch is rejected before any file is touched.
    assertThrows(IllegalArgumentException.class, () -> Npy.writeFloats(target, new long[] {2}, new float[] {1}));
    assertArrayEquals(before, Files.readAllBytes(target));
    assertEquals(List.of(target), list());
  }

  @Test
  void successReplacesTargetAndBodyMayClose() throws IOException {
    Path target = dir.resolve("a.txt");
    AtomicFile.writeString(target, "one");
    AtomicFile.write(target, out -> {
      try (OutputStream o = out) {
        o.write("two é".getBytes(StandardCharsets.UTF_8));
      }
    });
    assertEquals("two é", Files.readString(target));
    AtomicFile.writeBytes(target, new byte[] {1, 2});
    assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(target));
    assertEquals(List.of(target), list());
  }

  @Test
  void missingDirectoryFailsCleanly() {
    assertThrows(IOException.class, () -> AtomicFile.writeString(dir.resolve("no/such/dir/x"), "x"));
  }

  private List<Path> list() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
