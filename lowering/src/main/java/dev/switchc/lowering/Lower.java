package dev.switchc.lowering;

import dev.switchc.ir.Binding;
import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.Value;
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
 * Lowers a named-dimension function to structured StableHLO, one rule per IR op. Every IR value
 * becomes a StableHLO value whose dims are the IR value's dims in their listed order; an op whose
 * operands list their dims in another order gets a transpose (and a broadcast for missing dims).
 */
public final class Lower {
  private final List<HloOp> body = new ArrayList<>();
  private final Map<Integer, HloValue> values = new HashMap<>();
  private final Mesh mesh;
  private final Channels channels;
  private int nextId;

  private Lower(Mesh mesh, Channels channels) {
    this.mesh = mesh;
    this.channels = channels;
  }

  /** Numbers the collectives of one module: every channel handle is distinct. */
  static final class Channels {
    private int next = 1;

    int next() {
      return next++;
    }
  }

  /** A single-device module whose {@code main} is {@code f}. */
  public static HloModule run(Func f) {
    return HloModule.single(f.name(), function(f, "main", Mesh.SINGLE, new Channels()), f.params().stream().map(Binding::name).toList(),
        f.results().stream().map(Binding::name).toList());
  }

  /** {@code f} as a function named {@code name}; collectives take their replica groups from {@code mesh}. */
  static HloFunc function(Func f, String name, Mesh mesh, Channels channels) {
    Lower l = new Lower(mesh, channels);
    List<HloValue> args = new ArrayList<>();
    for (Binding p : f.params()) {
      HloValue a = l.fresh(type(p.value().dtype(), p.value().shape()));
      l.values.put(p.value().id(), a);
      args.add(a);
    }
    for (Op op : f.body()) l.values.put(op.out().id(), l.lower(op));
    List<HloValue> returns = f.results().stream().map(r -> l.values.get(r.value().id())).toList();
    return new HloFunc(name, args, l.body, returns);
  }

  /** The signature of {@code f} as compiled by {@link #run}. */
  public static ModuleSignature signature(Func f) {
    return new ModuleSignature(
        f.params().stream().map(b -> new Port(b.name(), b.value().type())).toList(),
        f.results().stream().map(b -> new Port(b.name(), b.value().type())).toList());
  }

  static HloType type(DType dtype, Shape shape) {
    return new HloType(dtype, shape.dims().stream().map(Dim::size).toList());
  }

  private HloValue fresh(HloType t) {
    return new HloValue(nextId++, t);
  }

  private HloValue emit(HloOp op) {
    body.add(op);
    return op.result();
  }

  private HloValue in(Value v) {
    return values.get(v.id());
  }

  private HloValue lower(Op op) {
    return op.accept(rules);
  }

