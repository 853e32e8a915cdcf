package dev.switchc.tests;

import dev.switchc.ir.Binding;
import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.StableHlo;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.cpu.CpuProgram;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tests' shorthand for f64 programs on XLA CPU: inputs and outputs as double arrays by name (f32 and i32 converted). */
final class F64 {
  private F64() {}

  /** A loaded f64 program; close it when done. */
  static final class Program implements AutoCloseable {
    final Func func;
    private final CpuProgram program;

    Program(Func func) {
      this.func = func;
      this.program = CpuProgram.load(StableHlo.compile(func));
    }

    /** Runs with inputs given as doubles: f64 as they are, f32 rounded, i32 as the integers they hold. */
    Map<String, double[]> run(Map<String, double[]> inputs) {
      Map<String, HostTensor> in = new LinkedHashMap<>();
      for (Binding p : func.params()) {
        double[] v = inputs.get(p.name());
        if (v == null) throw new IllegalArgumentException("no input '" + p.name() + "'");
        in.put(p.name(), tensor(p.value().type(), v));
      }
      Map<String, double[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : program.run(in).entrySet()) out.put(e.getKey(), doubles(e.getValue()));
      return out;
    }

    @Override
    public void close() {
      program.close();
    }
  }

  static HostTensor tensor(TensorType t, double[] v) {
    if (t.dtype() == DType.F64) return HostTensor.ofDoubles(t, v);
    if (t.dtype() == DType.F32) {
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
      return HostTensor.ofFloats(t, f);
    }
    int[] ints = new int[v.length];
    for (int i = 0; i < v.length; i++) ints[i] = (int) v[i];
    return HostTensor.ofInts(t, ints);
  }

  static double[] doubles(HostTensor h) {
    if (h.dtype() == DType.F64) return h.doubles();
    if (h.dtype() == DType.F32) return widen(h.floats());
    int[] ints = h.ints();
    double[] d = new double[ints.length];
    for (int i = 0; i < ints.length; i++) d[i] = ints[i];
    return d;
  }

  static double[] widen(float[] v) {
    return Compare.toDouble(v);
  }
}
