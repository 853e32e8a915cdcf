package dev.switchc.runtime.cpu.emulation;

import dev.switchc.ir.DType;
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
 * Rewrites an SPMD module's per-device body into one single-device module over a stacked leading
 * device axis: every value {@code [dims...]} becomes {@code [N, dims...]}, every op acts on all
 * devices at once, and each collective becomes gathers, transposes and reductions computed from
 * its own replica groups (so a wrong group gives a wrong answer, as on a real mesh). A partition
 * id becomes an iota over the device axis. No collective or partition id reaches XLA.
 *
 * <p>Constants stay unstacked (reductions need scalar inits) and are broadcast over the device axis
 * where an op needs them stacked.
 */
public final class MeshEmulation {
  private final int devices;
  private final List<HloOp> out = new ArrayList<>();
  private final Map<Integer, HloValue> stacked = new HashMap<>();
  private final Map<Integer, HloValue> constants = new HashMap<>();
  private int nextId;

  private MeshEmulation(int devices) {
    this.devices = devices;
  }

  /** The emulation of {@code spmd}'s body: arguments and results stacked [N, local...]. */
  public static HloModule rewrite(HloModule spmd) {
    if (spmd.functions().size() != 1) throw new IllegalArgumentException("expected one body function, got " + spmd.functions().size());
    HloFunc body = spmd.functions().get(0);
    MeshEmulation e = new MeshEmulation(spmd.numPartitions());
    List<HloValue> args = new ArrayList<>();
    for (HloValue a : body.args()) {
      HloValue s = e.fresh(e.stack(a.type()));
      e.stacked.put(a.id(), s);
      args.add(s);
    }
    for (HloOp op : body.body()) e.rewrite(op);
    List<HloValue> returns = body.returns().stream().map(e::stacked).toList();
    HloFunc main = new HloFunc("main", args, e.out, returns);
    return HloModule.single(spmd.name() + "_emulated_" + spmd.numPartitions() + "_devices", main, spmd.argNames(), spmd.resultNames());
  }

  private HloType stack(HloType t) {
    List<Long> dims = new ArrayList<>();
    dims.add((long) devices);
    dims.addAll(t.dims());
    return new HloType(t.dtype(), dims);
  }

  private HloValue fresh(HloType t) {
    return new HloValue(nextId++, t);
  }

  private HloValue emit(HloOp op) {
    out.add(op);
    return op.result();
  }

  /** The stacked form of a body value; a constant is broadcast over the device axis on first use. */
  private HloValue stacked(HloValue v) {
    HloValue s = stacked.get(v.id());
    if (s != null) return s;
    HloValue c = constants.get(v.id());
    if (c == null) throw new IllegalStateException("value " + v.id() + " used before it is defined");
    s = emit(new HloOp.BroadcastInDim(fresh(stack(c.type())), c, shifted(range(0, c.type().rank()), 1)));
    stacked.put(v.id(), s);
    return s;
  }

