package dev.switchc.runtime.cpu;

import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RssCheck;
import static dev.switchc.runtime.cpu.Fixtures.module;
import static dev.switchc.runtime.cpu.Fixtures.port;
import static dev.switchc.runtime.cpu.Fixtures.shape;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.f32;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.gaussians;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Value;
import dev.switchc.lowering.StableHlo;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.CompiledModule;
import java.util.List;
import java.util.Map;
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

  /**
   * The small-call regime of an inference loop: a kept parameter and 10,000 runs (about 4 s here,
   * warm-up included), each feeding a 16 KiB input and reading an 8 KiB result, so a tensor or
   * result left open per run would add 80 MB or more. Measured over 100,000 runs, RSS rose by about
   * 30 MB over the first 5,000 and then stayed within a few MB, hence the long warm-up.
   */
  @Test
  void rssStaysFlatOver10000SmallRunsWithAKeptParameter() {
    FuncBuilder b = new FuncBuilder("small");
    Value x = b.param("x", f32("batch", 16, "d", 256));
    Value w = b.param("w", f32("d", 256, "f", 128));
    b.result("y", b.unlocated().einsum(x, w, f32("batch", 16, "f", 128).shape()));
    Func f = b.build();
    HostTensor xs = HostTensor.f32(f.params().get(0).value().type().shape(), gaussians(16 * 256, 1));
    HostTensor ws = HostTensor.f32(f.params().get(1).value().type().shape(), gaussians(256 * 128, 2));
    try (CpuProgram p = CpuProgram.load(StableHlo.compile(f)); CpuProgram.Kept kept = p.keep(Map.of("w", ws))) {
      Map<String, HostTensor> want = p.run(Map.of("x", xs, "w", ws)), data = Map.of("x", xs);
      RssCheck.assertFlatAfterWarmUp("CpuProgram, 16x256 by a kept 256x128", 5_000, 10_000, 16, () -> p.run(kept, data));
      assertEquals(want, p.run(kept, data));
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
