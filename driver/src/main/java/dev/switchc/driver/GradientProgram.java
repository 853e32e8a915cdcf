package dev.switchc.driver;

import dev.switchc.ir.Binding;
import dev.switchc.ir.DeadCode;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import dev.switchc.ir.grad.Grad;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient program of one training step (no optimizer; {@link TrainStep} is the whole step,
 * optimizer included): a training-mode program's forward, then the gradient
 * of its loss with respect to every float parameter ({@link Grad}), before sharding, so the
 * backward is sharded by the same pass and rules as the forward (Mesh TensorFlow's order).
 *
 * <p>A whole model differentiates its own scalar result {@value #LOSS}. A layer has no loss of its
 * own: it sits inside a model, whose loss reaches it as the cotangent of its main output from the
 * layers above (the input {@code cotangent/<output>}, same type as the output) and through its
 * auxiliary losses (its scalar float results named {@code *_loss}), which the model adds to its
 * loss. So a layer's loss is {@code sum(output * cotangent) + sum of its *_loss results}, a sum
 * kept only to be differentiated: the step's results are the forward's plus the gradients. The
 * layer's float inputs are among the parameters differentiated: their gradient is what the layer
 * below needs.
 */
public record GradientProgram(Func func, List<String> wrt, List<String> cotangents) {
  /** The name of a model's training loss. */
  public static final String LOSS = "loss";

  /** The prefix of a layer's cotangent input. */
  public static final String COTANGENT = "cotangent/";

  public GradientProgram {
    wrt = List.copyOf(wrt);
    cotangents = List.copyOf(cotangents);
  }

  /** The training step of {@code forward} (a training-mode program) whose output is {@code mainOutput}. */
  public static GradientProgram of(Func forward, String mainOutput) {
    boolean ownLoss = forward.results().stream().anyMatch(r -> r.name().equals(LOSS));
    Func withLoss = ownLoss ? forward : withLayerLoss(forward, mainOutput);
    String cotangent = COTANGENT + mainOutput;
    List<String> wrt = withLoss.params().stream().map(Binding::name)
        .filter(n -> !n.equals(cotangent) && withLoss.param(n).value().dtype().isFloat()).toList();
    Func grad = Grad.run(withLoss, LOSS, wrt);
    if (!ownLoss) grad = DeadCode.run(new Func(grad.name(), grad.params(),
        grad.body(), grad.results().stream().filter(r -> !r.name().equals(LOSS)).toList()));
    return new GradientProgram(grad, wrt, ownLoss ? List.of() : List.of(cotangent));
  }

  /** The gradient result of parameter {@code param}. */
  public static String gradientOf(String param) {
    return Grad.PREFIX + param;
  }

  /**
   * {@code forward} with a result {@value #LOSS}: its own, or a layer's {@code sum(output *
   * cotangent) + sum of its *_loss results} with the input {@code cotangent/<output>} (see the class comment).
   */
  static Func withLoss(Func forward, String mainOutput) {
    return forward.results().stream().anyMatch(r -> r.name().equals(LOSS)) ? forward : withLayerLoss(forward, mainOutput);
  }

  private static Func withLayerLoss(Func forward, String mainOutput) {
    Binding out = forward.results().stream().filter(r -> r.name().equals(mainOutput)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no result '" + mainOutput + "' in " + forward.name()));
    FuncBuilder b = FuncBuilder.continuing(forward);
    Value y = out.value();
    Value ct = b.param(COTANGENT + mainOutput, new TensorType(y.dtype(), y.shape()));
    FuncBuilder.Ops o = b.at(forward.body().stream().filter(op -> op.out().id() == y.id()).findFirst().map(Op::loc).orElse(out.loc()));
    Value loss = o.reduce(Op.ReduceFn.SUM, o.mul(y, ct), y.shape().names().toArray(String[]::new));
    List<Value> aux = new ArrayList<>();
    for (Binding r : forward.results())
      if (r.name().endsWith("_loss") && r.value().shape().rank() == 0 && r.value().dtype().isFloat()) aux.add(r.value());
    for (Value a : aux) loss = o.add(loss, a.dtype() == loss.dtype() ? a : o.cast(a, loss.dtype()));
    for (Binding r : forward.results()) b.result(r.name(), r.value());
    b.result(LOSS, loss);
    return b.build();
  }
}
