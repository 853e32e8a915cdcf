package dev.switchc.runtime;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Native-memory leak checks by resident set size. The modules that use it pin and pre-touch the
 * Java heap (surefire argLine), so RSS growth is native growth; any change of the committed heap is
 * subtracted anyway.
 */
public final class RssCheck {
  private RssCheck() {}

  /**
   * Runs {@code body} a few times (compilation, JIT) until RSS settles, then {@code runs} more
   * times, failing as soon as RSS has grown by more than {@code limitMb}, so that a leak stops the
   * test after a few hundred MB rather than exhausting the machine. Prints the measurement.
   */
  public static void assertFlat(String what, int runs, long limitMb, Runnable body) {
    long start = rssKb();
    long last = start;
    for (int batch = 0; batch < 10; batch++) {
      for (int i = 0; i < 10; i++) body.run();
      long now = rssKb();
      if ((now - start) / 1024 > 4 * limitMb) fail(what + ": RSS grew by " + (now - start) / 1024 + " MB while warming up");
      if (batch >= 1 && now - last < 4 * 1024) break;
      last = now;
    }
    long rss0 = rssKb();
    long heap0 = heapCommittedKb();
    long t0 = System.nanoTime();
    for (int i = 1; i <= runs; i++) {
      body.run();
      if (i % 10 == 0 || i == runs) {
        long growthMb = (rssKb() - rss0 - Math.max(0, heapCommittedKb() - heap0)) / 1024;
        if (growthMb > limitMb) fail(what + ": native memory grew by " + growthMb + " MB after " + i + " runs");
      }
    }
    System.out.printf("RssCheck, %s: %.2f ms/run; over %d runs RSS %+d MB, committed Java heap %+d MB%n",
        what, (System.nanoTime() - t0) / 1e6 / runs, runs, (rssKb() - rss0) / 1024, (heapCommittedKb() - heap0) / 1024);
  }

  /**
   * {@link #assertFlat} after {@code warmUpRuns} unmeasured runs. For checks of many thousand small
   * runs: RSS then still rises by several MB over the first few thousand (the JIT compiling the
   * runtime's hot paths, malloc arenas of XLA's threads) and is flat afterwards (measured on the
   * mesh: +11 MB over the first 4,000 runs, then +0 MB over the next 36,000), which a linear leak
   * is not.
   */
  public static void assertFlatAfterWarmUp(String what, int warmUpRuns, int runs, long limitMb, Runnable body) {
    long start = rssKb();
    for (int i = 1; i <= warmUpRuns; i++) {
      body.run();
      if (i % 100 == 0 && (rssKb() - start) / 1024 > 4 * limitMb)
        fail(what + ": RSS grew by " + (rssKb() - start) / 1024 + " MB in " + i + " warm-up runs");
    }
    System.out.printf("RssCheck, %s: %d warm-up runs, RSS %+d MB%n", what, warmUpRuns, (rssKb() - start) / 1024);
    assertFlat(what, runs, limitMb, body);
  }

  /** VmRSS of this process in KiB. */
  public static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status")))
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private static long heapCommittedKb() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
  }
}
