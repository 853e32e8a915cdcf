package dev.switchc.runtime.cpu.spmd;

import dev.switchc.runtime.ShardedArrays;
import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Emulates an SPMD module's mesh on one device: a pure rewrite of the structured module into a
 * single-device module whose {@code main} takes every argument of the per-device body stacked
 * over a new leading device axis ({@code [N, local...]}, N = {@code mhlo.num_partitions}) and
 * returns every body result stacked the same way. Row d of every value is what device d holds.
 *
 * <p>Local ops act on all rows at once with their dimension numbers moved past the device axis
 * (dot_general gets it as an extra leading batch dim; gather and scatter get it as an extra
 * batch dim through an iota column in front of each index vector). The ops that depend on the
 * device, collectives, {@code partition_id} and {@code dynamic_slice}, are spelt out from their
 * own attributes in {@link DeviceOps}; the result holds no collective and no partition id, which
 * XLA on CPU cannot run (some crash the JVM).
 *
 * <p>The entry ({@code main} of the SPMD module) is checked by {@link SpmdEntry}: the stacked
 * arguments are exactly the body's, so the caller shards global arrays by the module's
 * argument shardings ({@link ShardedArrays}). Errors in the module are
 * {@link IllegalStateException}s naming the body op ({@code @shmap_body op 7: all_to_all
 * (channel 3): ...}).
 */
public final class SpmdEmulation {
  private final int devices;
  private final Emitter e = new Emitter();
  /** Body value id to its stacked value. */
  private final Map<Integer, HloValue> stacked = new HashMap<>();
  /** Body constants by result id, emitted where used: stacked as operands, unstacked as inits. */
  private final Map<Integer, Literal> constants = new HashMap<>();
  private final Map<Integer, HloValue> unstacked = new HashMap<>();

  private SpmdEmulation(int devices) {
    this.devices = devices;
  }

  /** The single-device emulation of {@code spmd}; {@code spmd} is not changed. */
  public static HloModule rewrite(HloModule spmd) {
    HloFunc body = SpmdEntry.of(spmd).body();
    SpmdEmulation em = new SpmdEmulation(spmd.numPartitions());
    List<HloValue> args = new ArrayList<>();
    for (HloValue a : body.args()) {
      HloValue s = em.e.fresh(em.stack(a.type()));
      em.stacked.put(a.id(), s);
      args.add(s);
    }
    for (int i = 0; i < body.body().size(); i++) {
      HloOp op = body.body().get(i);
      em.rewrite(op, "@" + body.name() + " op " + i + ": " + describe(op));
    }
    List<HloValue> returns = new ArrayList<>();
    for (HloValue r : body.returns()) returns.add(em.stacked(r, "@" + body.name() + " return"));
    HloFunc main = new HloFunc("main", args, em.e.ops(), returns);
    requireSingleDevice(main);
    return HloModule.single(spmd.name() + "_emulated", main, spmd.argNames(), spmd.resultNames());
  }

  private HloType stack(HloType t) {
    return new HloType(t.dtype(), Dims.prepend((long) devices, t.dims()));
  }

  private void define(HloValue bodyValue, HloValue stackedValue) {
    stacked.put(bodyValue.id(), stackedValue);
  }

  /** The stacked form of a body value; a constant is materialised over the device axis on first use. */
  private HloValue stacked(HloValue v, String what) {
    HloValue s = stacked.get(v.id());
    if (s != null) return s;
    Literal c = constants.get(v.id());
    if (c == null) throw new IllegalStateException(what + ": uses value " + v.id() + " before it is defined");
    s = e.emit(c.stacked().apply(e.fresh(stack(v.type()))));
    stacked.put(v.id(), s);
    return s;
  }

  /** The per-device (unstacked) form of a body constant: reduction inits, pad values. */
  private HloValue unstacked(HloValue v, String what, String role) {
    HloValue u = unstacked.get(v.id());
    if (u != null) return u;
    Literal c = constants.get(v.id());
    if (c == null)
      throw new IllegalStateException(what + ": its " + role + " is computed on each device; the emulation needs a constant there (one value for all devices)");
    u = e.emit(c.unstacked().apply(e.fresh(v.type())));
    unstacked.put(v.id(), u);
    return u;
  }

  /** A body constant, re-made where it is used: as it is (inits), or the same on every device (operands). */
  private record Literal(java.util.function.Function<HloValue, HloOp> unstacked, java.util.function.Function<HloValue, HloOp> stacked) {}

  private List<HloValue> stackedAll(List<HloValue> vs, String what) {
    return vs.stream().map(v -> stacked(v, what)).toList();
  }

