package dev.switchc.runtime.cpu;

import static dev.switchc.runtime.cpu.spmd.EndToEndTest.f32;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.gaussians;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import dev.switchc.lowering.StableHlo;
import dev.switchc.runtime.ConcurrentRuns;
import dev.switchc.runtime.HostTensor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CpuProgram}'s contract: runs from several threads at once give the serial results bit for
 * bit, and close racing with runs waits for them, then refuses later calls with a clear message.
 * The product is a matmul over gaussians, so a run that read another run's input, or summed in
 * another order, would show in the bits.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock fails the test instead of hanging the build
public class ThreadSafetyTest {
  static final TensorType X = f32("batch", 64, "d", 256), W = f32("d", 256, "f", 128);
  static final int THREADS = 4, CALLS = 50;

  public static Func matmul() {
    FuncBuilder b = new FuncBuilder("matmul");
    Value x = b.param("x", X);
    Value w = b.param("w", W);
    b.result("y", b.unlocated().einsum(x, w, f32("batch", 64, "f", 128).shape()));
    return b.build();
  }

  public static HostTensor x(long seed) {
    return HostTensor.f32(X.shape(), gaussians((int) X.shape().elements(), seed));
  }

  public static final HostTensor W0 = HostTensor.f32(W.shape(), gaussians((int) W.shape().elements(), -1));

  @Test
  void concurrentRunsEqualSerialRunsBitForBit() {
    try (CpuProgram p = CpuProgram.load(StableHlo.compile(matmul()))) {
      ConcurrentRuns.assertSameAsSerial("CpuProgram.run", THREADS, CALLS, i -> p.run(Map.of("x", x(i), "w", W0)));
    }
  }

  @Test
  void concurrentRunsWithKeptInputsEqualSerialRunsBitForBit() {
    try (CpuProgram p = CpuProgram.load(StableHlo.compile(matmul())); CpuProgram.Kept w = p.keep(Map.of("w", W0))) {
      ConcurrentRuns.assertSameAsSerial("CpuProgram.run with w kept", THREADS, CALLS, i -> p.run(w, Map.of("x", x(i))));
      assertEquals(p.run(Map.of("x", x(7), "w", W0)), p.run(w, Map.of("x", x(7))));
    }
  }

  @Test
  void closeRacingWithRunsWaitsForThemThenRefusesClearly() {
    int racing = 0;
    for (int round = 0; round < 3; round++) {
      CpuProgram p = CpuProgram.load(StableHlo.compile(matmul()));
      HostTensor x = x(round);
      Map<String, HostTensor> want = p.run(Map.of("x", x, "w", W0));
      racing += ConcurrentRuns.assertCloseWaitsOrRefuses(THREADS, () -> p.run(Map.of("x", x, "w", W0)), want, p::close,
          "cannot run: this CpuProgram is closed; load the module again to run it");
      IllegalStateException keep = assertThrows(IllegalStateException.class, () -> p.keep(Map.of("w", W0)));
      assertEquals("cannot keep: this CpuProgram is closed; load the module again to run it", keep.getMessage());
    }
    assertTrue(racing > 0, "close was called while runs were in flight in at least one of 3 rounds");
  }

  @Test
  void closeRacingWithRunsOnKeptInputsRefusesClearly() {
    int racing = 0;
    for (int round = 0; round < 3; round++) {
      CpuProgram p = CpuProgram.load(StableHlo.compile(matmul()));
      CpuProgram.Kept w = p.keep(Map.of("w", W0));
      HostTensor x = x(round);
      racing += ConcurrentRuns.assertCloseWaitsOrRefuses(THREADS, () -> p.run(w, Map.of("x", x)), p.run(w, Map.of("x", x)), p::close,
          "cannot run: this CpuProgram is closed; load the module again to run it");
    }
    assertTrue(racing > 0, "close was called while runs were in flight in at least one of 3 rounds");
  }

  @Test
  void closingKeptInputsWhileRunsUseThemRefusesClearly() {
    int racing = 0;
    try (CpuProgram p = CpuProgram.load(StableHlo.compile(matmul()))) {
      for (int round = 0; round < 3; round++) {
        CpuProgram.Kept w = p.keep(Map.of("w", W0));
        HostTensor x = x(round);
        Map<String, HostTensor> want = p.run(w, Map.of("x", x));
        racing += ConcurrentRuns.assertCloseWaitsOrRefuses(THREADS, () -> p.run(w, Map.of("x", x)), want, w::close,
            "these kept inputs are closed or belong to another program; keep them again with keep()");
        ConcurrentRuns.assertBitwiseEqual(want, p.run(Map.of("x", x, "w", W0)), "the program after its kept inputs were closed");
      }
    }
    assertTrue(racing > 0, "close was called while runs were in flight in at least one of 3 rounds");
  }
}
