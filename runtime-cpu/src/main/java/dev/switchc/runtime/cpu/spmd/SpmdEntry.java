package dev.switchc.runtime.cpu.spmd;

import dev.switchc.runtime.ShardedArrays;
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
    Entry entry = new Entry(where);
    for (HloOp op : main.body()) op.accept(entry);
    HloOp.Call call = entry.call;
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
      HloOp.ShardingCall toShard = sharding(entry, call.operands().get(i), HloOp.ShardingTarget.FULL_TO_SHARD, HloSharding.MANUAL,
          what + " must enter @" + callee + " through @SPMDFullToShardShape {manual}");
      HloOp.ShardingCall annotate = sharding(entry, toShard.operand(), HloOp.ShardingTarget.SHARDING, m.argShardings().get(i),
          what + " must pass @Sharding " + m.argShardings().get(i).spell() + " before @SPMDFullToShardShape");
      if (annotate.operand().id() != main.args().get(i).id())
        throw new IllegalStateException(what + ": operand " + i + " of the call to @" + callee + " does not come from main's argument " + i);
      requireTile(what, main.args().get(i).type(), m.argShardings().get(i), devices, body.args().get(i).type(), toShard.result().type());
    }
    for (int i = 0; i < main.returns().size(); i++) {
      String what = where + "result " + i + " ('" + name(m.resultNames(), i) + "')";
      HloOp.ShardingCall toFull = sharding(entry, main.returns().get(i), HloOp.ShardingTarget.SHARD_TO_FULL, m.resultShardings().get(i),
          what + " must leave through @SPMDShardToFullShape " + m.resultShardings().get(i).spell());
      HloOp.ShardingCall annotate = sharding(entry, toFull.operand(), HloOp.ShardingTarget.SHARDING, HloSharding.MANUAL,
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

  /** The sharding custom call that defines {@code v}, if it is the one expected. */
  private static HloOp.ShardingCall sharding(Entry entry, HloValue v, HloOp.ShardingTarget target, HloSharding sharding, String expectation) {
    HloOp.ShardingCall sc = entry.shardingCalls.get(v.id());
    if (sc != null && sc.target() == target && sc.sharding().equals(sharding)) return sc;
    String actual = sc != null ? "@" + sc.target().callTarget() + " " + sc.sharding().spell()
        : entry.call != null && entry.call.results().contains(v) ? "Call" : null;
    throw new IllegalStateException(expectation + ", but " + (actual == null ? "it is an argument of main" : "it comes from " + actual));
  }

  /** main's ops by role: the sharding custom calls by the value each defines, and the one call of the body. */
  private static final class Entry implements HloOp.Visitor<Void> {
    private final String where;
    final Map<Integer, HloOp.ShardingCall> shardingCalls = new HashMap<>();
    HloOp.Call call;

    Entry(String where) {
      this.where = where;
    }

    @Override
    public Void shardingCall(HloOp.ShardingCall op) {
      shardingCalls.put(op.result().id(), op);
      return null;
    }

    @Override
    public Void call(HloOp.Call c) {
      if (call != null) throw new IllegalStateException(where + "main calls both @" + call.callee() + " and @" + c.callee() + "; expected one body");
      call = c;
      return null;
    }

    private Void other(HloOp op) {
      throw new IllegalStateException(where + "main holds a " + op.getClass().getSimpleName()
          + "; the emulation runs only the called body, so main may hold only sharding custom calls and the call");
    }

    @Override public Void constant(HloOp.Constant op) { return other(op); }
    @Override public Void intTable(HloOp.IntTable op) { return other(op); }
    @Override public Void iota(HloOp.Iota op) { return other(op); }
    @Override public Void elementwise(HloOp.Elementwise op) { return other(op); }
    @Override public Void compare(HloOp.Compare op) { return other(op); }
    @Override public Void convert(HloOp.Convert op) { return other(op); }
    @Override public Void reshape(HloOp.Reshape op) { return other(op); }
    @Override public Void transpose(HloOp.Transpose op) { return other(op); }
    @Override public Void broadcastInDim(HloOp.BroadcastInDim op) { return other(op); }
    @Override public Void dotGeneral(HloOp.DotGeneral op) { return other(op); }
    @Override public Void reduce(HloOp.Reduce op) { return other(op); }
    @Override public Void cumulativeSum(HloOp.CumulativeSum op) { return other(op); }
    @Override public Void pad(HloOp.Pad op) { return other(op); }
    @Override public Void concatenate(HloOp.Concatenate op) { return other(op); }
    @Override public Void gather(HloOp.Gather op) { return other(op); }
    @Override public Void scatterAdd(HloOp.ScatterAdd op) { return other(op); }
    @Override public Void allReduce(HloOp.AllReduce op) { return other(op); }
    @Override public Void allGather(HloOp.AllGather op) { return other(op); }
    @Override public Void allToAll(HloOp.AllToAll op) { return other(op); }
    @Override public Void partitionId(HloOp.PartitionId op) { return other(op); }
    @Override public Void dynamicSlice(HloOp.DynamicSlice op) { return other(op); }
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