  /** One rule per op kind; the device-dependent ones live in {@link DeviceOps}. */
  private void rewrite(HloOp op, String what) {
    HloValue r = op.accept(new Rule(what));
    if (r == null) return; // a constant, materialised where it is used
    HloType st = stack(op.result().type());
    if (!r.type().equals(st)) throw new IllegalStateException(what + ": emulation made " + Dims.spell(r.type()) + ", expected " + Dims.spell(st));
    define(op.result(), r);
  }

  /** The stacked form of one body op; null for constants (see {@link #stacked(HloValue, String)}). */
  private final class Rule implements HloOp.Visitor<HloValue> {
    private final String what;

    Rule(String what) {
      this.what = what;
    }

    private HloType st(HloOp op) {
      return stack(op.result().type());
    }

    private HloValue in(HloValue v) {
      return stacked(v, what);
    }

    @Override
    public HloValue constant(HloOp.Constant op) {
      constants.put(op.result().id(), new Literal(r -> new HloOp.Constant(r, op.value()), r -> new HloOp.Constant(r, op.value())));
      return null;
    }

    @Override
    public HloValue intTable(HloOp.IntTable op) {
      List<Integer> everyDevice = new ArrayList<>();
      for (int d = 0; d < devices; d++) everyDevice.addAll(op.values());
      constants.put(op.result().id(), new Literal(r -> new HloOp.IntTable(r, op.values()), r -> new HloOp.IntTable(r, everyDevice)));
      return null;
    }

    @Override
    public HloValue iota(HloOp.Iota i) {
      return e.emit(new HloOp.Iota(e.fresh(st(i)), i.dimension() + 1));
    }

    @Override
    public HloValue elementwise(HloOp.Elementwise w) {
      return e.emit(new HloOp.Elementwise(e.fresh(st(w)), w.fn(), elementwiseOperands(w, st(w), what)));
    }

    @Override
    public HloValue compare(HloOp.Compare c) {
      return e.emit(new HloOp.Compare(e.fresh(st(c)), c.direction(), c.type(), in(c.lhs()), in(c.rhs())));
    }

    @Override
    public HloValue convert(HloOp.Convert c) {
      return e.emit(new HloOp.Convert(e.fresh(st(c)), in(c.operand())));
    }

    @Override
    public HloValue reshape(HloOp.Reshape rs) {
      return e.emit(new HloOp.Reshape(e.fresh(st(rs)), in(rs.operand())));
    }

    @Override
    public HloValue transpose(HloOp.Transpose t) {
      return e.emit(new HloOp.Transpose(e.fresh(st(t)), in(t.operand()), Dims.withDevice(t.permutation())));
    }

    @Override
    public HloValue broadcastInDim(HloOp.BroadcastInDim b) {
      return e.emit(new HloOp.BroadcastInDim(e.fresh(st(b)), in(b.operand()), Dims.withDevice(b.dimensions())));
    }

    @Override
    public HloValue dotGeneral(HloOp.DotGeneral d) { // the device axis is one more (leading) batch dim
      return e.emit(new HloOp.DotGeneral(e.fresh(st(d)), in(d.lhs()), in(d.rhs()), Dims.withDevice(d.lhsBatch()), Dims.withDevice(d.rhsBatch()),
          Dims.shifted(d.lhsContract()), Dims.shifted(d.rhsContract())));
    }

    @Override
    public HloValue reduce(HloOp.Reduce rd) {
      return SpmdEmulation.this.reduce(rd, st(rd), what);
    }

    @Override
    public HloValue cumulativeSum(HloOp.CumulativeSum c) {
      return e.emit(new HloOp.CumulativeSum(e.fresh(st(c)), in(c.operand()), unstacked(c.zero(), what, "init value"), c.dimension() + 1));
    }

    @Override
    public HloValue pad(HloOp.Pad p) {
      return e.emit(new HloOp.Pad(e.fresh(st(p)), in(p.operand()), unstacked(p.padValue(), what, "padding value"), Dims.prepend(0L, p.low()),
          Dims.prepend(0L, p.high())));
    }

    @Override
    public HloValue concatenate(HloOp.Concatenate c) {
      return e.emit(new HloOp.Concatenate(e.fresh(st(c)), stackedAll(c.operands(), what), c.dimension() + 1));
    }

    @Override
    public HloValue gather(HloOp.Gather g) {
      return SpmdEmulation.this.gather(g, st(g), what);
    }

    @Override
    public HloValue scatterAdd(HloOp.ScatterAdd s) {
      return scatter(s, st(s), what);
    }

