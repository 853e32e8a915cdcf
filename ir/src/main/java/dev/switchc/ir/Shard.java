package dev.switchc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sharding pass: a global function plus a mesh and layout rules in, the per-device function
 * out, with local shapes and explicit collectives (Mesh TensorFlow's model).
 *
 * <p>Every tensor's layout follows from its dimension names, so operands of an op agree on shared
 * dims and most ops run locally. Communication arises in three places only: an einsum or reduction
 * over a split dim, or a scatter-add of rows split along a dim the result lacks (a gather's
 * backward), leaves partial sums, completed by an all-reduce over its axes; a relabel between
 * differently laid out names moves each changed axis by an all-to-all (split on the new dim, concat
 * on the old), an all-gather (the axis is dropped) or a local slice (the axis is added); a reshape
 * whose pieces are not contiguous per device goes through the whole tensor. An iota along a split
 * dim counts from the device's offset ({@link Op.DeviceCoordinate}). Ops that need a dim whole on
 * every device (arg_max, cumsum, one_hot, the indexed dims of gather and scatter) reject a rule
 * that splits it, with the rule's location.
 *
 * <p>A mesh axis of size 1 splits nothing: a dim mapped to it is whole on every device, a sum over
 * it is already complete, and moving it between dims moves no data. So the rules are checked as
 * written (a rule valid on {@code expert=1} is valid on {@code expert=4}), then the pass runs on
 * the rules without size-1 axes: it emits no collective, slice or device coordinate over them.
 */
public final class Shard {
  private final Mesh mesh;
  private final Layout rules;
  private final List<Op> body = new ArrayList<>();
  private final Map<Integer, Value> local = new HashMap<>();
  private final Map<Integer, TensorLayout> layouts = new HashMap<>();
  private int nextId;

  private Shard(Mesh mesh, Layout rules) {
    this.mesh = mesh;
    this.rules = rules;
  }

  public static ShardedFunc run(Func in, Mesh mesh, Layout layout) {
    ShardingChecks.check(in, mesh, layout);
    Shard s = new Shard(mesh, withoutSizeOneAxes(layout, mesh));
    List<Binding> params = new ArrayList<>();
    for (Binding p : in.params()) {
      Value v = s.fresh(s.named(p.value().type(), List.of()));
      s.local.put(p.value().id(), v);
      params.add(new Binding(p.name(), v, p.loc()));
    }
    for (Op op : in.body()) s.local.put(op.out().id(), s.lower(op));
    List<Binding> results = in.results().stream().map(r -> new Binding(r.name(), s.local.get(r.value().id()))).toList();
    Func out = Verifier.verify(new Func(in.name(), params, s.body, results));
    for (Op op : out.body()) s.checkLocal(op.out());
    for (Binding p : out.params()) s.checkLocal(p.value());
    return new ShardedFunc(in, out, mesh, layout, s.layouts);
  }

  /** {@code layout} with every axis of size 1 dropped from its rules; where and origins unchanged. */
  private static Layout withoutSizeOneAxes(Layout layout, Mesh mesh) {
    Map<String, List<String>> splitting = new LinkedHashMap<>();
    layout.rules().forEach((dim, axes) -> splitting.put(dim, axes.stream().filter(a -> mesh.size(a) > 1).toList()));
    return new Layout(splitting, layout.where(), layout.origins());
  }

  /** Every per-device value holds exactly its layout's share of its global tensor. */
  private void checkLocal(Value v) {
    TensorLayout l = layouts.get(v.id());
    if (l == null || !l.local(mesh).equals(v.type()))
      throw new IllegalStateException("sharding pass bug: " + v + " is " + v.type() + " but its layout " + (l == null ? "is missing" : l.describe()
          + " gives " + l.local(mesh)));
  }

  /** The layout the rules give a tensor of this type. */
  private TensorLayout named(TensorType global, List<String> partial) {
    Map<String, List<String>> split = new LinkedHashMap<>();
    for (Dim d : global.shape().dims()) split.put(d.name(), rules.axes(d.name()));
    return new TensorLayout(global, split, partial);
  }

  private Value fresh(TensorLayout layout) {
    Value v = new Value(nextId++, layout.local(mesh));
    layouts.put(v.id(), layout);
    return v;
  }

  private Value in(Value global) {
    return local.get(global.id());
  }

  private Value emit(Op op) {
    body.add(op);
    return op.out();
  }

  private Value lower(Op op) {
    return op.accept(lowering);
  }

  /** The same op on each device's pieces: operands and result keep their layouts, nothing moves. */
  private Value local(Op op) {
    return emit(OpRebuild.with(op, fresh(named(op.out().type(), List.of())), op.inputs().stream().map(this::in).toList()));
  }

  /**
   * How each op kind is sharded. Elementwise ops run locally because every operand's layout follows
   * from the dim names it shares with the result; the ops that need a dim whole (arg_max, one_hot,
   * cumsum, the indexed dims of gather and scatter_add) run locally because {@link ShardingChecks}
   * refused layouts that split it.
   */
  private final Op.Visitor<Value> lowering = new Op.Visitor<>() {
    @Override
    public Value constant(Op.Constant op) {
      return local(op);
    }

    @Override
    public Value iota(Op.Iota op) {
      return rules.axes(op.dim()).isEmpty() ? local(op) : splitIota(op);
    }

    @Override
    public Value unary(Op.Unary op) {
      return local(op);
    }

    @Override
    public Value binary(Op.Binary op) {
      return local(op);
    }

    @Override
    public Value compare(Op.Compare op) {
      return local(op);
    }

    @Override
    public Value select(Op.Select op) {
      return local(op);
    }

    @Override
    public Value cast(Op.Cast op) {
      return local(op);
    }

    @Override
    public Value einsum(Op.Einsum op) {
      return Shard.this.einsum(op);
    }

    @Override
    public Value reduce(Op.Reduce op) {
      return Shard.this.reduce(op);
    }

    @Override
    public Value argMax(Op.ArgMax op) {
      return local(op);
    }

    @Override
    public Value oneHot(Op.OneHot op) {
      return local(op);
    }

    @Override
    public Value cumsum(Op.Cumsum op) {
      return local(op);
    }

    @Override
    public Value reshape(Op.Reshape op) {
      return Shard.this.reshape(op);
    }

    @Override
    public Value relabel(Op.Relabel op) {
      return Shard.this.relabel(op);
    }

    @Override
    public Value gather(Op.Gather op) {
      return local(op);
    }

    @Override
    public Value scatterAdd(Op.ScatterAdd op) {
      return Shard.this.scatterAdd(op);
    }

    @Override
    public Value allReduce(Op.AllReduce op) {
      return alreadySharded(op);
    }

    @Override
    public Value allGather(Op.AllGather op) {
      return alreadySharded(op);
    }

    @Override
    public Value allToAll(Op.AllToAll op) {
      return alreadySharded(op);
    }

    @Override
    public Value deviceCoordinate(Op.DeviceCoordinate op) {
      return alreadySharded(op);
    }

    @Override
    public Value localSlice(Op.LocalSlice op) {
      return alreadySharded(op);
    }

    /** Ops that only this pass makes: an input holding one was sharded already. */
    private Value alreadySharded(Op op) {
      throw new IllegalArgumentException("the sharding pass takes a global function, but " + ShardingChecks.describe(op)
          + " is a per-device op (the pass's own output)");
    }
  };

  private Value einsum(Op.Einsum e) {
    Set<String> partial = new LinkedHashSet<>();
    for (Dim d : e.lhs().shape().dims())
      if (e.rhs().shape().has(d.name()) && !e.out().shape().has(d.name())) partial.addAll(rules.axes(d.name()));
    Value sum = emit(new Op.Einsum(fresh(named(e.out().type(), List.copyOf(partial))), in(e.lhs()), in(e.rhs()), e.loc()));
    return completeSum(sum, List.copyOf(partial), Op.ReduceFn.SUM, e);
  }

  private Value reduce(Op.Reduce r) {
    Set<String> partial = new LinkedHashSet<>();
    for (String d : r.reducedDims()) partial.addAll(rules.axes(d));
    Value part = emit(new Op.Reduce(fresh(named(r.out().type(), List.copyOf(partial))), r.fn(), in(r.x()), r.loc()));
    return completeSum(part, List.copyOf(partial), r.fn(), r);
  }

  /**
   * Rows scattered along dims the result lacks (the index dims: a gather's backward, tokens
   * scattered into a replicated embedding table) are a sum over those dims; where they are split,
   * each device holds its own rows' share of it. So each device scatters its rows into zeros, an
   * all-reduce over those dims' axes completes the sum, and the operand is added once after it
   * (before, every device would add it and the all-reduce would count it once per device).
   */
  private Value scatterAdd(Op.ScatterAdd s) {
    Set<String> partial = new LinkedHashSet<>();
    for (Dim d : s.updates().shape().dims())
      if (!s.out().shape().has(d.name())) partial.addAll(rules.axes(d.name()));
    if (partial.isEmpty()) return local(s);
    List<String> axes = List.copyOf(partial);
    Map<String, Value> indices = new LinkedHashMap<>();
    s.indices().forEach((dim, idx) -> indices.put(dim, in(idx)));
    Value zeros = emit(new Op.Constant(fresh(named(s.operand().type(), List.of())), 0, s.loc()));
    Value part = emit(new Op.ScatterAdd(fresh(named(s.out().type(), axes)), zeros, in(s.updates()), indices, s.loc()));
    Value sum = completeSum(part, axes, Op.ReduceFn.SUM, s);
    return emit(new Op.Binary(fresh(named(s.out().type(), List.of())), Op.BinaryFn.ADD, in(s.operand()), sum, s.loc()));
  }

  /**
   * An iota along a split dim: each device counts its own piece, from its coordinate along the
   * dim's axes times the piece size, so every element holds its global position.
   */
  private Value splitIota(Op.Iota i) {
    TensorType global = i.out().type(), count = new TensorType(DType.I32, global.shape());
    TensorType scalar = new TensorType(DType.I32, Shape.SCALAR);
    Value local = emit(new Op.Iota(fresh(named(count, List.of())), i.dim(), i.loc()));
    Value coordinate = emit(new Op.DeviceCoordinate(fresh(named(scalar, List.of())), rules.axes(i.dim()), i.loc()));
    long piece = local.shape().get(i.dim()).size();
    Value size = emit(new Op.Constant(fresh(named(scalar, List.of())), piece, i.loc()));
    Value offset = emit(new Op.Binary(fresh(named(scalar, List.of())), Op.BinaryFn.MUL, coordinate, size, i.loc()));
    Value positions = emit(new Op.Binary(fresh(named(count, List.of())), Op.BinaryFn.ADD, local, offset, i.loc()));
    return global.dtype() == DType.I32 ? positions : emit(new Op.Cast(fresh(named(global, List.of())), positions, i.loc()));
  }

  /** Partial results (over {@code axes}) of {@code cause} combined across devices. */
  private Value completeSum(Value partial, List<String> axes, Op.ReduceFn fn, Op cause) {
    if (axes.isEmpty()) return partial;
    return emit(new Op.AllReduce(fresh(named(cause.out().type(), List.of())), partial, sortedByMesh(axes), fn, cause.loc()));
  }

  private List<String> sortedByMesh(List<String> axes) {
    return axes.stream().sorted((a, b) -> Integer.compare(mesh.indexOf(a), mesh.indexOf(b))).toList();
  }

  /**
   * Moves axes between positions until the input's layout (by its names) becomes the output's:
   * minor axes first, so every piece that moves is contiguous.
   */
  private Value relabel(Op.Relabel r) {
    Shape from = r.x().shape(), to = r.out().shape();
    List<List<String>> cur = new ArrayList<>(), tgt = new ArrayList<>();
    for (int i = 0; i < from.rank(); i++) {
      cur.add(new ArrayList<>(rules.axes(from.dims().get(i).name())));
      tgt.add(rules.axes(to.dims().get(i).name()));
    }
    Value v = in(r.x());
    for (int i = 0; i < cur.size(); i++) {
      while (!isPrefix(cur.get(i), tgt.get(i))) {
        String axis = cur.get(i).remove(cur.get(i).size() - 1);
        int j = positionOf(tgt, axis);
        List<String> grown = new ArrayList<>(j < 0 ? List.of() : cur.get(j));
        grown.add(axis);
        if (j >= 0 && j != i && isPrefix(grown, tgt.get(j))) {
          cur.get(j).add(axis);
          v = emit(new Op.AllToAll(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(j).name(), from.dims().get(i).name(), r.loc()));
        } else {
          v = emit(new Op.AllGather(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(i).name(), r.loc()));
        }
      }
    }
    for (int j = 0; j < cur.size(); j++)
      for (String axis : tgt.get(j).subList(cur.get(j).size(), tgt.get(j).size())) {
        cur.get(j).add(axis);
        v = emit(new Op.LocalSlice(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(j).name(), r.loc()));
      }
    return emit(new Op.Relabel(fresh(named(r.out().type(), List.of())), v, r.loc()));
  }

  private static TensorLayout positional(Shape global, DType dtype, List<List<String>> axes) {
    Map<String, List<String>> split = new LinkedHashMap<>();
    for (int i = 0; i < global.rank(); i++) split.put(global.dims().get(i).name(), List.copyOf(axes.get(i)));
    return new TensorLayout(new TensorType(dtype, global), split, List.of());
  }

  private static boolean isPrefix(List<String> a, List<String> b) {
    return a.size() <= b.size() && b.subList(0, a.size()).equals(a);
  }

  private static int positionOf(List<List<String>> layout, String axis) {
    for (int i = 0; i < layout.size(); i++) if (layout.get(i).contains(axis)) return i;
    return -1;
  }

  /**
   * Local when only the leading dims are split, over the same axes: then each device's rows are a
   * contiguous block of the row-major order on both sides. Otherwise gather, reshape, slice.
   */
  private Value reshape(Op.Reshape r) {
    Shape from = r.x().shape(), to = r.out().shape();
    if (onlyLeadingSplit(from) && onlyLeadingSplit(to) && rules.axes(from.dims().get(0).name()).equals(rules.axes(to.dims().get(0).name())))
      return emit(new Op.Reshape(fresh(named(r.out().type(), List.of())), in(r.x()), r.loc()));
    List<List<String>> cur = new ArrayList<>();
    for (Dim d : from.dims()) cur.add(new ArrayList<>(rules.axes(d.name())));
    Value v = in(r.x());
    for (int i = 0; i < cur.size(); i++)
      while (!cur.get(i).isEmpty()) {
        String axis = cur.get(i).remove(cur.get(i).size() - 1);
        v = emit(new Op.AllGather(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(i).name(), r.loc()));
      }
    List<List<String>> outAxes = new ArrayList<>();
    for (Dim d : to.dims()) outAxes.add(new ArrayList<>());
    v = emit(new Op.Reshape(fresh(positional(to, r.x().dtype(), outAxes)), v, r.loc()));
    for (int j = 0; j < to.rank(); j++)
      for (String axis : rules.axes(to.dims().get(j).name())) {
        outAxes.get(j).add(axis);
        v = emit(new Op.LocalSlice(fresh(positional(to, r.x().dtype(), outAxes)), v, axis, to.dims().get(j).name(), r.loc()));
      }
    return v;
  }

  private boolean onlyLeadingSplit(Shape s) {
    for (int i = 1; i < s.rank(); i++) if (!rules.axes(s.dims().get(i).name()).isEmpty()) return false;
    return true;
  }
}
