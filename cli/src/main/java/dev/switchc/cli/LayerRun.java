package dev.switchc.cli;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.Func;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.Port;
import dev.switchc.lowering.StableHlo;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.cpu.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiles one Switch layer and runs it on XLA CPU: the whole pipeline behind {@code switchc run}.
 * Holds the compiled program, so repeated {@link #run} calls reuse XLA's compilation.
 */
public final class LayerRun implements AutoCloseable {
  private final SwitchLayerSpec spec;
  private final Mode mode;
  private final CompiledModule module;
  private final CpuProgram program;

  public LayerRun(Located<SwitchLayerSpec> layer, Mode mode) {
    this.spec = layer.value();
    this.mode = mode;
    Func f = SwitchLayerIr.build(layer, mode);
    MemoryBudget.check(f);
    this.module = StableHlo.compile(f);
    this.program = CpuProgram.load(module);
  }

  public CompiledModule module() {
    return module;
  }

  /** The layer's outputs and router statistics for input {@code x} ([batch, seq, d_model], row-major). */
  public RunStats.Result run(Map<String, float[]> params, float[] x) {
    Map<String, HostTensor> inputs = new LinkedHashMap<>();
    for (Port p : module.signature().inputs()) {
      float[] data = p.name().equals(SwitchLayerIr.X) ? x : params.get(p.name());
      if (data == null) throw new IllegalArgumentException("no value for " + p.name());
      inputs.put(p.name(), HostTensor.ofFloats(p.type(), data));
    }
    Map<String, HostTensor> out = program.run(inputs);
    return new RunStats.Result(spec, mode,
        out.get(SwitchLayerIr.Y).floats(),
        out.get(SwitchLayerIr.AUX_LOSS).floats()[0],
        out.get(SwitchLayerIr.TOKENS_PER_EXPERT).ints(),
        out.get(SwitchLayerIr.DROPPED_FRACTION).floats()[0]);
  }

  /** The named shape of input {@code name} of the compiled program. */
  public Shape inputShape(String name) {
    return module.signature().inputs().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().type().shape();
  }

  @Override
  public void close() {
    program.close();
  }
}
