package dev.switchc.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The typing rules of every op kind: the first {@link Rule} an op breaks, or empty. Within an op
 * the rules are checked in order, and a later rule may assume the earlier ones hold.
 */
final class OpRules implements Op.Visitor<Optional<Violation>> {
  static final OpRules INSTANCE = new OpRules();

  private static final Optional<Violation> OK = Optional.empty();

  private OpRules() {}

  static Optional<Violation> check(Op op) {
    return op.accept(INSTANCE);
  }

  private static Optional<Violation> fail(Rule rule, String detail) {
    return Optional.of(rule.violated(detail));
  }

  @Override
  public Optional<Violation> constant(Op.Constant c) {
    if (c.out().dtype() == DType.PRED && c.value() != 0 && c.value() != 1) return fail(Rule.CONSTANT_PRED_IS_0_OR_1, "pred constant must be 0 or 1");
    return OK;
  }

  @Override
  public Optional<Violation> iota(Op.Iota o) {
    if (!o.out().shape().has(o.dim())) return fail(Rule.IOTA_DIM_IN_RESULT, "iota dim '" + o.dim() + "' must be a dim of " + o.out().type());
    if (o.out().dtype() == DType.PRED) return fail(Rule.IOTA_RESULT_NOT_PRED, "iota counts in a number type, not " + o.out().type());
    return OK;
  }

  @Override
  public Optional<Violation> unary(Op.Unary u) {
    if (!u.out().type().equals(u.x().type())) return sameTypeFailure(Rule.UNARY_TYPE_PRESERVED, u.out(), u.x());
    if (!u.x().dtype().isFloat() && u.fn() != Op.UnaryFn.NEG && u.fn() != Op.UnaryFn.ABS)
      return fail(Rule.UNARY_FLOAT_OPERAND, u.fn() + " needs a float operand");
    return OK;
  }

  @Override
  public Optional<Violation> binary(Op.Binary b) {
    if ((b.fn() == Op.BinaryFn.XOR || b.fn() == Op.BinaryFn.SHR) && (b.lhs().dtype().isFloat() || b.lhs().dtype() == DType.PRED))
      return fail(Rule.BINARY_BITWISE_ON_INTEGERS, b.fn() + " needs integer operands, got " + b.lhs().dtype());
    if (b.out().dtype() != b.lhs().dtype()) return fail(Rule.BINARY_RESULT_DTYPE, "result dtype " + b.out().dtype() + " must be " + b.lhs().dtype());
    if (b.rhs().dtype() != b.lhs().dtype())
      return fail(Rule.BINARY_OPERAND_DTYPES_MATCH, "operand dtypes differ: " + b.rhs().dtype() + " vs " + b.lhs().dtype());
    return broadcasts(b.out(), List.of(b.lhs(), b.rhs()), Rule.BINARY_OPERAND_DIMS_IN_RESULT, Rule.BINARY_RESULT_DIMS_FROM_OPERANDS);
  }

  @Override
  public Optional<Violation> compare(Op.Compare c) {
    if (c.out().dtype() != DType.PRED) return fail(Rule.COMPARE_RESULT_PRED, "result must be pred");
    if (c.lhs().dtype() != c.rhs().dtype())
      return fail(Rule.COMPARE_OPERAND_DTYPES_MATCH, "operand types differ: " + c.lhs().dtype() + " vs " + c.rhs().dtype());
    return broadcasts(c.out(), List.of(c.lhs(), c.rhs()), Rule.COMPARE_OPERAND_DIMS_IN_RESULT, Rule.COMPARE_RESULT_DIMS_FROM_OPERANDS);
  }