  /** The lowering rule of every op kind. */
  private final Op.Visitor<HloValue> rules = new Op.Visitor<>() {
    private HloType out(Op op) {
      return type(op.out().dtype(), op.out().shape());
    }

    @Override
    public HloValue constant(Op.Constant c) {
      return emit(new HloOp.Constant(fresh(out(c)), c.value()));
    }

    @Override
    public HloValue iota(Op.Iota i) {
      return emit(new HloOp.Iota(fresh(out(i)), i.out().shape().indexOf(i.dim())));
    }

    @Override
    public HloValue unary(Op.Unary u) {
      return emit(new HloOp.Elementwise(fresh(out(u)), unaryFn(u.fn()), List.of(in(u.x()))));
    }

    @Override
    public HloValue binary(Op.Binary b) {
      Shape shape = b.out().shape();
      return emit(new HloOp.Elementwise(fresh(out(b)), binaryFn(b.fn()), List.of(align(b.lhs(), shape), align(b.rhs(), shape))));
    }

    @Override
    public HloValue compare(Op.Compare c) {
      Shape shape = c.out().shape();
      return emit(new HloOp.Compare(fresh(out(c)), direction(c.cmp()), c.lhs().dtype().isFloat() ? HloOp.CompareType.FLOAT : HloOp.CompareType.SIGNED,
          align(c.lhs(), shape), align(c.rhs(), shape)));
    }

    @Override
    public HloValue select(Op.Select s) {
      Shape shape = s.out().shape();
      return emit(new HloOp.Elementwise(fresh(out(s)), HloOp.ElementwiseFn.SELECT,
          List.of(align(s.pred(), shape), align(s.onTrue(), shape), align(s.onFalse(), shape))));
    }

    @Override
    public HloValue cast(Op.Cast c) {
      return emit(new HloOp.Convert(fresh(out(c)), in(c.x())));
    }

    @Override
    public HloValue einsum(Op.Einsum e) {
      return Lower.this.einsum(e);
    }

    @Override
    public HloValue reduce(Op.Reduce r) {
      return Lower.this.reduce(r);
    }

    @Override
    public HloValue argMax(Op.ArgMax a) {
      return argmax(a);
    }

    @Override
    public HloValue oneHot(Op.OneHot o) {
      return Lower.this.oneHot(o);
    }

    @Override
    public HloValue cumsum(Op.Cumsum c) {
      return Lower.this.cumsum(c);
    }

    @Override
    public HloValue reshape(Op.Reshape r) {
      return emit(new HloOp.Reshape(fresh(out(r)), in(r.x())));
    }

    @Override
    public HloValue relabel(Op.Relabel r) {
      return in(r.x()); // same data, new names: nothing to emit
    }

    @Override
    public HloValue gather(Op.Gather g) {
      return Lower.this.gather(g);
    }

    @Override
    public HloValue scatterAdd(Op.ScatterAdd s) {
      return scatter(s);
    }

    @Override
    public HloValue allReduce(Op.AllReduce a) {
      return emit(new HloOp.AllReduce(fresh(out(a)), in(a.x()), mesh.groups(a.axes()), combiner(a.fn()), channels.next()));
    }

    @Override
    public HloValue allGather(Op.AllGather g) {
      return emit(new HloOp.AllGather(fresh(out(g)), in(g.x()), g.x().shape().indexOf(g.dim()), mesh.groups(List.of(g.axis())), channels.next()));
    }

    @Override
    public HloValue allToAll(Op.AllToAll a) {
      return emit(new HloOp.AllToAll(fresh(out(a)), in(a.x()), a.x().shape().indexOf(a.splitDim()), a.x().shape().indexOf(a.concatDim()),
          mesh.groups(List.of(a.axis())), channels.next()));
    }

    @Override
    public HloValue deviceCoordinate(Op.DeviceCoordinate d) {
      return coordinate(d.axes());
    }

    @Override
    public HloValue localSlice(Op.LocalSlice s) {
      return Lower.this.localSlice(s);
    }
  };

  private static HloOp.ElementwiseFn unaryFn(Op.UnaryFn fn) {
    return switch (fn) {
      case NEG -> HloOp.ElementwiseFn.NEGATE;
      case EXP -> HloOp.ElementwiseFn.EXPONENTIAL;
      case LOG -> HloOp.ElementwiseFn.LOG;
      case ERF -> HloOp.ElementwiseFn.ERF;
      case SQRT -> HloOp.ElementwiseFn.SQRT;
      case RSQRT -> HloOp.ElementwiseFn.RSQRT;
      case ABS -> HloOp.ElementwiseFn.ABS;
      case TANH -> HloOp.ElementwiseFn.TANH;
    };
  }

  private static HloOp.ElementwiseFn binaryFn(Op.BinaryFn fn) {
    return switch (fn) {
      case ADD -> HloOp.ElementwiseFn.ADD;
      case SUB -> HloOp.ElementwiseFn.SUBTRACT;
      case MUL -> HloOp.ElementwiseFn.MULTIPLY;
      case DIV -> HloOp.ElementwiseFn.DIVIDE;
      case MAX -> HloOp.ElementwiseFn.MAXIMUM;
      case MIN -> HloOp.ElementwiseFn.MINIMUM;
      case XOR -> HloOp.ElementwiseFn.XOR;
      case SHR -> HloOp.ElementwiseFn.SHIFT_RIGHT_LOGICAL;
    };
  }

