package dev.switchc.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes ops whose values no result needs (a builder step may compute more than its caller uses,
 * e.g. router statistics a model does not return). Parameters stay: they are the function's
 * signature. Without this, the plan would count the dead ops' FLOPs and collectives.
 */
public final class DeadCode {
  private DeadCode() {}

  public static Func run(Func in) {
    Set<Integer> live = new HashSet<>();
    for (Binding r : in.results()) live.add(r.value().id());
    List<Op> body = in.body();
    boolean[] keep = new boolean[body.size()];
    for (int i = body.size() - 1; i >= 0; i--) {
      Op op = body.get(i);
      if (!live.contains(op.out().id())) continue;
      keep[i] = true;
      for (Value v : op.inputs()) live.add(v.id());
    }
    List<Op> kept = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) if (keep[i]) kept.add(body.get(i));
    return kept.size() == body.size() ? in : Verifier.verify(new Func(in.name(), in.params(), kept, in.results()));
  }
}