  @Override
  public Optional<Violation> select(Op.Select s) {
    if (s.pred().dtype() != DType.PRED) return fail(Rule.SELECT_PREDICATE_PRED, "predicate must be pred");
    if (s.onTrue().dtype() != s.onFalse().dtype())
      return fail(Rule.SELECT_BRANCH_DTYPES_MATCH, "branch types differ: " + s.onTrue().dtype() + " vs " + s.onFalse().dtype());
    if (s.out().dtype() != s.onTrue().dtype()) return fail(Rule.SELECT_RESULT_DTYPE, "result dtype " + s.out().dtype() + " must be " + s.onTrue().dtype());
    return broadcasts(s.out(), List.of(s.pred(), s.onTrue(), s.onFalse()), Rule.SELECT_OPERAND_DIMS_IN_RESULT, Rule.SELECT_RESULT_DIMS_FROM_OPERANDS);
  }

  @Override
  public Optional<Violation> cast(Op.Cast c) {
    if (!c.out().shape().equals(c.x().shape())) return fail(Rule.CAST_SHAPE_PRESERVED, "shape changes from " + c.x().shape() + " to " + c.out().shape());
    return OK;
  }

  @Override
  public Optional<Violation> einsum(Op.Einsum e) {
    Shape l = e.lhs().shape(), r = e.rhs().shape(), o = e.out().shape();
    if (e.lhs().dtype() != e.rhs().dtype())
      return fail(Rule.EINSUM_OPERAND_DTYPES_MATCH, "operand dtypes differ: " + e.lhs().dtype() + " vs " + e.rhs().dtype());
    boolean widening = e.lhs().dtype() == DType.BF16 && e.out().dtype() == DType.F32;
    if (e.out().dtype() != e.lhs().dtype() && !widening)
      return fail(Rule.EINSUM_RESULT_DTYPE, "result dtype " + e.out().dtype() + " from " + e.lhs().dtype() + " operands");
    for (Dim d : l.dims()) {
      if (r.has(d.name()) && !r.get(d.name()).equals(d))
        return fail(Rule.EINSUM_SHARED_DIM_SIZES_MATCH, "dim '" + d.name() + "' has sizes " + d.size() + " and " + r.get(d.name()).size());
      if (!r.has(d.name()) && !o.dims().contains(d)) return fail(Rule.EINSUM_FREE_DIMS_IN_RESULT, "lhs dim " + d + " is neither contracted nor in the result");
    }
    for (Dim d : r.dims())
      if (!l.has(d.name()) && !o.dims().contains(d)) return fail(Rule.EINSUM_FREE_DIMS_IN_RESULT, "rhs dim " + d + " is neither contracted nor in the result");
    for (Dim d : o.dims())
      if (!l.dims().contains(d) && !r.dims().contains(d)) return fail(Rule.EINSUM_RESULT_DIMS_FROM_OPERANDS, "result dim " + d + " comes from no operand");
    return OK;
  }

  @Override
  public Optional<Violation> reduce(Op.Reduce r) {
    if (r.out().dtype() != r.x().dtype()) return fail(Rule.REDUCE_DTYPE_PRESERVED, "dtype changes from " + r.x().dtype() + " to " + r.out().dtype());
    if (!subset(r.out(), r.x()))
      return fail(Rule.REDUCE_RESULT_DIMS_SUBSET, "result dims " + r.out().shape() + " are not a subset of " + r.x().shape());
    return OK;
  }

  @Override
  public Optional<Violation> argMax(Op.ArgMax a) {
    if (a.out().dtype() != DType.I32) return fail(Rule.ARG_MAX_RESULT_I32, "result must be i32");
    if (!a.x().shape().has(a.dim())) return fail(Rule.ARG_MAX_DIM_IN_OPERAND, "no dim '" + a.dim() + "' in " + a.x().shape());
    if (!a.out().shape().sameDimsAs(a.x().shape().without(List.of(a.dim()))))
      return fail(Rule.ARG_MAX_RESULT_DIMS, "result must be the operand without '" + a.dim() + "'");
    return OK;
  }

  @Override
  public Optional<Violation> oneHot(Op.OneHot o) {
    if (o.index().dtype() != DType.I32) return fail(Rule.ONE_HOT_INDEX_I32, "index must be i32");
    if (o.index().shape().has(o.dim()) || !o.out().shape().has(o.dim())) return fail(Rule.ONE_HOT_DIM_NEW, "'" + o.dim() + "' must be new in the result");
    if (!o.out().shape().without(List.of(o.dim())).sameDimsAs(o.index().shape()))
      return fail(Rule.ONE_HOT_RESULT_DIMS, "result must be the index shape plus '" + o.dim() + "'");
    return OK;
  }

