package dev.switchc.ir.optim;

import dev.switchc.ir.Binding;
import dev.switchc.ir.DType;
import dev.switchc.ir.DeadCode;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import dev.switchc.ir.grad.Grad;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One training step as one program: {@code (parameters, optimizer state, batch, step, seed) ->
 * (parameters', state', metrics)}. The forward program's loss is differentiated by {@link Grad}
 * with respect to every trained parameter, and the optimizer's update is appended.
 *
 * <p>Names: the trained parameters and the forward's data inputs keep their names; the state is
 * {@code state/<param>/<slot>}, the step {@link #STEP} (i32, 1-based). Results: {@code param'/<name>},
 * {@code state'/<param>/<slot>}, and as metrics every scalar result of the forward program under its own name
 * (for the models: loss, cross_entropy, aux_loss, z_loss, dropped_fraction and its per-layer values) and every integer
 * result (counts: a model's tokens_per_expert per layer); the float tensors (logits, a layer's output) are dropped.
 */
public final class TrainStepFunc {
  private TrainStepFunc() {}

  public static final String STEP = "step", STATE = "state/", NEW_PARAM = "param'/", NEW_STATE = "state'/";

  /** The name of parameter {@code param}'s state slot {@code slot}. */
  public static String state(String param, String slot) {
    return STATE + param + "/" + slot;
  }

  /** The result name of the updated state slot. */
  public static String newState(String param, String slot) {
    return NEW_STATE + param + "/" + slot;
  }

  /** Whether the forward's result {@code r} is one of the step's metrics. */
  public static boolean isMetric(Binding r) {
    return r.value().shape().rank() == 0 || !r.value().dtype().isFloat();
  }

  public static Func build(Func forward, String loss, List<String> trained, Optimizer optimizer) {
    Func withGrads = Grad.run(forward, loss, trained);
    Map<String, Value> results = new HashMap<>();
    for (Binding r : withGrads.results()) results.put(r.name(), r.value());
    FuncBuilder b = FuncBuilder.continuing(withGrads);
    Value step = b.param(STEP, new TensorType(DType.I32, Shape.SCALAR));
    for (Binding r : forward.results())
      if (isMetric(r)) b.result(r.name(), r.value());
    for (String name : trained) {
      Binding p = withGrads.param(name);
      Map<String, Value> state = new HashMap<>();
      List<Optimizer.Slot> slots = optimizer.slots(p.value().type());
      for (Optimizer.Slot s : slots) state.put(s.name(), b.param(state(name, s.name()), s.type()));
      Optimizer.Update u = optimizer.update(b.at(p.loc()), p.value(), results.get(Grad.PREFIX + name), state, step);
      b.result(NEW_PARAM + name, u.param());
      for (Optimizer.Slot s : slots) b.result(newState(name, s.name()), u.state().get(s.name()));
    }
    return DeadCode.run(b.build());
  }
}
