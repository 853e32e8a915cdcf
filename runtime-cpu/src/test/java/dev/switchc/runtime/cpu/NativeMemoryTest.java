package dev.switchc.runtime.cpu;

import dev.switchc.runtime.HostTensor;
import static dev.switchc.runtime.cpu.Fixtures.module;
import static dev.switchc.runtime.cpu.Fixtures.port;
import static dev.switchc.runtime.cpu.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchc.ir.DType;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.CompiledModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Native tensors and results must be closed on every path. The module's pom runs tests with
 * javacpp's pointer GC off, so a tensor left to the garbage collector is never freed and shows up
 * here as about 4-6 MB of RSS per run instead of hiding behind a lucky GC.
 */
class NativeMemoryTest {
  static final Shape RC = shape("rows", 1024, "cols", 1024);
  static final int N = 1 << 20;
  static final long LIMIT_MB = 100;

  static final CompiledModule SCALE = module("""
      module @scale {
        func.func public @main(%arg0: tensor<1024x1024xf32>, %arg1: tensor<1024x1024xbf16>) -> (tensor<1024x1024xf32>, tensor<1024x1024xbf16>) {
          %0 = stablehlo.add %arg0, %arg0 : tensor<1024x1024xf32>
          %1 = stablehlo.negate %arg1 : tensor<1024x1024xbf16>
          return %0, %1 : tensor<1024x1024xf32>, tensor<1024x1024xbf16>
        }
      }
      """,
      List.of(port("x", DType.F32, RC), port("h", DType.BF16, RC)),
      List.of(port("y", DType.F32, RC), port("g", DType.BF16, RC)));

  static HostTensor ramp(DType dtype) {
    float[] data = new float[N];
    for (int i = 0; i < N; i++) data[i] = i % 1000;
    return dtype == DType.F32 ? HostTensor.f32(RC, data) : HostTensor.bf16(RC, data);
  }

  @Test
  void rssStaysFlatOver2000Runs() {
    HostTensor x = ramp(DType.F32);
    HostTensor h = ramp(DType.BF16);
    try (CpuProgram p = CpuProgram.load(SCALE)) {
      List<HostTensor> out = p.run(List.of(x, h));
      assertEquals(1998f, out.get(0).floatAt(999));
      assertEquals(-1000f, out.get(1).floatAt(999)); // 999 rounds to 1000 in bf16
      assertRssFlat("2 x 1M-element inputs and outputs", 2000, () -> p.run(List.of(x, h)));
    }
  }

  @Test
  void inputTensorsAreClosedWhenCompilationFails() {
    CompiledModule broken = module(SCALE.text().replace("%arg0, %arg0", "%arg0, %argX"),
        SCALE.signature().inputs(), SCALE.signature().outputs());
    HostTensor x = ramp(DType.F32);
    HostTensor h = ramp(DType.BF16);
    try (CpuProgram p = CpuProgram.load(broken)) {
      // Few runs: each failed compilation prints its diagnostic on stderr again.
      assertRssFlat("failed compilations", 50,
          () -> assertThrows(XlaCompileException.class, () -> p.run(List.of(x, h))));
    }
  }

  @Test
  void resultsAreClosedWhenAnOutputIsRejected() {
    // The signature claims other dimensions than the module returns, so reading the output fails.
    Shape swapped = shape("cols", 512, "rows", 2048);
    CompiledModule lying = module(SCALE.text(), SCALE.signature().inputs(),
        List.of(port("y", DType.F32, swapped), port("g", DType.BF16, RC)));
    HostTensor x = ramp(DType.F32);
    HostTensor h = ramp(DType.BF16);
    try (CpuProgram p = CpuProgram.load(lying)) {
      assertRssFlat("rejected outputs", 300,
          () -> assertThrows(IllegalStateException.class, () -> p.run(List.of(x, h))));
    }
  }

  /**
   * Runs {@code body} a few times (compilation, JIT) until RSS settles, then {@code runs} more
   * times, failing as soon as RSS has grown by more than the limit, so that a leak stops the test
   * after a few hundred MB rather than exhausting the machine. The pom pins and pre-touches the Java
   * heap so that RSS growth is native growth; any change of the committed heap is subtracted anyway.
   */
  private static void assertRssFlat(String what, int runs, Runnable body) {
    long start = rssKb();
    long last = start;
    for (int batch = 0; batch < 10; batch++) {
      for (int i = 0; i < 10; i++) body.run();
      long now = rssKb();
      if ((now - start) / 1024 > 4 * LIMIT_MB) fail(what + ": RSS grew by " + (now - start) / 1024 + " MB while warming up");
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
        if (growthMb > LIMIT_MB) fail(what + ": native memory grew by " + growthMb + " MB after " + i + " runs");
      }
    }
    System.out.printf("NativeMemoryTest, %s: %.2f ms/run; over %d runs RSS %+d MB, committed Java heap %+d MB%n",
        what, (System.nanoTime() - t0) / 1e6 / runs, runs, (rssKb() - rss0) / 1024, (heapCommittedKb() - heap0) / 1024);
  }

  private static long rssKb() {
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
