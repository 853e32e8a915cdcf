package dev.switchc.ir;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The typing rule of every op: returns null when the op is well typed, else the broken rule. */
final class OpRules {
  private OpRules() {}

  static String check(Op op) {
    if (op instanceof Op.Constant c) return c.out().dtype() == DType.PRED && c.value() != 0 && c.value() != 1 ? "constant_c1: pred constant must be 0 or 1" : null;
    if (op instanceof Op.Iota o) return o.out().shape().has(o.dim()) && !o.out().dtype().equals(DType.PRED) ? null : "iota_c1: iota dim '" + o.dim() + "' must be a dim of " + o.out().type();
    if (op instanceof Op.Unary u) return sameType(u.out(), u.x(), "unary_c1") != null ? sameType(u.out(), u.x(), "unary_c1")
        : u.x().dtype().isFloat() || u.fn() == Op.UnaryFn.NEG || u.fn() == Op.UnaryFn.ABS ? null : "unary_c2: " + u.fn() + " needs a float operand";
    if (op instanceof Op.Binary b) return (b.fn() == Op.BinaryFn.XOR || b.fn() == Op.BinaryFn.SHR) && (b.lhs().dtype().isFloat() || b.lhs().dtype() == DType.PRED)
        ? "binary_c2: " + b.fn() + " needs integer operands, got " + b.lhs().dtype()
        : elementwise(b.out(), b.lhs().dtype(), List.of(b.lhs(), b.rhs()), "binary");
    if (op instanceof Op.Compare c) return c.out().dtype() != DType.PRED ? "compare_c1: result must be pred"
        : c.lhs().dtype() != c.rhs().dtype() ? "compare_c2: operand types differ: " + c.lhs().dtype() + " vs " + c.rhs().dtype()
        : broadcasts(c.out(), List.of(c.lhs(), c.rhs()), "compare");
    if (op instanceof Op.Select s) return s.pred().dtype() != DType.PRED ? "select_c1: predicate must be pred"
        : s.onTrue().dtype() != s.onFalse().dtype() ? "select_c2: branch types differ"
        : elementwise(s.out(), s.onTrue().dtype(), List.of(s.pred(), s.onTrue(), s.onFalse()), "select");
    if (op instanceof Op.Cast c) return c.out().shape().equals(c.x().shape()) ? null : "cast_c1: shape changes from " + c.x().shape() + " to " + c.out().shape();
    if (op instanceof Op.Einsum e) return einsum(e);
    if (op instanceof Op.Reduce r) return r.out().dtype() != r.x().dtype() ? "reduce_c1: dtype changes"
        : subset(r.out(), r.x()) ? null : "reduce_c2: result dims " + r.out().shape() + " are not a subset of " + r.x().shape();
    if (op instanceof Op.ArgMax a) return a.out().dtype() != DType.I32 ? "argmax_c1: result must be i32"
        : !a.x().shape().has(a.dim()) ? "argmax_c2: no dim '" + a.dim() + "' in " + a.x().shape()
        : a.out().shape().sameDimsAs(a.x().shape().without(List.of(a.dim()))) ? null : "argmax_c3: result must be the operand without '" + a.dim() + "'";
    if (op instanceof Op.OneHot o) return o.index().dtype() != DType.I32 ? "one_hot_c1: index must be i32"
        : o.index().shape().has(o.dim()) || !o.out().shape().has(o.dim()) ? "one_hot_c2: '" + o.dim() + "' must be new in the result"
        : o.out().shape().without(List.of(o.dim())).sameDimsAs(o.index().shape()) ? null : "one_hot_c3: result must be the index shape plus '" + o.dim() + "'";
    if (op instanceof Op.Cumsum c) return sameType(c.out(), c.x(), "cumsum_c1") != null ? sameType(c.out(), c.x(), "cumsum_c1")
        : c.x().shape().has(c.dim()) ? null : "cumsum_c2: no dim '" + c.dim() + "' in " + c.x().shape();
    if (op instanceof Op.Reshape r) return r.out().dtype() != r.x().dtype() ? "reshape_c1: dtype changes"
        : r.out().shape().elements() == r.x().shape().elements() ? null : "reshape_c2: " + r.x().shape() + " and " + r.out().shape() + " differ in size";
    if (op instanceof Op.Relabel r) return relabel(r);
    if (op instanceof Op.Gather g) return gather(g.operand(), g.indices(), g.out(), "gather");
    if (op instanceof Op.ScatterAdd s) return !s.out().type().equals(s.operand().type()) ? "scatter_c1: result type must equal operand type"
        : s.updates().dtype() != s.operand().dtype() ? "scatter_c2: updates dtype differs"
        : gather(s.operand(), s.indices(), s.updates(), "scatter");
    if (op instanceof Op.AllReduce a) return a.axes().isEmpty() ? "all_reduce_c1: no axes" : sameType(a.out(), a.x(), "all_reduce_c2");
    if (op instanceof Op.AllGather g) return resized(g.x(), g.out(), g.dim(), true, "all_gather");
    if (op instanceof Op.LocalSlice l) return resized(l.x(), l.out(), l.dim(), false, "local_slice");
    if (op instanceof Op.DeviceCoordinate d) return d.axes().isEmpty() ? "device_coordinate_c1: no axes"
        : d.out().type().equals(new TensorType(DType.I32, Shape.SCALAR)) ? null : "device_coordinate_c2: result must be an i32 scalar";
    if (op instanceof Op.AllToAll a) return allToAll(a);
    throw new AssertionError(op);
  }

