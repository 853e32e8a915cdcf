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
    Map<Integer, Integer> lastUse = lastUses(local);
    List<Op> body = local.body();
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

  /**
   * The bytes live across the point before op {@code boundary}: values made before it and read
   * at or after it (or results). For a training step whose first {@code boundary} ops are the
   * forward's, the forward activations kept for the backward.
   */
  public static long liveAcross(Func local, int boundary, Predicate<Value> counted) {
    Map<Integer, Integer> lastUse = lastUses(local);
    long live = 0;
    for (int i = 0; i < boundary; i++) {
      Value out = local.body().get(i).out();
      if (counted.test(out) && lastUse.getOrDefault(out.id(), i) >= boundary) live += out.type().bytes();
    }
    return live;
  }

  /** Each value's last reader's index; the body's size for a result. */
  private static Map<Integer, Integer> lastUses(Func local) {
    Map<Integer, Integer> lastUse = new HashMap<>();
    List<Op> body = local.body();
    for (int i = 0; i < body.size(); i++) for (Value in : body.get(i).inputs()) lastUse.put(in.id(), i);
    for (Binding r : local.results()) lastUse.put(r.value().id(), body.size());
    return lastUse;
  }
}
