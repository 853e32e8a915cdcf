package dev.switchc.runtime.cpu.spmd;

import static dev.switchc.runtime.cpu.spmd.EndToEndTest.layout;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.mesh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.Shard;
import dev.switchc.lowering.Lower;
import dev.switchc.lowering.SpmdLower;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.runtime.ConcurrentRuns;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.cpu.ThreadSafetyTest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SpmdProgram} inherits {@link dev.switchc.runtime.cpu.CpuProgram}'s contract: concurrent
 * runs of an emulated mesh give the serial results bit for bit (the matmul's contraction dim is
 * split over the devices, so each run sums partial products through an emulated all-reduce), and
 * close racing with runs refuses later calls naming SpmdProgram.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock fails the test instead of hanging the build
class SpmdThreadSafetyTest {
  static HloModule spmd() {
    return SpmdLower.run(Shard.run(ThreadSafetyTest.matmul(), mesh("data=2,model=2"), layout("batch=data,d=model")));
  }

  static SpmdProgram load() {
    return SpmdProgram.load(spmd(), Lower.signature(ThreadSafetyTest.matmul()));
  }

  @Test
  void concurrentRunsEqualSerialRunsBitForBit() {
    try (SpmdProgram p = load(); Executable.Resident w = p.keep(Map.of("w", ThreadSafetyTest.W0))) {
      ConcurrentRuns.assertSameAsSerial("SpmdProgram.run on data=2,model=2", 4, 25,
          i -> p.run(Map.of("x", ThreadSafetyTest.x(i), "w", ThreadSafetyTest.W0)));
      ConcurrentRuns.assertSameAsSerial("SpmdProgram.run on data=2,model=2, w kept", 4, 25,
          i -> p.run(w, Map.of("x", ThreadSafetyTest.x(i))));
    }
  }

  @Test
  void closeRacingWithRunsRefusesClearly() {
    int racing = 0;
    for (int round = 0; round < 3; round++) {
      SpmdProgram p = load();
      HostTensor x = ThreadSafetyTest.x(round);
      Map<String, HostTensor> in = Map.of("x", x, "w", ThreadSafetyTest.W0);
      racing += ConcurrentRuns.assertCloseWaitsOrRefuses(4, () -> p.run(in), p.run(in), p::close,
          "cannot run: this SpmdProgram is closed; load the module again to run it");
      IllegalStateException keep = assertThrows(IllegalStateException.class, () -> p.keep(Map.of("w", ThreadSafetyTest.W0)));
      assertEquals("cannot keep: this SpmdProgram is closed; load the module again to run it", keep.getMessage());
    }
    assertTrue(racing > 0, "close was called while runs were in flight in at least one of 3 rounds");
  }

  @Test
  void closingKeptInputsWhileRunsUseThemRefusesClearly() {
    try (SpmdProgram p = load()) {
      Executable.Resident w = p.keep(Map.of("w", ThreadSafetyTest.W0));
      Map<String, HostTensor> x = Map.of("x", ThreadSafetyTest.x(1));
      int racing = ConcurrentRuns.assertCloseWaitsOrRefuses(4, () -> p.run(w, x), p.run(w, x), w::close,
          "these kept inputs are closed; keep them again with keep()");
      assertTrue(racing > 0, "close was called while runs were in flight");
    }
  }
}
