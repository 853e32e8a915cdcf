package dev.switchc.tests;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a compiled training step (any program) with named inputs and reads every float output. */
final class StepRuns {
  private StepRuns() {}

  /**
   * Runs {@code c} on {@code backend} with every input from {@code floats} or {@code ints}, by name,
   * and returns its float outputs by name (integer outputs widened to floats, so they compare exactly).
   */
  static Map<String, float[]> floats(Compilation c, Backend backend, Map<String, float[]> floats, Map<String, int[]> ints) {
    try (Executable e = backend.load(c)) {
      Map<String, HostTensor> in = new LinkedHashMap<>();
      for (Port p : e.signature().inputs()) {
        if (p.type().dtype().isFloat()) in.put(p.name(), HostTensor.ofFloats(p.type(), required(floats, p.name())));
        else in.put(p.name(), HostTensor.ofInts(p.type(), required(ints, p.name())));
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      e.run(in).forEach((name, t) -> out.put(name, t.type().dtype().isFloat() ? t.floats() : widen(t.ints())));
      return out;
    }
  }

  private static <T> T required(Map<String, T> m, String name) {
    T v = m.get(name);
    if (v == null) throw new IllegalArgumentException("no value given for the input " + name + " (given: " + m.keySet() + ")");
    return v;
  }

  private static float[] widen(int[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = v[i];
    return f;
  }

}