  @Override
  public Optional<Violation> cumsum(Op.Cumsum c) {
    if (!c.out().type().equals(c.x().type())) return sameTypeFailure(Rule.CUMSUM_TYPE_PRESERVED, c.out(), c.x());
    if (!c.x().shape().has(c.dim())) return fail(Rule.CUMSUM_DIM_IN_OPERAND, "no dim '" + c.dim() + "' in " + c.x().shape());
    return OK;
  }

  @Override
  public Optional<Violation> reshape(Op.Reshape r) {
    if (r.out().dtype() != r.x().dtype()) return fail(Rule.RESHAPE_DTYPE_PRESERVED, "dtype changes from " + r.x().dtype() + " to " + r.out().dtype());
    if (r.out().shape().elements() != r.x().shape().elements())
      return fail(Rule.RESHAPE_SIZE_PRESERVED, r.x().shape() + " and " + r.out().shape() + " differ in size");
    return OK;
  }

  @Override
  public Optional<Violation> relabel(Op.Relabel r) {
    List<Dim> in = r.x().shape().dims(), out = r.out().shape().dims();
    if (in.size() != out.size()) return fail(Rule.RELABEL_RANK_PRESERVED, "rank changes from " + in.size() + " to " + out.size());
    for (int i = 0; i < in.size(); i++)
      if (in.get(i).size() != out.get(i).size())
        return fail(Rule.RELABEL_SIZES_PRESERVED, "position " + i + " changes size " + in.get(i) + " -> " + out.get(i));
    if (r.out().dtype() != r.x().dtype()) return fail(Rule.RELABEL_DTYPE_PRESERVED, "dtype changes from " + r.x().dtype() + " to " + r.out().dtype());
    return OK;
  }

  @Override
  public Optional<Violation> gather(Op.Gather g) {
    return indexed(g.operand(), g.indices(), g.out(), GATHER);
  }

  @Override
  public Optional<Violation> scatterAdd(Op.ScatterAdd s) {
    if (!s.out().type().equals(s.operand().type()))
      return fail(Rule.SCATTER_ADD_RESULT_TYPE, "result type " + s.out().type() + " must equal operand type " + s.operand().type());
    if (s.updates().dtype() != s.operand().dtype())
      return fail(Rule.SCATTER_ADD_UPDATES_DTYPE, "updates dtype " + s.updates().dtype() + " differs from the operand's " + s.operand().dtype());
    return indexed(s.operand(), s.indices(), s.updates(), SCATTER_ADD);
  }

  @Override
  public Optional<Violation> allReduce(Op.AllReduce a) {
    if (a.axes().isEmpty()) return fail(Rule.ALL_REDUCE_HAS_AXES, "no axes");
    if (!a.out().type().equals(a.x().type())) return sameTypeFailure(Rule.ALL_REDUCE_TYPE_PRESERVED, a.out(), a.x());
    return OK;
  }

  @Override
  public Optional<Violation> allGather(Op.AllGather g) {
    return resized(g.x(), g.out(), g.dim(), ALL_GATHER);
  }

