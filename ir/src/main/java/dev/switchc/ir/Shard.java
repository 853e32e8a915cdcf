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
 * over a split dim leaves partial sums, completed by an all-reduce over its axes; a relabel between
 * differently laid out names moves each changed axis by an all-to-all (split on the new dim, concat
 * on the old), an all-gather (the axis is dropped) or a local slice (the axis is added); a reshape
 * whose pieces are not contiguous per device goes through the whole tensor. An iota along a split
 * dim counts from the device's offset ({@link Op.DeviceCoordinate}). Ops that need a dim whole on
 * every device (arg_max, cumsum, one_hot, the indexed dims of gather and scatter) reject a rule
 * that splits it, with the rule's location.
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
    Shard s = new Shard(mesh, layout);
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
      return local(op);
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
   * minor axes first, so every piece that moves is contiguous. An axis of size 1 splits nothing,
   * so moving it changes no local shape and needs no collective (which would have groups of one
   * device, and a factor of 1 that the verifier rightly rejects).
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
        boolean moves = mesh.size(axis) > 1;
        if (j >= 0 && j != i && isPrefix(grown, tgt.get(j))) {
          cur.get(j).add(axis);
          if (moves) v = emit(new Op.AllToAll(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(j).name(), from.dims().get(i).name(), r.loc()));
        } else if (moves) {
          v = emit(new Op.AllGather(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(i).name(), r.loc()));
        }
      }
    }
    for (int j = 0; j < cur.size(); j++)
      for (String axis : tgt.get(j).subList(cur.get(j).size(), tgt.get(j).size())) {
        cur.get(j).add(axis);
        if (mesh.size(axis) > 1) v = emit(new Op.LocalSlice(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(j).name(), r.loc()));
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
   * contiguous block of the row-major order on both sides. Otherwise gather, reshape, slice (an
   * axis of size 1 needs neither, as in {@link #relabel}).
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
        if (mesh.size(axis) > 1) v = emit(new Op.AllGather(fresh(positional(from, r.x().dtype(), cur)), v, axis, from.dims().get(i).name(), r.loc()));
      }
    List<List<String>> outAxes = new ArrayList<>();
    for (Dim d : to.dims()) outAxes.add(new ArrayList<>());
    v = emit(new Op.Reshape(fresh(positional(to, r.x().dtype(), outAxes)), v, r.loc()));
    for (int j = 0; j < to.rank(); j++)
      for (String axis : rules.axes(to.dims().get(j).name())) {
        outAxes.get(j).add(axis);
        if (mesh.size(axis) > 1) v = emit(new Op.LocalSlice(fresh(positional(to, r.x().dtype(), outAxes)), v, axis, to.dims().get(j).name(), r.loc()));
      }
    return v;
  }

  private boolean onlyLeadingSplit(Shape s) {
    for (int i = 1; i < s.rank(); i++) if (!rules.axes(s.dims().get(i).name()).isEmpty()) return false;
    return true;
  }
}
