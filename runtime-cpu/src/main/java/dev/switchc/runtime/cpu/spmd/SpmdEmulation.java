package dev.switchc.runtime.cpu.spmd;

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
  private final Map<Integer, HloOp> constants = new HashMap<>();
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
    HloOp c = constants.get(v.id());
    if (c == null) throw new IllegalStateException(what + ": uses value " + v.id() + " before it is defined");
    HloType st = stack(v.type());
    if (c instanceof HloOp.Constant k) s = e.emit(new HloOp.Constant(e.fresh(st), k.value()));
    else {
      List<Integer> values = new ArrayList<>();
      for (int d = 0; d < devices; d++) values.addAll(((HloOp.IntTable) c).values());
      s = e.emit(new HloOp.IntTable(e.fresh(st), values));
    }
    stacked.put(v.id(), s);
    return s;
  }

  /** The per-device (unstacked) form of a body constant: reduction inits, pad values. */
  private HloValue unstacked(HloValue v, String what, String role) {
    HloValue u = unstacked.get(v.id());
    if (u != null) return u;
    HloOp c = constants.get(v.id());
    if (c == null)
      throw new IllegalStateException(what + ": its " + role + " is computed on each device; the emulation needs a constant there (one value for all devices)");
    u = e.emit(c instanceof HloOp.Constant k ? new HloOp.Constant(e.fresh(v.type()), k.value())
        : new HloOp.IntTable(e.fresh(v.type()), ((HloOp.IntTable) c).values()));
    unstacked.put(v.id(), u);
    return u;
  }

  private List<HloValue> stackedAll(List<HloValue> vs, String what) {
    return vs.stream().map(v -> stacked(v, what)).toList();
  }

  /** One rule per op kind; the device-dependent ones live in {@link DeviceOps}. */
  private void rewrite(HloOp op, String what) {
    if (op instanceof HloOp.Constant || op instanceof HloOp.IntTable) {
      constants.put(op.result().id(), op);
      return;
    }
    HloType st = stack(op.result().type());
    HloValue r;
    if (op instanceof HloOp.Iota i) r = e.emit(new HloOp.Iota(e.fresh(st), i.dimension() + 1));
    else if (op instanceof HloOp.Elementwise w) r = e.emit(new HloOp.Elementwise(e.fresh(st), w.name(), elementwiseOperands(w, st, what)));
    else if (op instanceof HloOp.Compare c)
      r = e.emit(new HloOp.Compare(e.fresh(st), c.direction(), c.type(), stacked(c.lhs(), what), stacked(c.rhs(), what)));
    else if (op instanceof HloOp.Convert c) r = e.emit(new HloOp.Convert(e.fresh(st), stacked(c.operand(), what)));
    else if (op instanceof HloOp.Reshape rs) r = e.emit(new HloOp.Reshape(e.fresh(st), stacked(rs.operand(), what)));
    else if (op instanceof HloOp.Transpose t)
      r = e.emit(new HloOp.Transpose(e.fresh(st), stacked(t.operand(), what), Dims.withDevice(t.permutation())));
    else if (op instanceof HloOp.BroadcastInDim b)
      r = e.emit(new HloOp.BroadcastInDim(e.fresh(st), stacked(b.operand(), what), Dims.withDevice(b.dimensions())));
    else if (op instanceof HloOp.DotGeneral d) // the device axis is one more (leading) batch dim
      r = e.emit(new HloOp.DotGeneral(e.fresh(st), stacked(d.lhs(), what), stacked(d.rhs(), what), Dims.withDevice(d.lhsBatch()),
          Dims.withDevice(d.rhsBatch()), Dims.shifted(d.lhsContract()), Dims.shifted(d.rhsContract())));
    else if (op instanceof HloOp.Reduce rd) r = reduce(rd, st, what);
    else if (op instanceof HloOp.CumulativeSum c)
      r = e.emit(new HloOp.CumulativeSum(e.fresh(st), stacked(c.operand(), what), unstacked(c.zero(), what, "init value"), c.dimension() + 1));
    else if (op instanceof HloOp.Pad p)
      r = e.emit(new HloOp.Pad(e.fresh(st), stacked(p.operand(), what), unstacked(p.padValue(), what, "padding value"), Dims.prepend(0L, p.low()),
          Dims.prepend(0L, p.high())));
    else if (op instanceof HloOp.Concatenate c)
      r = e.emit(new HloOp.Concatenate(e.fresh(st), stackedAll(c.operands(), what), c.dimension() + 1));
    else if (op instanceof HloOp.Gather g) r = gather(g, st, what);
    else if (op instanceof HloOp.ScatterAdd s) r = scatter(s, st, what);
    else if (op instanceof HloOp.PartitionId p) r = DeviceOps.partitionId(e, p, devices, what);
    else if (op instanceof HloOp.DynamicSlice d)
      r = DeviceOps.dynamicSlice(e, d, stacked(d.operand(), what), stackedAll(d.starts(), what), devices, what);
    else if (op instanceof HloOp.AllReduce a) r = DeviceOps.allReduce(e, a, stacked(a.operand(), what), devices, what);
    else if (op instanceof HloOp.AllGather a) r = DeviceOps.allGather(e, a, stacked(a.operand(), what), devices, what);
    else if (op instanceof HloOp.AllToAll a) r = DeviceOps.allToAll(e, a, stacked(a.operand(), what), devices, what);
    else if (op instanceof HloOp.ShardingCall || op instanceof HloOp.Call)
      throw new IllegalStateException(what + ": the per-device body may not hold sharding custom calls or calls; the emulation runs one flat body");
    else throw new AssertionError(op);
    if (!r.type().equals(st)) throw new IllegalStateException(what + ": emulation made " + Dims.spell(r.type()) + ", expected " + Dims.spell(st));
    define(op.result(), r);
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

  /** For messages: {@code all_to_all (channel 3)}, {@code dot_general}. */
  private static String describe(HloOp op) {
    String kind = op.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    if (op instanceof HloOp.AllReduce a) return kind + " (channel " + a.channel() + ")";
    if (op instanceof HloOp.AllGather a) return kind + " (channel " + a.channel() + ")";
    if (op instanceof HloOp.AllToAll a) return kind + " (channel " + a.channel() + ")";
    if (op instanceof HloOp.Elementwise w) return w.name();
    return kind;
  }

  /** The guard that keeps XLA CPU from ever seeing an op it cannot run. */
  private static void requireSingleDevice(HloFunc f) {
    for (HloOp op : f.body())
      if (op instanceof HloOp.AllReduce || op instanceof HloOp.AllGather || op instanceof HloOp.AllToAll || op instanceof HloOp.PartitionId
          || op instanceof HloOp.ShardingCall || op instanceof HloOp.Call)
        throw new IllegalStateException("emulation bug: the single-device module still holds " + op.getClass().getSimpleName());
  }
}
