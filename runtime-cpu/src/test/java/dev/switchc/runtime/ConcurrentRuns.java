package dev.switchc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Checks of the runtimes' thread-safety contract: concurrent runs of one program give the serial
 * results bit for bit, and close() racing with runs either waits for them or makes later calls
 * fail with a clear exception (a use-after-free would crash the test JVM instead). Shared with
 * runtime-tpu through the test jar.
 */
public final class ConcurrentRuns {
  /** A hung run (a deadlock in native code) fails the test instead of hanging the build. */
  private static final long TIMEOUT_S = 120;

  private ConcurrentRuns() {}

  /**
   * Runs {@code run} on inputs 0 .. threads*calls-1 one after another, then again from
   * {@code threads} threads at once, thread t doing calls t*calls .. t*calls+calls-1, all threads
   * released together; every concurrent result must equal the serial result of the same input bit
   * for bit. Prints both wall times.
   */
  public static void assertSameAsSerial(String what, int threads, int calls, IntFunction<Map<String, HostTensor>> run) {
    int n = threads * calls;
    List<Map<String, HostTensor>> serial = new ArrayList<>(n);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) serial.add(run.apply(i));
    long serialNs = System.nanoTime() - t0;
    List<Map<String, HostTensor>> concurrent = new ArrayList<>(n);
    for (int i = 0; i < n; i++) concurrent.add(null);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t * calls;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = first; i < first + calls; i++) concurrent.set(i, run.apply(i)); // distinct indices: no race on the list
          return null;
        }));
      }
      long t1 = System.nanoTime();
      start.countDown();
      for (Future<?> f : done) get(f, what);
      long concurrentNs = System.nanoTime() - t1;
      System.out.printf("ConcurrentRuns, %s: %d calls serial %.1f ms, on %d threads %.1f ms%n",
          what, n, serialNs / 1e6, threads, concurrentNs / 1e6);
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < n; i++) assertBitwiseEqual(serial.get(i), concurrent.get(i), what + ", input " + i);
  }

  /**
   * Starts {@code threads} threads calling {@code run} in a loop, each comparing its result with
   * {@code expected}; once every thread has completed a few calls, calls {@code close} while they
   * keep calling. Every call must either return {@code expected} or, once close has begun, throw an
   * {@link IllegalStateException} whose message starts with {@code refusal}; after close returns,
   * every thread's next call must be refused. Returns how many calls were in flight when close
   * was called (0 would mean the race was not exercised).
   */
  public static int assertCloseWaitsOrRefuses(int threads, Supplier<Map<String, HostTensor>> run, Map<String, HostTensor> expected,
      Runnable close, String refusal) {
    AtomicInteger inFlight = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<IllegalStateException>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          boolean warmed = false;
          try {
            for (int call = 0; ; call++) {
              Map<String, HostTensor> got;
              inFlight.incrementAndGet();
              try {
                got = run.get();
              } catch (IllegalStateException e) {
                return e;
              } finally {
                inFlight.decrementAndGet();
              }
              assertBitwiseEqual(expected, got, "a run racing with close");
              if (call == 3) {
                warm.countDown();
                warmed = true;
              }
            }
          } finally {
            if (!warmed) warm.countDown(); // a thread that failed early: its error is reported below, not as a timeout
          }
        }));
      }
      if (!warm.await(TIMEOUT_S, TimeUnit.SECONDS)) fail("the threads did not complete 4 runs each in " + TIMEOUT_S + " s");
      int racing = inFlight.get();
      close.run();
      for (Future<IllegalStateException> f : done) {
        IllegalStateException refused = get(f, "runs racing with close");
        assertTrue(refused.getMessage().startsWith(refusal), "refusal message: " + refused.getMessage());
      }
      return racing;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Same names, types and bits (floats compared by their raw bits, so -0 and NaN payloads count). */
  public static void assertBitwiseEqual(Map<String, HostTensor> want, Map<String, HostTensor> got, String what) {
    assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()), what + ": output names");
    for (String name : want.keySet()) {
      HostTensor w = want.get(name), g = got.get(name);
      assertEquals(w.type(), g.type(), what + ": type of " + name);
      if (!Arrays.equals(bits(w), bits(g))) fail(what + ": output " + name + " differs: " + w + " vs " + g);
    }
  }

  private static int[] bits(HostTensor t) {
    if (!t.dtype().isFloat()) return t.ints();
    float[] f = t.floatBuffer();
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) out[i] = Float.floatToRawIntBits(f[i]);
    return out;
  }

  private static <T> T get(Future<T> f, String what) {
    try {
      return f.get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + ": a thread did not finish in " + TIMEOUT_S + " s (deadlock?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof AssertionError a) throw a;
      throw new AssertionError(what + ": a thread failed: " + e.getCause(), e.getCause());
    }
  }
}
