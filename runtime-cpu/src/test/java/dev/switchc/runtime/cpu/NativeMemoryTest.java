package dev.switchc.runtime.cpu;

import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RssCheck;
import static dev.switchc.runtime.cpu.Fixtures.module;
import static dev.switchc.runtime.cpu.Fixtures.port;
import static dev.switchc.runtime.cpu.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.ir.DType;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.CompiledModule;
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

  private static void assertRssFlat(String what, int runs, Runnable body) {
    RssCheck.assertFlat(what, runs, LIMIT_MB, body);
  }
}
