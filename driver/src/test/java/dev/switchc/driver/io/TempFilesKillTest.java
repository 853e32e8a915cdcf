package dev.switchc.driver.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed while it writes an output leaves no temporary file behind (issue 11, defect 7):
 * SIGTERM and SIGINT run the shutdown hook that deletes it; SIGKILL cannot be caught, so the next
 * write of the same output sweeps it. The target is never touched in either case.
 */
class TempFilesKillTest {
  @TempDir
  Path dir;

  /** The child: starts writing {@code args[0]}, says so, and waits to be killed mid-write. */
  public static final class SlowWriter {
    public static void main(String[] args) throws Exception {
      AtomicFile.write(Path.of(args[0]), out -> {
        out.write(new byte[1 << 20]);
        out.flush();
        System.out.println("writing");
        System.out.flush();
        try {
          Thread.sleep(120_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
  }

  @Test
  void sigtermDuringAWriteLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("y.npy");
    Files.writeString(target, "previous");
    killMidWrite(target, "TERM");
    assertEquals(List.of("y.npy"), names());
    assertEquals("previous", Files.readString(target));
  }

  @Test
  void sigintDuringAWriteLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("y.npy");
    killMidWrite(target, "INT");
    assertEquals(List.of(), names());
  }

  @Test
  void sigkillLeavesATemporaryThatTheNextWriteSweeps() throws Exception {
    Path target = dir.resolve("y.npy");
    killMidWrite(target, "KILL");
    List<String> left = names();
    assertEquals(1, left.size(), "SIGKILL cannot be caught: " + left);
    assertTrue(left.get(0).startsWith(".y.npy.") && left.get(0).endsWith(".tmp"), left.toString());
    AtomicFile.writeString(target, "new");
    assertEquals(List.of("y.npy"), names());
  }

  private void killMidWrite(Path target, String signal) throws Exception {
    // Through perl (Debian's perl-base is always there) to give the child default SIGINT handling:
    // a build started in the background of a non-interactive shell inherits SIGINT ignored, and the
    // JVM leaves an ignored signal ignored. A user's Ctrl-C reaches a foreground process.
    Process child = new ProcessBuilder("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SlowWriter.class.getName(), target.toString()).redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = r.readLine();
      assertEquals("writing", line);
      assertTrue(names().stream().anyMatch(n -> n.startsWith(".y.npy.") && n.endsWith(".tmp")), "the temporary exists mid-write: " + names());
      assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start().waitFor());
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child ended");
    } finally {
      child.destroyForcibly();
    }
  }

  private List<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
