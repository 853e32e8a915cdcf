package dev.switchc.ir;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The same op with another result value and other operands (in {@link Op#inputs()} order). */
final class OpRebuild {
  private OpRebuild() {}

  static Op with(Op op, Value out, List<Value> ins) {
    Iterator<Value> it = ins.iterator();
    if (op instanceof Op.Constant c) return new Op.Constant(out, c.value(), c.loc());
    if (op instanceof Op.Iota i) return new Op.Iota(out, i.dim(), i.loc());
    if (op instanceof Op.Unary u) return new Op.Unary(out, u.fn(), it.next(), u.loc());
    if (op instanceof Op.Binary b) return new Op.Binary(out, b.fn(), it.next(), it.next(), b.loc());
    if (op instanceof Op.Compare c) return new Op.Compare(out, c.cmp(), it.next(), it.next(), c.loc());
    if (op instanceof Op.Select s) return new Op.Select(out, it.next(), it.next(), it.next(), s.loc());
    if (op instanceof Op.Cast c) return new Op.Cast(out, it.next(), c.loc());
    if (op instanceof Op.Einsum e) return new Op.Einsum(out, it.next(), it.next(), e.loc());
    if (op instanceof Op.Reduce r) return new Op.Reduce(out, r.fn(), it.next(), r.loc());
    if (op instanceof Op.ArgMax a) return new Op.ArgMax(out, it.next(), a.dim(), a.loc());
    if (op instanceof Op.OneHot o) return new Op.OneHot(out, it.next(), o.dim(), o.loc());
    if (op instanceof Op.Cumsum c) return new Op.Cumsum(out, it.next(), c.dim(), c.exclusive(), c.loc());
    if (op instanceof Op.Reshape r) return new Op.Reshape(out, it.next(), r.loc());
    if (op instanceof Op.Relabel r) return new Op.Relabel(out, it.next(), r.loc());
    if (op instanceof Op.Gather g) {
      Value operand = it.next();
      return new Op.Gather(out, operand, remap(g.indices(), it), g.loc());
    }
    if (op instanceof Op.ScatterAdd s) {
      Value operand = it.next(), updates = it.next();
      return new Op.ScatterAdd(out, operand, updates, remap(s.indices(), it), s.loc());
    }
    if (op instanceof Op.AllReduce a) return new Op.AllReduce(out, it.next(), a.axes(), a.fn(), a.loc());
    if (op instanceof Op.AllGather g) return new Op.AllGather(out, it.next(), g.axis(), g.dim(), g.loc());
    if (op instanceof Op.AllToAll a) return new Op.AllToAll(out, it.next(), a.axis(), a.splitDim(), a.concatDim(), a.loc());
    if (op instanceof Op.LocalSlice l) return new Op.LocalSlice(out, it.next(), l.axis(), l.dim(), l.loc());
    if (op instanceof Op.DeviceCoordinate d) return new Op.DeviceCoordinate(out, d.axes(), d.loc());
    throw new AssertionError(op);
  }

  private static Map<String, Value> remap(Map<String, Value> indices, Iterator<Value> it) {
    Map<String, Value> m = new LinkedHashMap<>();
    for (String k : indices.keySet()) m.put(k, it.next());
    return m;
  }
}