    @Override
    public HloValue partitionId(HloOp.PartitionId p) {
      return DeviceOps.partitionId(e, p, devices, what);
    }

    @Override
    public HloValue dynamicSlice(HloOp.DynamicSlice d) {
      return DeviceOps.dynamicSlice(e, d, in(d.operand()), stackedAll(d.starts(), what), devices, what);
    }

    @Override
    public HloValue allReduce(HloOp.AllReduce a) {
      return DeviceOps.allReduce(e, a, in(a.operand()), devices, what);
    }

    @Override
    public HloValue allGather(HloOp.AllGather a) {
      return DeviceOps.allGather(e, a, in(a.operand()), devices, what);
    }

    @Override
    public HloValue allToAll(HloOp.AllToAll a) {
      return DeviceOps.allToAll(e, a, in(a.operand()), devices, what);
    }

    @Override
    public HloValue shardingCall(HloOp.ShardingCall op) {
      throw flat();
    }

    @Override
    public HloValue call(HloOp.Call op) {
      throw flat();
    }

    private IllegalStateException flat() {
      return new IllegalStateException(what + ": the per-device body may not hold sharding custom calls or calls; the emulation runs one flat body");
    }
  }

  /** Stacked operands; a 0-d operand of a shaped op (select's predicate) is broadcast over the result. */
  private List<HloValue> elementwiseOperands(HloOp.Elementwise w, HloType st, String what) {
    List<HloValue> out = new ArrayList<>();
    for (HloValue o : w.operands()) {
      HloValue s = stacked(o, what);
      if (o.type().rank() == 0 && st.rank() > 1) s = e.broadcast(s, st.dims(), List.of(0));
      out.add(s);
    }
    return out;
  }

  private HloValue reduce(HloOp.Reduce rd, HloType st, String what) {
    HloValue res = e.fresh(st);
    HloValue value = rd.valueResult() == null ? null : e.fresh(stack(rd.valueResult().type()));
    List<HloValue> inits = rd.inits().stream().map(i -> unstacked(i, what, "init value")).toList();
    e.emit(new HloOp.Reduce(res, value, stackedAll(rd.operands(), what), inits, rd.combiner(), Dims.shifted(rd.dimensions())));
    if (value != null) define(rd.valueResult(), value);
    return res;
  }

  /** The device axis is a batch dim: operand row d is read with index vectors (d, i...). */
  private HloValue gather(HloOp.Gather g, HloType st, String what) {
    Indices ix = withDeviceColumn(g.indices(), g.indexVectorDim(), what);
    return e.emit(new HloOp.Gather(e.fresh(st), stacked(g.operand(), what), ix.value(), Dims.shifted(g.offsetDims()),
        Dims.withDevice(g.collapsedSliceDims()), Dims.withDevice(g.startIndexMap()), ix.indexVectorDim(), Dims.prepend(1L, g.sliceSizes())));
  }

  /** As for gather: device d's updates go to row d (an update out of range is still dropped). */
  private HloValue scatter(HloOp.ScatterAdd s, HloType st, String what) {
    Indices ix = withDeviceColumn(s.indices(), s.indexVectorDim(), what);
    return e.emit(new HloOp.ScatterAdd(e.fresh(st), stacked(s.operand(), what), ix.value(), stacked(s.updates(), what),
        Dims.shifted(s.updateWindowDims()), Dims.withDevice(s.insertedWindowDims()), Dims.withDevice(s.scatterDimsToOperandDims()),
        ix.indexVectorDim()));
  }

  private record Indices(HloValue value, int indexVectorDim) {}

  /**
   * The stacked {@code indices} with the device's own number put first in every index vector (an
   * iota over the device axis, in the indices' type); an implicit trailing index vector dim
   * ({@code index_vector_dim == rank}) is made explicit first.
   */
  private Indices withDeviceColumn(HloValue indices, int indexVectorDim, String what) {
    HloValue s = stacked(indices, what);
    int iv = indexVectorDim + 1;
    if (indexVectorDim == indices.type().rank()) s = e.reshape(s, append(s.type().dims(), 1L));
    else if (indexVectorDim < 0 || indexVectorDim > indices.type().rank())
      throw new IllegalStateException(what + ": index_vector_dim " + indexVectorDim + " is outside the indices' rank " + indices.type().rank());
    List<Long> column = new ArrayList<>(s.type().dims());
    column.set(iv, 1L);
    HloValue device = e.iota(s.type().dtype(), column, 0);
    return new Indices(e.concatenate(List.of(device, s), iv), iv);
  }

  private static List<Long> append(List<Long> dims, long last) {
    List<Long> r = new ArrayList<>(dims);
    r.add(last);
    return r;
  }

