package dev.switchc.runtime.tpu;

import static dev.switchc.runtime.cpu.spmd.EndToEndTest.f32;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.inputs;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.layout;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.mesh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shard;
import dev.switchc.ir.Value;
import dev.switchc.lowering.SpmdLower;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link PjrtProgram#runCarrying}: an output kept on the devices as the next run's input, on a
 * mesh of 4 XLA CPU devices ({@code w [d, f]} split over model, {@code x [batch, d]} over data and
 * model). Each run computes {@code loss = sum(x w)} (an all-reduce) and {@code w' = w + 1}; w'
 * replaces w. Checked: the losses and the carried w against plain Java after each run, the bytes
 * each run moves (x in, the loss out, nothing of w), the errors of a wrong carry, and that every
 * buffer is freed.
 */
class CarriedOutputsTest {
  static Func step(boolean withLoss) {
    FuncBuilder b = new FuncBuilder("carry");
    Value x = b.param("x", f32("batch", 4, "d", 8));
    Value w = b.param("w", f32("d", 8, "f", 4));
    FuncBuilder.Ops o = b.unlocated();
    if (withLoss) b.result("loss", o.reduce(Op.ReduceFn.SUM, o.einsum(x, w, f32("batch", 4, "f", 4).shape()), "batch", "f"));
    b.result("w'", o.add(w, o.scalar(1.0, DType.F32)));
    return b.build();
  }

  static HloModule spmd(Func f) {
    return SpmdLower.run(Shard.run(f, mesh("data=2,model=2"), layout("batch=data,d=model")));
  }

  @Test
  void carriedOutputsStayOnTheDevicesAndReplaceTheirInputs() {
    Func f = step(true);
    Map<String, HostTensor> in = inputs(f, 1, true);
    float[] x = in.get("x").floats(), w = in.get("w").floats();
    XlaBridge.load(); // before counting its handles
    long[] before = XlaBridge.liveHandles();
    try (PjrtProgram p = XlaMeshProgramTest.xla(spmd(f), f); Executable.Resident kept = p.keep(Map.of("w", in.get("w")))) {
      assertEquals(new PjrtProgram.Traffic(4 * 4 * 4 * 4, 0), p.traffic(), "keep uploads w once: a [4, 4] shard to each of 4 devices");
      for (int run = 0; run < 3; run++) {
        PjrtProgram.Traffic t0 = p.traffic();
        Map<String, HostTensor> out = p.runCarrying(kept, Map.of("w'", "w"), Map.of("x", in.get("x")));
        assertEquals(List.of("loss"), List.copyOf(out.keySet()), "the carried output is not returned");
        assertEquals(sumOfProduct(x, w), out.get("loss").floatAt(0), "run " + run);
        for (int i = 0; i < w.length; i++) w[i] += 1f;
        PjrtProgram.Traffic t1 = p.traffic();
        assertEquals(4 * 8 * 4, t1.uploaded() - t0.uploaded(), "a run uploads x only (4 devices x [2, 4])");
        assertEquals(4 * 4, t1.downloaded() - t0.downloaded(), "a run downloads the loss only (4 bytes from each of 4 devices)");
      }
      assertArrayEquals(w, p.read(kept, List.of("w")).get("w").floats(), "w + 3, read on demand");
      assertArrayEquals(w, p.read(kept, List.of("w")).get("w").floats(), "reading leaves it there");

      RuntimeInputException e = assertThrows(RuntimeInputException.class, () -> p.runCarrying(kept, Map.of("y", "w"), Map.of("x", in.get("x"))));
      assertTrue(e.getMessage().contains("no output 'y'"), e.getMessage());
      e = assertThrows(RuntimeInputException.class, () -> p.runCarrying(kept, Map.of("w'", "x"), Map.of("x", in.get("x"))));
      assertTrue(e.getMessage().contains("the kept inputs are [w]"), e.getMessage());
      e = assertThrows(RuntimeInputException.class, () -> p.runCarrying(kept, Map.of("loss", "w"), Map.of("x", in.get("x"))));
      assertTrue(e.getMessage().contains("the types differ"), e.getMessage());
      assertArrayEquals(w, p.read(kept, List.of("w")).get("w").floats(), "a refused run leaves the kept inputs as they were");
    }
    assertArrayEquals(before, XlaBridge.liveHandles(), "{clients, executables, buffers} alive before and after");
  }

  /** Every output carried: the run still waits for the devices (it copies the smallest output out) and the next run sees the new value. */
  @Test
  void aRunThatCarriesEveryOutputReturnsNothingAndStillFinishes() {
    Func f = step(false);
    Map<String, HostTensor> in = inputs(f, 2, true);
    float[] w = in.get("w").floats();
    try (PjrtProgram p = XlaMeshProgramTest.xla(spmd(f), f); Executable.Resident kept = p.keep(Map.of("w", in.get("w")))) {
      for (int run = 0; run < 5; run++) assertTrue(p.runCarrying(kept, Map.of("w'", "w"), Map.of("x", in.get("x"))).isEmpty());
      for (int i = 0; i < w.length; i++) w[i] += 5f;
      assertArrayEquals(w, p.read(kept, List.of("w")).get("w").floats());
    }
  }

  /**
   * One thread carries w forward 40 times while another reads it and runs with it: every read and
   * every loss sees w + k for a whole k that never decreases (a carrying run swaps all of a kept
   * input's device buffers at once, and no run or read sees a freed buffer).
   */
  @Test
  void readsAndRunsBesideACarryingRunSeeWholeSteps() throws Exception {
    Func f = step(true);
    Map<String, HostTensor> in = inputs(f, 3, true);
    float[] w0 = in.get("w").floats(), x = in.get("x").floats();
    XlaBridge.load(); // before counting its handles
    long[] before = XlaBridge.liveHandles();
    try (PjrtProgram p = XlaMeshProgramTest.xla(spmd(f), f); Executable.Resident kept = p.keep(Map.of("w", in.get("w")))) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        java.util.concurrent.Future<?> carrying = pool.submit(() -> {
          for (int run = 0; run < 40; run++) p.runCarrying(kept, Map.of("w'", "w"), Map.of("x", in.get("x")));
        });
        int last = 0;
        while (!carrying.isDone()) {
          float[] w = p.read(kept, List.of("w")).get("w").floats();
          int k = Math.round(w[0] - w0[0]);
          assertTrue(k >= last, "w went back from + " + last + " to + " + k);
          for (int i = 0; i < w.length; i++) assertEquals(w0[i] + k, w[i], "element " + i + " of a read at + " + k);
          float loss = p.run(kept, Map.of("x", in.get("x"))).get("loss").floatAt(0);
          boolean whole = false;
          for (int j = k; j <= 40 && !whole; j++) whole = loss == sumOfProduct(x, plus(w0, j));
          assertTrue(whole, "a run beside the carrying one saw w + a whole step");
          last = k;
        }
        carrying.get();
      } finally {
        pool.shutdown();
      }
      assertArrayEquals(plus(w0, 40), p.read(kept, List.of("w")).get("w").floats());
    }
    assertArrayEquals(before, XlaBridge.liveHandles(), "{clients, executables, buffers} alive before and after");
  }

  private static float[] plus(float[] w, int k) {
    float[] out = w.clone();
    for (int i = 0; i < out.length; i++) out[i] += k;
    return out;
  }

  private static float sumOfProduct(float[] x, float[] w) {
    double s = 0; // small integers: exact in any order
    for (int b = 0; b < 4; b++) for (int d = 0; d < 8; d++) for (int f = 0; f < 4; f++) s += x[b * 8 + d] * w[d * 4 + f];
    return (float) s;
  }
}
