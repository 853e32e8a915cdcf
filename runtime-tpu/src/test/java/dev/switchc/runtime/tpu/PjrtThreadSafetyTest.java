package dev.switchc.runtime.tpu;

import static dev.switchc.runtime.cpu.spmd.EndToEndTest.layout;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.mesh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.Func;
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
 * {@link PjrtProgram}'s contract on XLA's CPU devices: runs from several threads at once give the
 * serial results bit for bit, also when two programs share one client (their launches must not
 * interleave inside XLA's collectives, which would deadlock; the timeout turns a deadlock into a
 * failure), and close racing with runs waits for them, frees every buffer, then refuses later
 * calls clearly. The matmul's contraction dim is split over devices, so every run all-reduces.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock fails the test instead of hanging the build
class PjrtThreadSafetyTest {
  static final Func F = ThreadSafetyTest.matmul();

  static HloModule spmd(String layoutSpec) {
    return SpmdLower.run(Shard.run(F, mesh("data=2,model=2"), layout(layoutSpec)));
  }

  static PjrtProgram program(DeviceClient client, boolean owns, String layoutSpec) {
    return PjrtProgram.compile(client, owns, spmd(layoutSpec), Lower.signature(F));
  }

  static Map<String, HostTensor> in(long seed) {
    return Map.of("x", ThreadSafetyTest.x(seed), "w", ThreadSafetyTest.W0);
  }

  @Test
  void concurrentRunsEqualSerialRunsBitForBit() {
    try (PjrtProgram p = program(CpuClient.create(4), true, "batch=data,d=model");
        Executable.Resident w = p.keep(Map.of("w", ThreadSafetyTest.W0))) {
      ConcurrentRuns.assertSameAsSerial("PjrtProgram.run on 4 XLA CPU devices", 4, 50, i -> p.run(in(i)));
      ConcurrentRuns.assertSameAsSerial("PjrtProgram.run on 4 XLA CPU devices, w kept", 4, 50,
          i -> p.run(w, Map.of("x", ThreadSafetyTest.x(i))));
    }
  }

  @Test
  void twoProgramsOnOneClientRunFromSeveralThreadsWithoutDeadlock() {
    try (CpuClient client = CpuClient.create(4);
        PjrtProgram a = program(client, false, "batch=data,d=model");
        PjrtProgram b = program(client, false, "d=model+data")) {
      // Even calls run a (all-reduce in pairs), odd calls b (all-reduce over all four devices).
      ConcurrentRuns.assertSameAsSerial("two PjrtPrograms on one CpuClient", 4, 50, i -> (i % 2 == 0 ? a : b).run(in(i)));
    }
  }

  @Test
  void closeRacingWithRunsWaitsForThemThenRefusesClearly() {
    long[] before = XlaBridge.liveHandles();
    int racing = 0;
    for (int round = 0; round < 3; round++) {
      PjrtProgram p = program(CpuClient.create(4), true, "batch=data,d=model");
      Executable.Resident w = p.keep(Map.of("w", ThreadSafetyTest.W0));
      Map<String, HostTensor> x = Map.of("x", ThreadSafetyTest.x(round)), all = in(round);
      racing += round % 2 == 0
          ? ConcurrentRuns.assertCloseWaitsOrRefuses(4, () -> p.run(all), p.run(all), p::close,
              "cannot run: this PjrtProgram is closed; compile or deserialize it again to run it")
          : ConcurrentRuns.assertCloseWaitsOrRefuses(4, () -> p.run(w, x), p.run(w, x), p::close,
              "cannot run: this PjrtProgram is closed; compile or deserialize it again to run it");
      IllegalStateException keep = assertThrows(IllegalStateException.class, () -> p.keep(Map.of("w", ThreadSafetyTest.W0)));
      assertEquals("cannot keep: this PjrtProgram is closed; compile or deserialize it again to run it", keep.getMessage());
    }
    assertTrue(racing > 0, "close was called while runs were in flight in at least one of 3 rounds");
    assertArrayEquals(before, XlaBridge.liveHandles(), "{clients, executables, buffers} alive before and after");
  }

  /** A misuse, but one that must not free the native client under a run: runs fail clearly instead. */
  @Test
  void closingASharedClientWhileProgramsRunOnItRefusesClearly() {
    long[] before = XlaBridge.liveHandles();
    CpuClient client = CpuClient.create(4);
    PjrtProgram p = program(client, false, "batch=data,d=model");
    Map<String, HostTensor> all = in(3);
    int racing = ConcurrentRuns.assertCloseWaitsOrRefuses(4, () -> p.run(all), p.run(all), client::close,
        "cannot upload: this CpuClient is closed; close the programs on a client before the client");
    client.close(); // idempotent
    p.close();
    assertTrue(racing > 0, "close was called while runs were in flight");
    assertArrayEquals(before, XlaBridge.liveHandles(), "{clients, executables, buffers} alive before and after");
  }

  @Test
  void closingKeptInputsWhileRunsUseThemRefusesClearly() {
    int racing = 0;
    try (PjrtProgram p = program(CpuClient.create(4), true, "batch=data,d=model")) {
      long[] before = XlaBridge.liveHandles();
      for (int round = 0; round < 3; round++) {
        Executable.Resident w = p.keep(Map.of("w", ThreadSafetyTest.W0));
        Map<String, HostTensor> x = Map.of("x", ThreadSafetyTest.x(round));
        Map<String, HostTensor> want = p.run(w, x);
        racing += ConcurrentRuns.assertCloseWaitsOrRefuses(4, () -> p.run(w, x), want, w::close,
            "these kept inputs are closed; keep them again with keep()");
        ConcurrentRuns.assertBitwiseEqual(want, p.run(in(round)), "the program after its kept inputs were closed");
      }
      assertTrue(racing > 0, "close was called while runs were in flight in at least one of 3 rounds");
      assertArrayEquals(before, XlaBridge.liveHandles(), "{clients, executables, buffers} alive before and after");
    }
  }
}
