package dev.switchc.ir;

import java.util.Map;

/**
 * The result of the sharding pass: the per-device function (local shapes, explicit collectives),
 * the global function it came from, the mesh and rules, and the layout of every per-device value
 * (keyed by value id in {@code local}).
 */
public record ShardedFunc(Func global, Func local, Mesh mesh, Layout layout, Map<Integer, TensorLayout> layouts) {
  public ShardedFunc {
    layouts = Map.copyOf(layouts);
  }

  public TensorLayout layoutOf(Value localValue) {
    TensorLayout l = layouts.get(localValue.id());
    if (l == null) throw new IllegalArgumentException("no layout for " + localValue);
    return l;
  }
}