  /** {@code out} is {@code x} with {@code dim} grown (or shrunk) by a whole factor, nothing else. */
  private static String resized(Value x, Value out, String dim, boolean grow, String op) {
    if (!x.shape().has(dim)) return op + "_c1: no dim '" + dim + "' in " + x.shape();
    if (out.dtype() != x.dtype() || !out.shape().names().equals(x.shape().names())) return op + "_c2: result " + out.type() + " must be " + x.type() + " resized along '" + dim + "'";
    for (Dim d : x.shape().dims()) {
      long o = out.shape().get(d.name()).size();
      if (!d.name().equals(dim) && o != d.size()) return op + "_c3: dim '" + d.name() + "' changes size";
      if (d.name().equals(dim) && (grow ? o % d.size() != 0 || o == d.size() : d.size() % o != 0 || o == d.size()))
        return op + "_c4: '" + dim + "' goes from " + d.size() + " to " + o;
    }
    return null;
  }

  private static String allToAll(Op.AllToAll a) {
    Shape x = a.x().shape(), o = a.out().shape();
    int s = x.indexOf(a.splitDim()), c = x.indexOf(a.concatDim());
    if (s < 0 || c < 0 || s == c) return "all_to_all_c1: split '" + a.splitDim() + "' and concat '" + a.concatDim() + "' must be two dims of " + x;
    if (o.rank() != x.rank() || a.out().dtype() != a.x().dtype()) return "all_to_all_c2: result must have the operand's rank and dtype";
    long k = x.dims().get(s).size() / Math.max(1, o.dims().get(s).size());
    if (k < 2 || x.dims().get(s).size() != k * o.dims().get(s).size() || o.dims().get(c).size() != k * x.dims().get(c).size())
      return "all_to_all_c3: split dim " + x.dims().get(s) + " -> " + o.dims().get(s) + " and concat dim " + x.dims().get(c) + " -> " + o.dims().get(c) + " must change by the same factor";
    for (int i = 0; i < x.rank(); i++)
      if (i != s && i != c && x.dims().get(i).size() != o.dims().get(i).size()) return "all_to_all_c4: position " + i + " changes size";
    return null;
  }

  private static String sameType(Value out, Value in, String rule) {
    return out.type().equals(in.type()) ? null : rule + ": result type " + out.type() + " must equal operand type " + in.type();
  }

  private static boolean subset(Value small, Value big) {
    return small.shape().dims().stream().allMatch(d -> big.shape().dims().contains(d));
  }

  private static String elementwise(Value out, DType dtype, List<Value> ins, String op) {
    if (out.dtype() != dtype) return op + "_c1: result dtype " + out.dtype() + " must be " + dtype;
    for (Value in : ins.subList(ins.size() - 2, ins.size()))
      if (in.dtype() != dtype) return op + "_c2: operand dtypes differ: " + in.dtype() + " vs " + dtype;
    return broadcasts(out, ins, op);
  }