  @Override
  public Optional<Violation> allToAll(Op.AllToAll a) {
    Shape x = a.x().shape(), o = a.out().shape();
    int s = x.indexOf(a.splitDim()), c = x.indexOf(a.concatDim());
    if (s < 0 || c < 0 || s == c)
      return fail(Rule.ALL_TO_ALL_SPLIT_AND_CONCAT_DIMS, "split '" + a.splitDim() + "' and concat '" + a.concatDim() + "' must be two dims of " + x);
    if (o.rank() != x.rank() || a.out().dtype() != a.x().dtype())
      return fail(Rule.ALL_TO_ALL_RANK_AND_DTYPE_PRESERVED, "result " + a.out().type() + " must have the operand's rank and dtype (" + a.x().type() + ")");
    long k = x.dims().get(s).size() / Math.max(1, o.dims().get(s).size());
    if (k < 2 || x.dims().get(s).size() != k * o.dims().get(s).size() || o.dims().get(c).size() != k * x.dims().get(c).size())
      return fail(Rule.ALL_TO_ALL_SAME_FACTOR, "split dim " + x.dims().get(s) + " -> " + o.dims().get(s) + " and concat dim " + x.dims().get(c) + " -> "
          + o.dims().get(c) + " must change by the same factor");
    for (int i = 0; i < x.rank(); i++)
      if (i != s && i != c && x.dims().get(i).size() != o.dims().get(i).size())
        return fail(Rule.ALL_TO_ALL_OTHER_SIZES_PRESERVED, "position " + i + " changes size " + x.dims().get(i) + " -> " + o.dims().get(i));
    return OK;
  }

  @Override
  public Optional<Violation> deviceCoordinate(Op.DeviceCoordinate d) {
    if (d.axes().isEmpty()) return fail(Rule.DEVICE_COORDINATE_HAS_AXES, "no axes");
    if (!d.out().type().equals(new TensorType(DType.I32, Shape.SCALAR)))
      return fail(Rule.DEVICE_COORDINATE_I32_SCALAR, "result must be an i32 scalar, got " + d.out().type());
    return OK;
  }

  @Override
  public Optional<Violation> localSlice(Op.LocalSlice l) {
    return resized(l.x(), l.out(), l.dim(), LOCAL_SLICE);
  }

  // ---- rules shared by several op kinds ----

  private static Optional<Violation> sameTypeFailure(Rule rule, Value out, Value in) {
    return fail(rule, "result type " + out.type() + " must equal operand type " + in.type());
  }

  private static boolean subset(Value small, Value big) {
    return small.shape().dims().stream().allMatch(d -> big.shape().dims().contains(d));
  }

  /** Operands broadcast by name: each operand's dims are result dims, and every result dim comes from some operand. */
  private static Optional<Violation> broadcasts(Value out, List<Value> ins, Rule operandDimsInResult, Rule resultDimsFromOperands) {
    for (Value in : ins)
      if (!subset(in, out)) return fail(operandDimsInResult, "operand " + in + " " + in.shape() + " has dims missing from the result " + out.shape());
    Set<String> covered = new HashSet<>();
    for (Value in : ins) covered.addAll(in.shape().names());
    if (!covered.containsAll(out.shape().names())) return fail(resultDimsFromOperands, "result " + out.shape() + " has dims no operand has");
    return OK;
  }

  /** The rules of an op that changes one dim's size by a whole factor: all_gather grows it, local_slice shrinks it. */
  private record ResizeRules(boolean grow, Rule dimInOperand, Rule dimsPreserved, Rule otherSizesPreserved, Rule byAFactor) {}

  private static final ResizeRules ALL_GATHER = new ResizeRules(true, Rule.ALL_GATHER_DIM_IN_OPERAND, Rule.ALL_GATHER_DIMS_PRESERVED,
      Rule.ALL_GATHER_OTHER_SIZES_PRESERVED, Rule.ALL_GATHER_GROWS_BY_A_FACTOR);
  private static final ResizeRules LOCAL_SLICE = new ResizeRules(false, Rule.LOCAL_SLICE_DIM_IN_OPERAND, Rule.LOCAL_SLICE_DIMS_PRESERVED,
      Rule.LOCAL_SLICE_OTHER_SIZES_PRESERVED, Rule.LOCAL_SLICE_SHRINKS_BY_A_FACTOR);

