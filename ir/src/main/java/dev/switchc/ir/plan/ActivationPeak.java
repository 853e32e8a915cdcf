package dev.switchc.ir.plan;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.Op;
import dev.switchc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The largest total of live per-device bytes at any point of a per-device program's order: a value
 * is live from the op that makes it to its last use (to the end for a result). The program's
 * arguments are not counted (they are parameters or inputs, reported apart). An estimate: XLA may
 * fuse values away, reuse buffers or reorder ops.
 */
public final class ActivationPeak {
  private ActivationPeak() {}

  /** The peak over the values {@code counted} accepts (the others are reported elsewhere, e.g. gradients). */
  public static long of(Func local, Predicate<Value> counted) {
    Map<Integer, Integer> lastUse = new HashMap<>();
    List<Op> body = local.body();
    for (int i = 0; i < body.size(); i++) for (Value in : body.get(i).inputs()) lastUse.put(in.id(), i);
    for (Binding r : local.results()) lastUse.put(r.value().id(), body.size());
    long live = 0, peak = 0;
    Map<Integer, List<Value>> dying = new HashMap<>();
    for (int i = 0; i < body.size(); i++) {
      Value out = body.get(i).out();
      if (counted.test(out)) {
        live += out.type().bytes();
        peak = Math.max(peak, live);
        dying.computeIfAbsent(lastUse.getOrDefault(out.id(), i), k -> new ArrayList<>()).add(out);
      }
      for (Value v : dying.getOrDefault(i, List.of())) live -= v.type().bytes();
    }
    return peak;
  }
}