  /** For messages: {@code all_to_all (channel 3)}, {@code dot_general}, {@code stablehlo.add}. */
  private static String describe(HloOp op) {
    String kind = op.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    return op.accept(new HloOp.Visitor<String>() {
      private String channel(int c) {
        return kind + " (channel " + c + ")";
      }

      @Override public String constant(HloOp.Constant op) { return kind; }
      @Override public String intTable(HloOp.IntTable op) { return kind; }
      @Override public String iota(HloOp.Iota op) { return kind; }
      @Override public String elementwise(HloOp.Elementwise op) { return op.fn().opName(); }
      @Override public String compare(HloOp.Compare op) { return kind; }
      @Override public String convert(HloOp.Convert op) { return kind; }
      @Override public String reshape(HloOp.Reshape op) { return kind; }
      @Override public String transpose(HloOp.Transpose op) { return kind; }
      @Override public String broadcastInDim(HloOp.BroadcastInDim op) { return kind; }
      @Override public String dotGeneral(HloOp.DotGeneral op) { return kind; }
      @Override public String reduce(HloOp.Reduce op) { return kind; }
      @Override public String cumulativeSum(HloOp.CumulativeSum op) { return kind; }
      @Override public String pad(HloOp.Pad op) { return kind; }
      @Override public String concatenate(HloOp.Concatenate op) { return kind; }
      @Override public String gather(HloOp.Gather op) { return kind; }
      @Override public String scatterAdd(HloOp.ScatterAdd op) { return kind; }
      @Override public String allReduce(HloOp.AllReduce op) { return channel(op.channel()); }
      @Override public String allGather(HloOp.AllGather op) { return channel(op.channel()); }
      @Override public String allToAll(HloOp.AllToAll op) { return channel(op.channel()); }
      @Override public String partitionId(HloOp.PartitionId op) { return kind; }
      @Override public String dynamicSlice(HloOp.DynamicSlice op) { return kind; }
      @Override public String shardingCall(HloOp.ShardingCall op) { return kind; }
      @Override public String call(HloOp.Call op) { return kind; }
    });
  }

  /** The guard that keeps XLA CPU from ever seeing an op it cannot run: none of the rewritten ops is device-dependent. */
  private static void requireSingleDevice(HloFunc f) {
    for (HloOp op : f.body())
      if (op.accept(DEVICE_DEPENDENT))
        throw new IllegalStateException("emulation bug: the single-device module still holds " + op.getClass().getSimpleName());
  }

  /** Whether XLA would need a mesh (or a partitioner) to run the op. */
  private static final HloOp.Visitor<Boolean> DEVICE_DEPENDENT = new HloOp.Visitor<>() {
    @Override public Boolean constant(HloOp.Constant op) { return false; }
    @Override public Boolean intTable(HloOp.IntTable op) { return false; }
    @Override public Boolean iota(HloOp.Iota op) { return false; }
    @Override public Boolean elementwise(HloOp.Elementwise op) { return false; }
    @Override public Boolean compare(HloOp.Compare op) { return false; }
    @Override public Boolean convert(HloOp.Convert op) { return false; }
    @Override public Boolean reshape(HloOp.Reshape op) { return false; }
    @Override public Boolean transpose(HloOp.Transpose op) { return false; }
    @Override public Boolean broadcastInDim(HloOp.BroadcastInDim op) { return false; }
    @Override public Boolean dotGeneral(HloOp.DotGeneral op) { return false; }
    @Override public Boolean reduce(HloOp.Reduce op) { return false; }
    @Override public Boolean cumulativeSum(HloOp.CumulativeSum op) { return false; }
    @Override public Boolean pad(HloOp.Pad op) { return false; }
    @Override public Boolean concatenate(HloOp.Concatenate op) { return false; }
    @Override public Boolean gather(HloOp.Gather op) { return false; }
    @Override public Boolean scatterAdd(HloOp.ScatterAdd op) { return false; }
    @Override public Boolean allReduce(HloOp.AllReduce op) { return true; }
    @Override public Boolean allGather(HloOp.AllGather op) { return true; }
    @Override public Boolean allToAll(HloOp.AllToAll op) { return true; }
    @Override public Boolean partitionId(HloOp.PartitionId op) { return true; }
    @Override public Boolean dynamicSlice(HloOp.DynamicSlice op) { return false; } // runs on one device; only its starts came from the device
    @Override public Boolean shardingCall(HloOp.ShardingCall op) { return true; }
    @Override public Boolean call(HloOp.Call op) { return true; }
  };
}
