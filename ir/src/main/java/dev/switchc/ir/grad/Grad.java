package dev.switchc.ir.grad;

import dev.switchc.ir.Binding;
import dev.switchc.ir.DeadCode;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.Value;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reverse-mode autodiff on the named-dimension IR, before sharding (as Mesh TensorFlow): the
 * result is {@code in} plus, for each parameter {@code p} in {@code wrt}, a result
 * {@code grad/p} = d(loss)/d(p) with p's type. The forward's results are kept, and its values are
 * the saved activations the gradient reads.
 *
 * <p>Gradients flow only along float values that depend on a {@code wrt} parameter. Integer and
 * pred values carry none, so routing decisions (argmax, one-hot masks, positions, capacity) are
 * constants to the gradient, and the router learns through the gate probability and the aux and z
 * losses, as in the paper. Each op's rule is in {@link GradRules}; a value used several times sums
 * its cotangents. A softmax and a log-sum-exp are differentiated as one op each
 * ({@link Fused}).
 */
public final class Grad {
  private Grad() {}

  /** The prefix of the gradient results' names. */
  public static final String PREFIX = "grad/";

  /**
   * @param loss the name of a scalar float result of {@code in}
   * @param wrt names of float parameters of {@code in}
   */
  public static Func run(Func in, String loss, List<String> wrt) {
    Binding lossResult = in.results().stream().filter(r -> r.name().equals(loss)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no result '" + loss + "' in " + in.name() + " to differentiate"));
    Value l = lossResult.value();
    if (l.shape().rank() != 0 || !l.dtype().isFloat())
      throw new IllegalArgumentException("the loss '" + loss + "' must be a float scalar, got " + l.type());
    Set<Integer> sources = new LinkedHashSet<>();
    for (String name : wrt) {
      Value p = in.param(name).value();
      if (!p.dtype().isFloat()) throw new IllegalArgumentException("cannot differentiate with respect to '" + name + "': it is " + p.type());
      sources.add(p.id());
    }
    Set<Integer> active = active(in, sources);

    FuncBuilder b = FuncBuilder.continuing(in);
    Map<Integer, Value> cotangents = new HashMap<>();
    if (active.contains(l.id())) cotangents.put(l.id(), b.at(lossResult.loc()).constant(1, l.dtype(), Shape.SCALAR));
    List<Op> body = in.body();
    Map<Integer, Op> producers = new HashMap<>();
    Map<Integer, Integer> uses = new HashMap<>();
    for (Op op : body) {
      producers.put(op.out().id(), op);
      for (Value v : op.inputs()) uses.merge(v.id(), 1, Integer::sum);
    }
    for (Binding r : in.results()) uses.merge(r.value().id(), 1, Integer::sum);
    for (int i = body.size() - 1; i >= 0; i--) {
      Op op = body.get(i);
      Value gy = cotangents.get(op.out().id());
      if (gy == null) continue;
      FuncBuilder.Ops o = b.at(op.loc());
      Optional<Fused> fused = Fused.match(op, producers, uses);
      if (fused.isPresent()) { // one rule for the whole pattern; its inner values get no cotangent
        Value x = fused.get().x();
        if (active.contains(x.id())) cotangents.merge(x.id(), fused.get().grad(gy, o), o::add);
        continue;
      }
      List<Value> gs = GradRules.of(op, gy, o);
      for (int j = 0; j < op.inputs().size(); j++) {
        Value x = op.inputs().get(j), gx = gs.get(j);
        if (gx == null || !active.contains(x.id())) continue;
        if (!gx.type().equals(x.type()))
          throw new AssertionError("the gradient rule of " + op.getClass().getSimpleName() + " gave " + gx.type() + " for input " + j + " of type " + x.type());
        cotangents.merge(x.id(), gx, o::add);
      }
    }

    for (Binding r : in.results()) b.result(r.name(), r.value());
    for (String name : wrt) {
      Binding p = in.param(name);
      Value g = cotangents.get(p.value().id());
      if (g == null) g = b.at(p.loc()).constant(0, p.value().dtype(), p.value().shape()); // the loss does not depend on it
      b.result(PREFIX + name, g);
    }
    return DeadCode.run(b.build());
  }

  /** The values a gradient can flow into: float values computed from a source. */
  private static Set<Integer> active(Func in, Set<Integer> sources) {
    Set<Integer> active = new HashSet<>(sources);
    for (Op op : in.body())
      if (op.out().dtype().isFloat() && op.inputs().stream().anyMatch(v -> active.contains(v.id()))) active.add(op.out().id());
    return active;
  }
}
