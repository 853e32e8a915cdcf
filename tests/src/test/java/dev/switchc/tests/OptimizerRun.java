package dev.switchc.tests;

import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.ToF64;
import dev.switchc.ir.Value;
import dev.switchc.ir.optim.Optimizer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's update of a few parameters as a program of its own, in f64 or f32 on XLA: inputs
 * {@code p/<name>}, {@code g/<name>}, {@code s/<name>/<slot>} and {@code step}; results
 * {@code p'/<name>} and {@code s'/<name>/<slot>}. The tests feed it random gradients step after
 * step, carrying parameters and state, and compare with their plain-Java references.
 */
final class OptimizerRun implements AutoCloseable {
  private final Optimizer optimizer;
  private final Map<String, Shape> params;
  private final F64.Program program;
  /** The current parameters and state, by the program's input names. */
  final Map<String, double[]> values = new LinkedHashMap<>();

  /** With {@code f64}, the program computes in f64 ({@link ToF64}); else in f32, its inputs rounded to f32. */
  OptimizerRun(Optimizer optimizer, Map<String, Shape> params, Map<String, double[]> initial, boolean f64) {
    this.optimizer = optimizer;
    this.params = params;
    FuncBuilder b = new FuncBuilder("optimizer_step");
    Value step = b.param("step", new TensorType(DType.I32, Shape.SCALAR));
    for (Map.Entry<String, Shape> e : params.entrySet()) {
      TensorType t = new TensorType(DType.F32, e.getValue());
      Value p = b.param("p/" + e.getKey(), t), g = b.param("g/" + e.getKey(), t);
      Map<String, Value> state = new HashMap<>();
      List<Optimizer.Slot> slots = optimizer.slots(t);
      for (Optimizer.Slot s : slots) {
        state.put(s.name(), b.param("s/" + e.getKey() + "/" + s.name(), s.type()));
        values.put("s/" + e.getKey() + "/" + s.name(), new double[(int) s.type().shape().elements()]);
      }
      Optimizer.Update u = optimizer.update(b.unlocated(), p, g, state, step);
      b.result("p'/" + e.getKey(), u.param());
      for (Optimizer.Slot s : slots) b.result("s'/" + e.getKey() + "/" + s.name(), u.state().get(s.name()));
      values.put("p/" + e.getKey(), initial.get(e.getKey()).clone());
    }
    Func f = f64 ? ToF64.run(b.build()) : b.build();
    this.program = new F64.Program(f);
  }

  /** Applies update number {@code t} with {@code grads} by parameter name; the new values replace the old. */
  void step(int t, Map<String, double[]> grads) {
    Map<String, double[]> in = new LinkedHashMap<>(values);
    in.put("step", new double[] {t});
    grads.forEach((k, v) -> in.put("g/" + k, v));
    Map<String, double[]> out = program.run(in);
    for (String name : params.keySet()) {
      values.put("p/" + name, out.get("p'/" + name));
      for (Optimizer.Slot s : optimizer.slots(new TensorType(DType.F32, params.get(name))))
        values.put("s/" + name + "/" + s.name(), out.get("s'/" + name + "/" + s.name()));
    }
  }

  /**
   * f64: every element within 1e-10 relative ({@link Compare#close}). f32: within 1e-6 of the
   * tensor's scale ({@link Compare#closeToScale}): a moment averaging gradients of both signs is a
   * small difference of larger terms and carries their rounding, a few ulps of the terms.
   */
  static void check(String what, double[] actual, double[] expected, boolean f64) {
    if (f64) {
      Compare.close(what, actual, expected, 1e-10);
      return;
    }
    float[] f = new float[actual.length];
    for (int i = 0; i < f.length; i++) f[i] = (float) actual[i];
    Compare.closeToScale(what, f, expected, 1e-6);
  }

  double[] param(String name) {
    return values.get("p/" + name);
  }

  double[] state(String name, String slot) {
    return values.get("s/" + name + "/" + slot);
  }

  @Override
  public void close() {
    program.close();
  }
}
