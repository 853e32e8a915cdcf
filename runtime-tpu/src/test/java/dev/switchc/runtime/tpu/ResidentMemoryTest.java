package dev.switchc.runtime.tpu;

import static dev.switchc.runtime.cpu.spmd.EndToEndTest.f32;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.inputs;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.layout;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.mesh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Shard;
import dev.switchc.ir.Value;
import dev.switchc.lowering.SpmdLower;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RssCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parameters kept on XLA's devices, runs moving only the data: native memory stays flat. Each run
 * uploads 8 shards and downloads 4 results of 64 KiB or more, so a buffer, a staging copy or a
 * host array left behind per run would add 32 MB or more over the 1,000 runs.
 */
class ResidentMemoryTest {
  static final long LIMIT_MB = 16;

  @Test
  void rssStaysFlatOver1000RunsWithResidentParameters() {
    FuncBuilder b = new FuncBuilder("resident");
    Value x = b.param("x", f32("batch", 128, "d", 256));
    Value w = b.param("w", f32("d", 256, "f", 256));
    b.result("y", b.unlocated().einsum(x, w, f32("batch", 128, "f", 256).shape()));
    Func f = b.build();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("data=2,model=2"), layout("batch=data,d=model")));
    Map<String, HostTensor> in = inputs(f, 1, true);
    long[] before;
    try (PjrtProgram p = XlaMeshProgramTest.xla(spmd, f)) {
      float[] want = p.run(in).get("y").floats();
      before = XlaBridge.liveHandles();
      try (Executable.Resident kept = p.keep(Map.of("w", in.get("w")))) {
        Map<String, HostTensor> data = Map.of("x", in.get("x"));
        assertArrayEquals(want, p.run(kept, data).get("y").floats());
        RssCheck.assertFlat("XLA mesh of 4 CPU devices, w resident", 1000, LIMIT_MB, () -> p.run(kept, data));
        assertArrayEquals(want, p.run(kept, data).get("y").floats());
      }
      long[] after = XlaBridge.liveHandles();
      assertEquals(before[2], after[2], "every buffer of the kept inputs and of the runs is freed");
    }
  }
}
