package dev.switchc.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchc.driver.UserInputError;
import java.util.Set;

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
  void missingDirectoriesAreCreated() throws IOException {
    AtomicFile.writeString(dir.resolve("no/such/dir/x"), "x");
    assertEquals("x", Files.readString(dir.resolve("no/such/dir/x")));
  }

  @Test
  void aPathUnderARegularFileFailsNamingTheTarget() throws IOException {
    Files.writeString(dir.resolve("file"), "f");
    IOException e = assertThrows(IOException.class, () -> AtomicFile.writeString(dir.resolve("file/x"), "x"));
    assertTrue(e.getMessage().startsWith(dir.resolve("file/x") + ": cannot write: "), e.getMessage());
    assertEquals(List.of(dir.resolve("file")), list());
  }

  @Test
  void aBatchWritesAllOrNothing() throws IOException {
    Path a = dir.resolve("a"), b = dir.resolve("b");
    AtomicFile.writeString(a, "old a");
    IOException boom = new IOException("third write failed");
    try (AtomicFile.Batch batch = new AtomicFile.Batch()) {
      batch.write(a, out -> out.write('A'));
      batch.write(b, out -> out.write('B'));
      assertSame(boom, assertThrows(IOException.class, () -> batch.write(dir.resolve("c"), out -> {
        throw boom;
      })));
    }
    assertEquals("old a", Files.readString(a), "nothing moved into place");
    assertEquals(List.of(a), list(), "and no temporary file left");
    try (AtomicFile.Batch batch = new AtomicFile.Batch()) {
      batch.write(a, out -> out.write('A'));
      batch.write(b, out -> out.write('B'));
      batch.commit();
    }
    assertEquals("A", Files.readString(a));
    assertEquals("B", Files.readString(b));
    assertEquals(List.of(a, b), list());
  }

  @Test
  void aSymbolicLinkIsFollowedAndKept() throws IOException {
    Path real = dir.resolve("real"), link = dir.resolve("link");
    Files.writeString(real, "old");
    Files.createSymbolicLink(link, real);
    AtomicFile.writeString(link, "new");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("new", Files.readString(real));
  }

  @Test
  void aNodeThatIsNotARegularFileIsNeverReplaced() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    IOException e = assertThrows(IOException.class, () -> AtomicFile.writeString(fifo, "x"));
    assertTrue(e.getMessage().contains("a FIFO, not a regular file"), e.getMessage());
    assertFalse(Files.isRegularFile(fifo));
    Path device = dir.resolve("null"); // a link: a regression must not be able to replace the machine's /dev/null
    Files.createSymbolicLink(device, Path.of("/dev/null"));
    assertThrows(IOException.class, () -> AtomicFile.writeString(device, "x"));
    assertTrue(Files.isSymbolicLink(device));
  }

  @Test
  void temporaryNamesCarryThePidAndStaleOnesOfDeadProcessesAreSwept() throws Exception {
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    long pid = dead.pid();
    Path stale = dir.resolve(".y.npy." + pid + ".abc123.tmp"), otherTarget = dir.resolve(".z.npy." + pid + ".abc123.tmp");
    Path live = dir.resolve(".y.npy." + ProcessHandle.current().parent().orElseThrow().pid() + ".abc123.tmp");
    for (Path p : List.of(stale, otherTarget, live)) Files.writeString(p, "partial");
    AtomicFile.writeString(dir.resolve("y.npy"), "y");
    assertFalse(Files.exists(stale), "a dead process's temporary for this target is swept");
    assertTrue(Files.exists(otherTarget), "another target's temporaries are left to its own writes");
    assertTrue(Files.exists(live), "a running process's temporary is its own");
  }

  @Test
  void aDirectoryIsReplacedAsOneSet() throws IOException {
    Path out = dir.resolve("out");
    Set<String> ours = Set.of("a", "b", "c");
    AtomicFile.writeDirectory(out, ours, d -> {
      Files.writeString(d.resolve("a"), "1");
      Files.writeString(d.resolve("b"), "1");
    });
    AtomicFile.writeDirectory(out, ours, d -> Files.writeString(d.resolve("c"), "2"));
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of(out.resolve("c")), s.toList(), "the earlier set is gone, not mixed with the new one");
    }
    IOException boom = new IOException("killed midway");
    assertSame(boom, assertThrows(IOException.class, () -> AtomicFile.writeDirectory(out, ours, d -> {
      Files.writeString(d.resolve("a"), "3");
      throw boom;
    })));
    assertEquals("2", Files.readString(out.resolve("c")), "a failed write leaves the previous set whole");
    assertEquals(List.of(out), list(), "and no temporary directory");
  }

  @Test
  void aDirectoryWithFilesOfSomeoneElseIsNotReplaced() throws IOException {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("mine.txt"), "keep");
    UserInputError e = assertThrows(UserInputError.class, () -> AtomicFile.writeDirectory(out, Set.of("a"), d -> Files.writeString(d.resolve("a"), "1")));
    assertTrue(e.getMessage().contains("holds mine.txt"), e.getMessage());
    assertEquals("keep", Files.readString(out.resolve("mine.txt")));
    assertEquals(List.of(out), list());
  }

  private List<Path> list() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