  private static HloOp.ComparisonDirection direction(Op.Cmp cmp) {
    return switch (cmp) {
      case EQ -> HloOp.ComparisonDirection.EQ;
      case NE -> HloOp.ComparisonDirection.NE;
      case LT -> HloOp.ComparisonDirection.LT;
      case LE -> HloOp.ComparisonDirection.LE;
      case GT -> HloOp.ComparisonDirection.GT;
      case GE -> HloOp.ComparisonDirection.GE;
    };
  }

  /** {@code v} with its dims permuted into {@code target}'s order and broadcast over the missing ones. */
  private HloValue align(Value v, Shape target) {
    return align(in(v), v.shape(), target);
  }

  private HloValue align(HloValue hv, Shape from, Shape target) {
    List<String> names = from.names();
    List<String> order = names.stream().sorted((a, b) -> Integer.compare(target.indexOf(a), target.indexOf(b))).toList();
    HloValue t = transpose(hv, from, new Shape(order.stream().map(from::get).toList()));
    if (order.size() == target.rank()) return t;
    List<Integer> dims = order.stream().map(target::indexOf).toList();
    return emit(new HloOp.BroadcastInDim(fresh(type(hv.type().dtype(), target)), t, dims));
  }

  /** Transposes {@code hv} (dims {@code from}) into the order of {@code to} (same dims). */
  private HloValue transpose(HloValue hv, Shape from, Shape to) {
    if (from.names().equals(to.names())) return hv;
    List<Integer> perm = to.names().stream().map(from::indexOf).toList();
    return emit(new HloOp.Transpose(fresh(type(hv.type().dtype(), to)), hv, perm));
  }

  private HloValue einsum(Op.Einsum e) {
    Shape l = e.lhs().shape(), r = e.rhs().shape(), o = e.out().shape();
    List<String> batch = l.names().stream().filter(n -> r.has(n) && o.has(n)).toList();
    List<String> contract = l.names().stream().filter(n -> r.has(n) && !o.has(n)).toList();
    List<String> lhsFree = l.names().stream().filter(n -> !r.has(n)).toList();
    List<String> rhsFree = r.names().stream().filter(n -> !l.has(n)).toList();
    List<Dim> resultDims = new ArrayList<>();
    for (List<String> group : List.of(batch, lhsFree)) for (String n : group) resultDims.add(l.get(n));
    for (String n : rhsFree) resultDims.add(r.get(n));
    Shape dotShape = new Shape(resultDims);
    HloValue dot = emit(new HloOp.DotGeneral(fresh(type(e.out().dtype(), dotShape)), in(e.lhs()), in(e.rhs()),
        batch.stream().map(l::indexOf).toList(), batch.stream().map(r::indexOf).toList(),
        contract.stream().map(l::indexOf).toList(), contract.stream().map(r::indexOf).toList()));
    return transpose(dot, dotShape, o);
  }

  private HloValue reduce(Op.Reduce r) {
    Shape x = r.x().shape();
    List<String> reduced = r.reducedDims();
    Shape kept = x.without(reduced);
    DType dt = r.x().dtype();
    HloOp.Combiner combiner = combiner(r.fn());
    HloValue init = constant(combiner.identity(dt), dt);
    HloValue res = fresh(type(dt, kept));
    emit(new HloOp.Reduce(res, null, List.of(in(r.x())), List.of(init), combiner, reduced.stream().map(x::indexOf).toList()));
    return transpose(res, kept, r.out().shape());
  }

  private static HloOp.Combiner combiner(Op.ReduceFn fn) {
    return switch (fn) {
      case SUM -> HloOp.Combiner.ADD;
      case MAX -> HloOp.Combiner.MAX;
      case MIN -> HloOp.Combiner.MIN;
    };
  }

