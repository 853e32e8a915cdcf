package dev.switchc.driver.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hidden temporary files and directories that outputs are written to before they are moved
 * into place: {@code .NAME.PID.RANDOM.tmp} beside the target. They never outlive the process on
 * a normal exit, an exception, SIGTERM or Ctrl-C: each is registered before it is created and a
 * shutdown hook deletes whatever is still registered. A SIGKILL cannot be caught, so every new
 * temporary also sweeps the ones beside it whose process is gone (the PID in the name says whose).
 *
 * <p>The registry is process-wide on purpose: signals and shutdown hooks are.
 */
public final class TempFiles {
  private static final Pattern NAME = Pattern.compile("\\.(.+)\\.(\\d+)\\.[0-9a-f]+\\.tmp");
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
  private static final long PID = ProcessHandle.current().pid();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteAll, "switchc-temp-files"));
  }

  private TempFiles() {}

  /**
   * A fresh temporary name beside {@code target} (same directory, so the final rename stays on
   * one file system), registered for deletion at exit. Stale temporaries of dead processes for
   * the same target are swept first.
   */
  static Path reserve(Path target) {
    Path dir = target.getParent();
    String name = target.getFileName().toString();
    sweep(dir, name);
    Path tmp = dir.resolve("." + name + "." + PID + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
    LIVE.add(tmp);
    return tmp;
  }

  /** {@code tmp} was renamed into place or deleted: nothing left to clean up. */
  static void release(Path tmp) {
    LIVE.remove(tmp);
  }

  /** Deletes {@code tmp} (a file or a directory tree) and forgets it; failures are added to {@code failure}. */
  static void discard(Path tmp, Throwable failure) {
    try {
      deleteTree(tmp);
      LIVE.remove(tmp);
    } catch (IOException e) {
      if (failure != null) failure.addSuppressed(e);
    }
  }

  /** Temporaries for {@code name} in {@code dir} left by processes that no longer run (killed with SIGKILL). */
  static void sweep(Path dir, String name) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "." + globEscape(name) + ".*.tmp")) {
      for (Path p : entries) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches() || !m.group(1).equals(name)) continue;
        long pid = Long.parseLong(m.group(2).length() > 18 ? "-1" : m.group(2));
        if (pid != PID && pid > 0 && ProcessHandle.of(pid).isEmpty()) deleteTree(p);
      }
    } catch (IOException | RuntimeException e) {
      // A sweep is housekeeping: an unreadable directory fails the write itself, with a clear message.
    }
  }

  private static void deleteAll() {
    for (Path p : LIVE) {
      try {
        deleteTree(p);
      } catch (IOException e) {
        // exiting: nothing more to do
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
      }
    } else {
      Files.deleteIfExists(p);
    }
  }

  private static String globEscape(String s) {
    return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
  }
}
