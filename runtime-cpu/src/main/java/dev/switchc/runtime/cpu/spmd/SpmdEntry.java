package dev.switchc.runtime.cpu.spmd;

import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entry of an SPMD module in the form JAX emits for {@code shard_map}, checked so that the
 * emulation may run the body alone: argument i of {@code main} enters the body as its argument i
 * through {@code @Sharding} (the module's argument sharding) and {@code @SPMDFullToShardShape},
 * result i leaves as {@code main}'s result i through {@code @Sharding} ({manual}) and
 * {@code @SPMDShardToFullShape} (the result sharding), {@code main} holds nothing else, and every
 * per-device shape is the tile its sharding gives the global shape.
 */
record SpmdEntry(HloFunc body) {
  static SpmdEntry of(HloModule m) {
    String where = "SPMD module @" + m.name() + ": ";
    HloFunc main = m.main();
    if (m.numPartitions() < 1) throw new IllegalStateException(where + "mhlo.num_partitions is " + m.numPartitions() + ", must be >= 1");
    if (m.argShardings().size() != main.args().size() || m.resultShardings().size() != main.returns().size())
      throw new IllegalStateException(where + "main has " + main.args().size() + " arguments and " + main.returns().size() + " results but "
          + m.argShardings().size() + " argument and " + m.resultShardings().size() + " result shardings");
    Map<Integer, HloOp> defs = new HashMap<>();
    HloOp.Call call = null;
    for (HloOp op : main.body()) {
      if (op instanceof HloOp.Call c) {
        if (call != null) throw new IllegalStateException(where + "main calls both @" + call.callee() + " and @" + c.callee() + "; expected one body");
        call = c;
        for (HloValue r : c.results()) defs.put(r.id(), c);
      } else if (op instanceof HloOp.ShardingCall) {
        defs.put(op.result().id(), op);
      } else {
        throw new IllegalStateException(where + "main holds a " + op.getClass().getSimpleName()
            + "; the emulation runs only the called body, so main may hold only sharding custom calls and the call");
      }
    }
    if (call == null) throw new IllegalStateException(where + "main calls no body function");
    String callee = call.callee();
    HloFunc body = m.functions().stream().filter(f -> f.name().equals(callee)).findFirst()
        .orElseThrow(() -> new IllegalStateException(where + "main calls @" + callee + ", which the module does not define"));
    if (call.operands().size() != main.args().size() || body.args().size() != main.args().size())
      throw new IllegalStateException(where + "main has " + main.args().size() + " arguments, passes " + call.operands().size() + " to @" + callee
          + ", which takes " + body.args().size());
    if (call.results().size() != main.returns().size() || body.returns().size() != main.returns().size())
      throw new IllegalStateException(where + "main returns " + main.returns().size() + " values, @" + callee + " returns " + body.returns().size());
    int devices = m.numPartitions();
    for (int i = 0; i < main.args().size(); i++) {
      String what = where + "argument " + i + " ('" + name(m.argNames(), i) + "')";
      HloOp.ShardingCall toShard = sharding(defs.get(call.operands().get(i).id()), "SPMDFullToShardShape", HloSharding.MANUAL,
          what + " must enter @" + callee + " through @SPMDFullToShardShape {manual}");
      HloOp.ShardingCall annotate = sharding(defs.get(toShard.operand().id()), "Sharding", m.argShardings().get(i),
          what + " must pass @Sharding " + m.argShardings().get(i).spell() + " before @SPMDFullToShardShape");
      if (annotate.operand().id() != main.args().get(i).id())
        throw new IllegalStateException(what + ": operand " + i + " of the call to @" + callee + " does not come from main's argument " + i);
      requireTile(what, main.args().get(i).type(), m.argShardings().get(i), devices, body.args().get(i).type(), toShard.result().type());
    }
    for (int i = 0; i < main.returns().size(); i++) {
      String what = where + "result " + i + " ('" + name(m.resultNames(), i) + "')";
      HloOp.ShardingCall toFull = sharding(defs.get(main.returns().get(i).id()), "SPMDShardToFullShape", m.resultShardings().get(i),
          what + " must leave through @SPMDShardToFullShape " + m.resultShardings().get(i).spell());
      HloOp.ShardingCall annotate = sharding(defs.get(toFull.operand().id()), "Sharding", HloSharding.MANUAL,
          what + " must pass @Sharding {manual} before @SPMDShardToFullShape");
      if (annotate.operand().id() != call.results().get(i).id())
        throw new IllegalStateException(what + ": main's result " + i + " is not result " + i + " of the call to @" + callee);
      requireTile(what, main.returns().get(i).type(), m.resultShardings().get(i), devices, body.returns().get(i).type(), annotate.result().type());
    }
    return new SpmdEntry(body);
  }

  private static String name(List<String> names, int i) {
    return i < names.size() ? names.get(i) : "#" + i;
  }

  private static HloOp.ShardingCall sharding(HloOp def, String target, HloSharding sharding, String expectation) {
    if (def instanceof HloOp.ShardingCall sc && sc.target().equals(target) && sc.sharding().equals(sharding)) return sc;
    throw new IllegalStateException(expectation + ", but " + (def == null ? "it is an argument of main" : "it comes from "
        + (def instanceof HloOp.ShardingCall sc ? "@" + sc.target() + " " + sc.sharding().spell() : def.getClass().getSimpleName())));
  }

  /** The body's per-device type is the global type's tile under {@code sharding}. */
  private static void requireTile(String what, HloType global, HloSharding sharding, int devices, HloType bodyType, HloType manualType) {
    List<Long> local;
    try {
      local = ShardedArrays.of(global.dims(), sharding, devices).localDims();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(what + ": " + e.getMessage(), e);
    }
    HloType tile = new HloType(global.dtype(), local);
    if (!tile.equals(bodyType) || !tile.equals(manualType))
      throw new IllegalStateException(what + ": the sharding " + sharding.spell() + " cuts " + Dims.spell(global) + " into tiles "
          + Dims.spell(tile) + ", but the body's per-device value is " + Dims.spell(bodyType)
          + (manualType.equals(bodyType) ? "" : " and the manual value " + Dims.spell(manualType)));
  }
}