  /**
   * This device's piece of {@code dim}: the device's coordinate along the axis, from its partition
   * id (row-major over the mesh axes), times the piece size, as the start of a dynamic slice.
   */
  private HloValue localSlice(Op.LocalSlice s) {
    Shape x = s.x().shape();
    int dim = x.indexOf(s.dim());
    long piece = s.out().shape().dims().get(dim).size();
    HloType scalar = new HloType(DType.I32, List.of());
    HloValue start = emit(new HloOp.Elementwise(fresh(scalar), HloOp.ElementwiseFn.MULTIPLY, List.of(coordinate(List.of(s.axis())), constant(piece, DType.I32))));
    HloValue zero = constant(0, DType.I32);
    List<HloValue> starts = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) starts.add(i == dim ? start : zero);
    return emit(new HloOp.DynamicSlice(fresh(type(s.out().dtype(), s.out().shape())), in(s.x()), starts,
        s.out().shape().dims().stream().map(Dim::size).toList()));
  }


  /**
   * This device's index along {@code axes}, major first (an i32 scalar): each axis's coordinate
   * comes from the partition id (row-major over the mesh axes).
   */
  private HloValue coordinate(List<String> axes) {
    HloType scalar = new HloType(DType.I32, List.of());
    HloValue pid = emit(new HloOp.Convert(fresh(scalar), emit(new HloOp.PartitionId(fresh(new HloType(DType.U32, List.of()))))));
    HloValue index = null;
    for (String axis : axes) {
      int stride = 1;
      for (int i = mesh.indexOf(axis) + 1; i < mesh.axes().size(); i++) stride *= mesh.axes().get(i).size();
      HloValue coord = emit(new HloOp.Elementwise(fresh(scalar), HloOp.ElementwiseFn.REMAINDER,
          List.of(emit(new HloOp.Elementwise(fresh(scalar), HloOp.ElementwiseFn.DIVIDE, List.of(pid, constant(stride, DType.I32)))), constant(mesh.size(axis), DType.I32))));
      index = index == null ? coord
          : emit(new HloOp.Elementwise(fresh(scalar), HloOp.ElementwiseFn.ADD, List.of(
              emit(new HloOp.Elementwise(fresh(scalar), HloOp.ElementwiseFn.MULTIPLY, List.of(index, constant(mesh.size(axis), DType.I32)))), coord)));
    }
    return index;
  }

  private HloValue constant(double v, DType dt) {
    return emit(new HloOp.Constant(fresh(new HloType(dt, List.of())), v));
  }

  private HloValue argmax(Op.ArgMax a) {
    Shape x = a.x().shape();
    int dim = x.indexOf(a.dim());
    HloValue iota = emit(new HloOp.Iota(fresh(type(DType.I32, x)), dim));
    Shape kept = x.without(List.of(a.dim()));
    HloValue index = fresh(type(DType.I32, kept));
    HloValue max = fresh(type(a.x().dtype(), kept));
    emit(new HloOp.Reduce(index, max, List.of(in(a.x()), iota),
        List.of(constant(Double.NEGATIVE_INFINITY, a.x().dtype()), constant(0, DType.I32)), HloOp.Combiner.ARGMAX, List.of(dim)));
    return transpose(index, kept, a.out().shape());
  }

  private HloValue oneHot(Op.OneHot o) {
    Shape out = o.out().shape();
    HloValue index = align(o.index(), out);
    HloValue iota = emit(new HloOp.Iota(fresh(type(DType.I32, out)), out.indexOf(o.dim())));
    HloValue eq = emit(new HloOp.Compare(fresh(type(DType.PRED, out)), HloOp.ComparisonDirection.EQ, HloOp.CompareType.SIGNED, index, iota));
    return emit(new HloOp.Convert(fresh(type(o.out().dtype(), out)), eq));
  }

  private HloValue cumsum(Op.Cumsum c) {
    Shape x = c.x().shape();
    int dim = x.indexOf(c.dim());
    HloValue zero = constant(0, c.x().dtype());
    HloValue operand = in(c.x());
    if (c.exclusive()) { // shift right by one: pad one zero in front, crop the last element
      List<Long> low = new ArrayList<>(), high = new ArrayList<>();
      for (int i = 0; i < x.rank(); i++) {
        low.add(i == dim ? 1L : 0L);
        high.add(i == dim ? -1L : 0L);
      }
      operand = emit(new HloOp.Pad(fresh(operand.type()), operand, zero, low, high));
    }
    return emit(new HloOp.CumulativeSum(fresh(operand.type()), operand, zero, dim));
  }

  /** Stacked start indices [index dims..., k] for the indexed dims, then the batch dims (iota). */
  private record Indices(HloValue stacked, List<Integer> operandDims, Shape indexShape) {}

  private Indices indices(Shape operand, Map<String, Value> indexed) {
    Shape idx = indexed.values().iterator().next().shape();
    List<HloValue> columns = new ArrayList<>();
    List<Integer> operandDims = new ArrayList<>();
    for (Map.Entry<String, Value> e : indexed.entrySet()) {
      columns.add(in(e.getValue()));
      operandDims.add(operand.indexOf(e.getKey()));
    }
    for (Dim d : operand.dims())
      if (!indexed.containsKey(d.name()) && idx.has(d.name())) { // batch dim: index = own position
        columns.add(emit(new HloOp.Iota(fresh(type(DType.I32, idx)), idx.indexOf(d.name()))));
        operandDims.add(operand.indexOf(d.name()));
      }
    Shape column = idx.with(new Dim("index_vector", 1));
    List<HloValue> reshaped = columns.stream().map(c -> emit(new HloOp.Reshape(fresh(type(DType.I32, column)), c))).toList();
    HloValue stacked = reshaped.size() == 1 ? reshaped.get(0)
        : emit(new HloOp.Concatenate(fresh(type(DType.I32, idx.with(new Dim("index_vector", reshaped.size())))), reshaped, idx.rank()));
    return new Indices(stacked, operandDims, idx);
  }

  private static List<Integer> range(int from, int count) {
    List<Integer> r = new ArrayList<>();
    for (int i = 0; i < count; i++) r.add(from + i);
    return r;
  }

  private HloValue gather(Op.Gather g) {
    Shape operand = g.operand().shape();
    Indices ix = indices(operand, g.indices());
    List<Dim> window = operand.dims().stream().filter(d -> !ix.operandDims().contains(operand.indexOf(d.name()))).toList();
    List<Long> sliceSizes = operand.dims().stream().map(d -> ix.operandDims().contains(operand.indexOf(d.name())) ? 1L : d.size()).toList();
    List<Dim> resultDims = new ArrayList<>(ix.indexShape().dims());
    resultDims.addAll(window);
    Shape result = new Shape(resultDims);
    HloValue res = emit(new HloOp.Gather(fresh(type(g.operand().dtype(), result)), in(g.operand()), ix.stacked(),
        range(ix.indexShape().rank(), window.size()), ix.operandDims().stream().sorted().toList(), ix.operandDims(),
        ix.indexShape().rank(), sliceSizes));
    return transpose(res, result, g.out().shape());
  }

  private HloValue scatter(Op.ScatterAdd s) {
    Shape operand = s.operand().shape();
    Indices ix = indices(operand, s.indices());
    List<Dim> window = operand.dims().stream().filter(d -> !ix.operandDims().contains(operand.indexOf(d.name()))).toList();
    List<Dim> updateDims = new ArrayList<>(ix.indexShape().dims());
    updateDims.addAll(window);
    HloValue updates = transpose(in(s.updates()), s.updates().shape(), new Shape(updateDims));
    return emit(new HloOp.ScatterAdd(fresh(type(s.out().dtype(), operand)), in(s.operand()), ix.stacked(), updates,
        range(ix.indexShape().rank(), window.size()), ix.operandDims().stream().sorted().toList(), ix.operandDims(),
        ix.indexShape().rank()));
  }
}