  private static String broadcasts(Value out, List<Value> ins, String op) {
    for (Value in : ins)
      if (!subset(in, out)) return op + "_c3: operand " + in + " " + in.shape() + " has dims missing from the result " + out.shape();
    Set<String> covered = new HashSet<>();
    for (Value in : ins) covered.addAll(in.shape().names());
    return covered.containsAll(out.shape().names()) ? null : op + "_c4: result " + out.shape() + " has dims no operand has";
  }

  private static String einsum(Op.Einsum e) {
    Shape l = e.lhs().shape(), r = e.rhs().shape(), o = e.out().shape();
    if (e.lhs().dtype() != e.rhs().dtype()) return "einsum_c1: operand dtypes differ: " + e.lhs().dtype() + " vs " + e.rhs().dtype();
    boolean widening = e.lhs().dtype() == DType.BF16 && e.out().dtype() == DType.F32;
    if (e.out().dtype() != e.lhs().dtype() && !widening) return "einsum_c2: result dtype " + e.out().dtype() + " from " + e.lhs().dtype() + " operands";
    for (Dim d : l.dims()) {
      if (r.has(d.name()) && !r.get(d.name()).equals(d)) return "einsum_c3: dim '" + d.name() + "' has sizes " + d.size() + " and " + r.get(d.name()).size();
      if (!r.has(d.name()) && !o.dims().contains(d)) return "einsum_c4: lhs dim " + d + " is neither contracted nor in the result";
    }
    for (Dim d : r.dims())
      if (!l.has(d.name()) && !o.dims().contains(d)) return "einsum_c4: rhs dim " + d + " is neither contracted nor in the result";
    for (Dim d : o.dims())
      if (!l.dims().contains(d) && !r.dims().contains(d)) return "einsum_c5: result dim " + d + " comes from no operand";
    return null;
  }

  private static String relabel(Op.Relabel r) {
    List<Dim> in = r.x().shape().dims(), out = r.out().shape().dims();
    if (in.size() != out.size()) return "relabel_c1: rank changes";
    for (int i = 0; i < in.size(); i++)
      if (in.get(i).size() != out.get(i).size()) return "relabel_c2: position " + i + " changes size " + in.get(i) + " -> " + out.get(i);
    return r.out().dtype() == r.x().dtype() ? null : "relabel_c3: dtype changes";
  }

  /** Shared by gather and scatter: {@code rows} is the gather result or the scatter updates. */
  private static String gather(Value operand, Map<String, Value> indices, Value rows, String op) {
    if (indices.isEmpty()) return op + "_c1: no indexed dims";
    Shape idx = null;
    for (Map.Entry<String, Value> e : indices.entrySet()) {
      if (!operand.shape().has(e.getKey())) return op + "_c2: indexed dim '" + e.getKey() + "' is not in the operand " + operand.shape();
      if (e.getValue().dtype() != DType.I32) return op + "_c3: index for '" + e.getKey() + "' must be i32";
      if (idx == null) idx = e.getValue().shape();
      else if (!idx.equals(e.getValue().shape())) return op + "_c4: index shapes differ: " + idx + " vs " + e.getValue().shape();
      if (idx.has(e.getKey())) return op + "_c5: indexed dim '" + e.getKey() + "' also names an index dim";
    }
    for (Dim d : operand.shape().dims())
      if (!indices.containsKey(d.name()) && idx.has(d.name()) && !idx.get(d.name()).equals(d))
        return op + "_c6: batch dim '" + d.name() + "' has sizes " + d.size() + " and " + idx.get(d.name()).size();
    Shape expected = new Shape(concat(idx.dims(), operand.shape().dims().stream()
        .filter(d -> !indices.containsKey(d.name()) && !idxHas(indices, d.name())).toList()));
    return rows.shape().sameDimsAs(expected) ? null : op + "_c7: rows must have dims " + expected + ", got " + rows.shape();
  }

  private static boolean idxHas(Map<String, Value> indices, String name) {
    return indices.values().iterator().next().shape().has(name);
  }

  private static List<Dim> concat(List<Dim> a, List<Dim> b) {
    List<Dim> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
