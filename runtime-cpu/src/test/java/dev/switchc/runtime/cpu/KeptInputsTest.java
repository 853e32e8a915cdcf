package dev.switchc.runtime.cpu;

import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs kept in native memory across runs (the parameters of an inference loop). */
class KeptInputsTest {
  static final HostTensor Y = HostTensor.f32(CpuProgramTest.BD, new float[] {10, 20, 30, 40, 50, 60});

  static HostTensor x(int k) {
    float[] v = new float[6];
    for (int i = 0; i < 6; i++) v[i] = k * 7 + i;
    return HostTensor.f32(CpuProgramTest.BD, v);
  }

  @Test
  void keptInputsGiveTheResultsOfFeedingThemEveryTime() {
    try (CpuProgram p = CpuProgram.load(CpuProgramTest.ADD); CpuProgram.Kept kept = p.keep(Map.of("y", Y))) {
      assertEquals(java.util.Set.of("y"), kept.names());
      for (int k = 0; k < 3; k++)
        assertEquals(p.run(Map.of("x", x(k), "y", Y)), p.run(kept, Map.of("x", x(k))), "run " + k);
    }
  }

  @Test
  void mistakesAreRejectedBeforeRunning() {
    try (CpuProgram p = CpuProgram.load(CpuProgramTest.ADD)) {
      RuntimeInputException unknown = assertThrows(RuntimeInputException.class, () -> p.keep(Map.of("w", Y)));
      assertEquals("cannot keep 'w': the inputs are [x, y]", unknown.getMessage());
      RuntimeInputException wrongType = assertThrows(RuntimeInputException.class,
          () -> p.keep(Map.of("y", HostTensor.f32(dev.switchc.runtime.cpu.Fixtures.shape("batch", 3, "d", 2), new float[6]))));
      assertTrue(wrongType.getMessage().contains("input 'y': expected f32[batch=2, d=3]"), wrongType.getMessage());
      CpuProgram.Kept kept = p.keep(Map.of("y", Y));
      RuntimeInputException twice = assertThrows(RuntimeInputException.class, () -> p.run(kept, Map.of("x", x(0), "y", Y)));
      assertEquals("input 'y' is both kept and given; give it once", twice.getMessage());
      RuntimeInputException missing = assertThrows(RuntimeInputException.class, () -> p.run(kept, Map.of()));
      assertTrue(missing.getMessage().contains("missing input 'x'"), missing.getMessage());
      kept.close();
      assertThrows(IllegalStateException.class, () -> p.run(kept, Map.of("x", x(0))));
    }
  }

  @Test
  void closingTheProgramReleasesWhatItKept() {
    CpuProgram p = CpuProgram.load(CpuProgramTest.ADD);
    CpuProgram.Kept kept = p.keep(Map.of("y", Y));
    p.close();
    assertThrows(IllegalStateException.class, () -> p.run(kept, Map.of("x", x(0))));
    kept.close(); // already released: a no-op
  }
}