  /** {@code out} is {@code x} with {@code dim} grown (or shrunk) by a whole factor, nothing else. */
  private static Optional<Violation> resized(Value x, Value out, String dim, ResizeRules rules) {
    if (!x.shape().has(dim)) return fail(rules.dimInOperand(), "no dim '" + dim + "' in " + x.shape());
    if (out.dtype() != x.dtype() || !out.shape().names().equals(x.shape().names()))
      return fail(rules.dimsPreserved(), "result " + out.type() + " must be " + x.type() + " resized along '" + dim + "'");
    for (Dim d : x.shape().dims()) {
      long o = out.shape().get(d.name()).size();
      if (!d.name().equals(dim) && o != d.size()) return fail(rules.otherSizesPreserved(), "dim '" + d.name() + "' changes size from " + d.size() + " to " + o);
      if (d.name().equals(dim) && (rules.grow() ? o % d.size() != 0 || o == d.size() : d.size() % o != 0 || o == d.size()))
        return fail(rules.byAFactor(), "'" + dim + "' goes from " + d.size() + " to " + o);
    }
    return OK;
  }

  /** The index rules of gather and scatter_add; {@code rows} is the gather result or the scatter updates. */
  private record IndexRules(Rule hasIndexedDims, Rule indexedDimInOperand, Rule indexI32, Rule indexShapesMatch, Rule indexedDimNotInIndex,
      Rule batchDimSizesMatch, Rule rowDims) {}

  private static final IndexRules GATHER = new IndexRules(Rule.GATHER_HAS_INDEXED_DIMS, Rule.GATHER_INDEXED_DIM_IN_OPERAND, Rule.GATHER_INDEX_I32,
      Rule.GATHER_INDEX_SHAPES_MATCH, Rule.GATHER_INDEXED_DIM_NOT_IN_INDEX, Rule.GATHER_BATCH_DIM_SIZES_MATCH, Rule.GATHER_RESULT_DIMS);
  private static final IndexRules SCATTER_ADD = new IndexRules(Rule.SCATTER_ADD_HAS_INDEXED_DIMS, Rule.SCATTER_ADD_INDEXED_DIM_IN_OPERAND,
      Rule.SCATTER_ADD_INDEX_I32, Rule.SCATTER_ADD_INDEX_SHAPES_MATCH, Rule.SCATTER_ADD_INDEXED_DIM_NOT_IN_INDEX, Rule.SCATTER_ADD_BATCH_DIM_SIZES_MATCH,
      Rule.SCATTER_ADD_UPDATES_DIMS);

  private static Optional<Violation> indexed(Value operand, Map<String, Value> indices, Value rows, IndexRules rules) {
    if (indices.isEmpty()) return fail(rules.hasIndexedDims(), "no indexed dims");
    Shape idx = null;
    for (Map.Entry<String, Value> e : indices.entrySet()) {
      if (!operand.shape().has(e.getKey()))
        return fail(rules.indexedDimInOperand(), "indexed dim '" + e.getKey() + "' is not in the operand " + operand.shape());
      if (e.getValue().dtype() != DType.I32) return fail(rules.indexI32(), "index for '" + e.getKey() + "' must be i32, got " + e.getValue().dtype());
      if (idx == null) idx = e.getValue().shape();
      else if (!idx.equals(e.getValue().shape())) return fail(rules.indexShapesMatch(), "index shapes differ: " + idx + " vs " + e.getValue().shape());
      if (idx.has(e.getKey())) return fail(rules.indexedDimNotInIndex(), "indexed dim '" + e.getKey() + "' also names an index dim");
    }
    for (Dim d : operand.shape().dims())
      if (!indices.containsKey(d.name()) && idx.has(d.name()) && !idx.get(d.name()).equals(d))
        return fail(rules.batchDimSizesMatch(), "batch dim '" + d.name() + "' has sizes " + d.size() + " and " + idx.get(d.name()).size());
    Shape index = idx;
    List<Dim> expected = new ArrayList<>(index.dims());
    operand.shape().dims().stream().filter(d -> !indices.containsKey(d.name()) && !index.has(d.name())).forEach(expected::add);
    if (!rows.shape().sameDimsAs(new Shape(expected)))
      return fail(rules.rowDims(), "rows must have dims " + new Shape(expected) + ", got " + rows.shape());
    return OK;
  }
}