  /** The unstacked form of a constant (reduction inits, pad values). */
  private HloValue scalar(HloValue v) {
    HloValue c = constants.get(v.id());
    if (c == null) throw new IllegalStateException("expected a constant init value, got value " + v.id());
    return c;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i < to; i++) r.add(i);
    return r;
  }

  private static List<Integer> shifted(List<Integer> dims, int by) {
    return dims.stream().map(d -> d + by).toList();
  }

  private static List<Integer> withDevice(List<Integer> dims) {
    List<Integer> r = new ArrayList<>();
    r.add(0);
    r.addAll(shifted(dims, 1));
    return r;
  }

  private void define(HloOp original, HloValue result) {
    stacked.put(original.result().id(), result);
  }

  private void rewrite(HloOp op) {
    HloValue r = op.result();
    HloType st = stack(r.type());
    if (op instanceof HloOp.Constant c) {
      constants.put(r.id(), emit(new HloOp.Constant(fresh(r.type()), c.value())));
    } else if (op instanceof HloOp.IntTable t) {
      constants.put(r.id(), emit(new HloOp.IntTable(fresh(r.type()), t.values())));
    } else if (op instanceof HloOp.Iota i) {
      define(op, emit(new HloOp.Iota(fresh(st), i.dimension() + 1)));
    } else if (op instanceof HloOp.Elementwise e) {
      define(op, emit(new HloOp.Elementwise(fresh(st), e.name(), e.operands().stream().map(this::stacked).toList())));
    } else if (op instanceof HloOp.Compare c) {
      define(op, emit(new HloOp.Compare(fresh(st), c.direction(), c.type(), stacked(c.lhs()), stacked(c.rhs()))));
    } else if (op instanceof HloOp.Convert c) {
      define(op, emit(new HloOp.Convert(fresh(st), stacked(c.operand()))));
    } else if (op instanceof HloOp.Reshape rs) {
      define(op, emit(new HloOp.Reshape(fresh(st), stacked(rs.operand()))));
    } else if (op instanceof HloOp.Transpose t) {
      define(op, emit(new HloOp.Transpose(fresh(st), stacked(t.operand()), withDevice(t.permutation()))));
    } else if (op instanceof HloOp.BroadcastInDim b) {
      define(op, emit(new HloOp.BroadcastInDim(fresh(st), stacked(b.operand()), withDevice(b.dimensions()))));
    } else if (op instanceof HloOp.DotGeneral d) {
      define(op, emit(new HloOp.DotGeneral(fresh(st), stacked(d.lhs()), stacked(d.rhs()), withDevice(d.lhsBatch()), withDevice(d.rhsBatch()),
          shifted(d.lhsContract(), 1), shifted(d.rhsContract(), 1))));
    } else if (op instanceof HloOp.Reduce rd) {
      HloValue value = rd.valueResult() == null ? null : fresh(stack(rd.valueResult().type()));
      HloValue res = fresh(st);
      emit(new HloOp.Reduce(res, value, rd.operands().stream().map(this::stacked).toList(), rd.inits().stream().map(this::scalar).toList(),
          rd.combiner(), shifted(rd.dimensions(), 1)));
      define(op, res);
      if (value != null) stacked.put(rd.valueResult().id(), value);
    } else if (op instanceof HloOp.CumulativeSum c) {
      define(op, emit(new HloOp.CumulativeSum(fresh(st), stacked(c.operand()), scalar(c.zero()), c.dimension() + 1)));
    } else if (op instanceof HloOp.Pad p) {
      define(op, emit(new HloOp.Pad(fresh(st), stacked(p.operand()), scalar(p.padValue()), prepend(0L, p.low()), prepend(0L, p.high()))));
    } else if (op instanceof HloOp.Concatenate c) {
      define(op, emit(new HloOp.Concatenate(fresh(st), c.operands().stream().map(this::stacked).toList(), c.dimension() + 1)));
    } else if (op instanceof HloOp.Gather g) {
      HloValue idx = withDeviceColumn(stacked(g.indices()));
      define(op, emit(new HloOp.Gather(fresh(st), stacked(g.operand()), idx, shifted(g.offsetDims(), 1), withDevice(g.collapsedSliceDims()),
          withDevice(g.startIndexMap()), g.indexVectorDim() + 1, prepend(1L, g.sliceSizes()))));
    } else if (op instanceof HloOp.ScatterAdd s) {
      HloValue idx = withDeviceColumn(stacked(s.indices()));
      define(op, emit(new HloOp.ScatterAdd(fresh(st), stacked(s.operand()), idx, stacked(s.updates()), shifted(s.updateWindowDims(), 1),
          withDevice(s.insertedWindowDims()), withDevice(s.scatterDimsToOperandDims()), s.indexVectorDim() + 1)));
    } else if (op instanceof HloOp.PartitionId) {
      define(op, emit(new HloOp.Iota(fresh(st), 0)));
    } else if (op instanceof HloOp.DynamicSlice d) {
      define(op, dynamicSlice(d, st));
    } else if (op instanceof HloOp.AllReduce a) {
      Groups g = Groups.of(a.groups(), devices, "all_reduce channel " + a.channel());
      HloValue members = gatherMembers(stacked(a.operand()), g);
      HloValue init = emit(new HloOp.Constant(fresh(new HloType(r.type().dtype(), List.of())), a.combiner().identity(r.type().dtype())));
      HloValue res = fresh(st);
      emit(new HloOp.Reduce(res, null, List.of(members), List.of(init), a.combiner(), List.of(1)));
      define(op, res);
    } else if (op instanceof HloOp.AllGather a) {
      Groups g = Groups.of(a.groups(), devices, "all_gather channel " + a.channel());
      define(op, mergeMembers(gatherMembers(stacked(a.operand()), g), a.dimension(), st));
    } else if (op instanceof HloOp.AllToAll a) {
      define(op, allToAll(a, st));
    } else {
      throw new IllegalArgumentException("the mesh emulation does not handle " + op.getClass().getSimpleName());
    }
  }

  private static <T> List<T> prepend(T first, List<T> rest) {
    List<T> r = new ArrayList<>();
    r.add(first);
    r.addAll(rest);
    return r;
  }


  /** An i32 table of {@code dims} holding {@code values} row-major. */
  private HloValue table(List<Long> dims, List<Integer> values) {
    return emit(new HloOp.IntTable(fresh(new HloType(DType.I32, dims)), values));
  }

  /** {@code indices} [N, i..., K] with the device's own index put in front of each index vector. */
  private HloValue withDeviceColumn(HloValue indices) {
    List<Long> dims = indices.type().dims();
    List<Long> col = new ArrayList<>(dims.subList(0, dims.size() - 1));
    col.add(1L);
    HloValue device = emit(new HloOp.Iota(fresh(new HloType(DType.I32, col)), 0));
    HloValue converted = indices.type().dtype() == DType.I32 ? indices : emit(new HloOp.Convert(fresh(indices.type().withDtype(DType.I32)), indices));
    List<Long> joined = new ArrayList<>(col);
    joined.set(joined.size() - 1, dims.get(dims.size() - 1) + 1);
    return emit(new HloOp.Concatenate(fresh(new HloType(DType.I32, joined)), List.of(device, converted), dims.size() - 1));
  }

  /** [N, k, s...]: for each device, the operand of each member of its group, in group order. */
  private HloValue gatherMembers(HloValue x, Groups g) {
    List<Integer> idx = new ArrayList<>();
    for (int d = 0; d < devices; d++) idx.addAll(g.groupOf(d));
    HloValue indices = table(List.of((long) devices, (long) g.size(), 1L), idx);
    List<Long> resultDims = new ArrayList<>(List.of((long) devices, (long) g.size()));
    resultDims.addAll(x.type().dims().subList(1, x.type().rank()));
    List<Long> sizes = new ArrayList<>(x.type().dims());
    sizes.set(0, 1L);
    return emit(new HloOp.Gather(fresh(new HloType(x.type().dtype(), resultDims)), x, indices, range(2, resultDims.size()), List.of(0),
        List.of(0), 2, sizes));
  }

  /** [N, k, s...] with the member axis merged into dim {@code dim} of s, block-major: concatenation in group order. */
  private HloValue mergeMembers(HloValue members, int dim, HloType result) {
    List<Integer> perm = new ArrayList<>();
    perm.add(0);
    int rank = members.type().rank();
    for (int i = 2; i < rank; i++) {
      if (i - 2 == dim) perm.add(1);
      perm.add(i);
    }
    List<Long> dims = new ArrayList<>();
    for (int p : perm) dims.add(members.type().dims().get(p));
    HloValue t = emit(new HloOp.Transpose(fresh(new HloType(members.type().dtype(), dims)), members, perm));
    return emit(new HloOp.Reshape(fresh(result), t));
  }

  /**
   * Device d at position p of its group receives, from each member m in group order, the p-th of
   * k pieces of m's operand along the split dim, and concatenates them along the concat dim.
   */
  private HloValue allToAll(HloOp.AllToAll a, HloType result) {
    Groups g = Groups.of(a.groups(), devices, "all_to_all channel " + a.channel());
    if (g.size() != a.splitCount()) throw new IllegalStateException("all_to_all channel " + a.channel() + ": split_count " + a.splitCount() + " != group size " + g.size());
    HloValue x = stacked(a.operand());
    int s = a.splitDimension() + 1, k = g.size();
    List<Long> pieces = new ArrayList<>(x.type().dims());
    long len = pieces.get(s);
    if (len % k != 0) throw new IllegalStateException("all_to_all channel " + a.channel() + ": split dim of size " + len + " not divisible by " + k);
    pieces.set(s, len / k);
    pieces.add(s, (long) k);
    HloValue split = emit(new HloOp.Reshape(fresh(new HloType(x.type().dtype(), pieces)), x));
    List<Integer> idx = new ArrayList<>();
    for (int d = 0; d < devices; d++) for (int m : g.groupOf(d)) {
      idx.add(m);
      idx.add(g.positionOf(d));
    }
    HloValue indices = table(List.of((long) devices, (long) k, 2L), idx);
    List<Long> sizes = new ArrayList<>(pieces);
    sizes.set(0, 1L);
    sizes.set(s, 1L);
    List<Long> resultDims = new ArrayList<>(List.of((long) devices, (long) k));
    for (int i = 1; i < pieces.size(); i++) if (i != s) resultDims.add(pieces.get(i));
    HloValue members = emit(new HloOp.Gather(fresh(new HloType(x.type().dtype(), resultDims)), split, indices, range(2, resultDims.size()),
        List.of(0, s), List.of(0, s), 2, sizes));
    return mergeMembers(members, a.concatDimension(), result);
  }

  /** Each device slices its own start: a gather with per-device start indices. */
  private HloValue dynamicSlice(HloOp.DynamicSlice d, HloType result) {
    HloValue x = stacked(d.operand());
    List<HloValue> columns = new ArrayList<>();
    HloType column = new HloType(DType.I32, List.of((long) devices, 1L));
    columns.add(emit(new HloOp.Iota(fresh(column), 0)));
    for (HloValue start : d.starts()) {
      HloValue st = stacked(start);
      if (st.type().dtype() != DType.I32) st = emit(new HloOp.Convert(fresh(st.type().withDtype(DType.I32)), st));
      columns.add(emit(new HloOp.Reshape(fresh(column), st)));
    }
    HloValue indices = emit(new HloOp.Concatenate(fresh(new HloType(DType.I32, List.of((long) devices, (long) columns.size()))), columns, 1));
    return emit(new HloOp.Gather(fresh(result), x, indices, range(1, result.rank()), List.of(0), range(0, columns.size()), 1,
        prepend(1L, d.sizes())));
  }
}
