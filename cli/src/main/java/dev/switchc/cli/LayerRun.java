package dev.switchc.cli;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.SwitchProgram;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.cpu.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiles one Switch layer and runs it on XLA CPU: the pipeline behind {@code switchc run}. On a
 * mesh of several devices it runs the emitted SPMD module through the CPU emulation of the mesh,
 * taking global inputs and returning global outputs. Holds the compiled program, so repeated
 * {@link #run} calls reuse XLA's compilation.
 */
public final class LayerRun implements AutoCloseable {
  private final Compilation compilation;
  private final ProgramRunner runner;

  public LayerRun(Compilation c) {
    this.compilation = c;
    this.runner = new ProgramRunner(c);
  }

  /** The layer alone on one device. */
  public LayerRun(Located<SwitchLayerSpec> layer, Mode mode) {
    this(Compilation.of(SwitchProgram.single(layer), mode));
  }

  public Compilation compilation() {
    return compilation;
  }

  /**
   * The layer with {@code params} fixed for any number of {@link Bound#run} calls: on one device
   * the parameters are copied into native memory once, so each run moves only its input.
   */
  public Bound bind(Map<String, float[]> params) {
    Map<String, HostTensor> fixed = new LinkedHashMap<>();
    for (Port p : runner.signature().inputs()) {
      if (p.name().equals(SwitchLayerIr.X)) continue;
      float[] data = params.get(p.name());
      if (data == null) throw new IllegalArgumentException("no value for " + p.name());
      fixed.put(p.name(), HostTensor.ofFloats(p.type(), data));
    }
    return new Bound(runner.keep(fixed));
  }

  /** A layer with its parameters in place; close it before the layer. */
  public final class Bound implements AutoCloseable {
    private final ProgramRunner.Resident resident;

    private Bound(ProgramRunner.Resident resident) {
      this.resident = resident;
    }

    /** Outputs and router statistics for input {@code x} ([batch, seq, d_model], row-major). */
    public RunStats.Result run(float[] x) {
      return result(resident.run(Map.of(SwitchLayerIr.X, HostTensor.ofFloats(inputShapeType(), x))));
    }

    @Override
    public void close() {
      resident.close();
    }
  }

  private dev.switchc.ir.TensorType inputShapeType() {
    return runner.signature().inputs().stream().filter(p -> p.name().equals(SwitchLayerIr.X)).findFirst().orElseThrow().type();
  }

  /** The layer's outputs and router statistics for input {@code x} ([batch, seq, d_model], row-major). */
  public RunStats.Result run(Map<String, float[]> params, float[] x) {
    Map<String, HostTensor> inputs = new LinkedHashMap<>();
    for (Port p : runner.signature().inputs()) {
      float[] data = p.name().equals(SwitchLayerIr.X) ? x : params.get(p.name());
      if (data == null) throw new IllegalArgumentException("no value for " + p.name());
      inputs.put(p.name(), HostTensor.ofFloats(p.type(), data));
    }
    return result(runner.run(inputs));
  }

  private RunStats.Result result(Map<String, HostTensor> out) {
    return new RunStats.Result(((SwitchProgram) compilation.program()).layer().value(), compilation.mode(),
        out.get(SwitchLayerIr.Y).floats(),
        out.get(SwitchLayerIr.AUX_LOSS).floats()[0],
        out.get(SwitchLayerIr.TOKENS_PER_EXPERT).ints(),
        out.get(SwitchLayerIr.DROPPED_FRACTION).floats()[0]);
  }

  /** The named shape of input {@code name} of the compiled program. */
  public Shape inputShape(String name) {
    return runner.signature().inputs().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().type().shape();
  }

  @Override
  public void close() {
    runner.close();
  }
}
