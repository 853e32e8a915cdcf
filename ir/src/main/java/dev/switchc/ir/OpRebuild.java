package dev.switchc.ir;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The same op with another result value and other operands (in {@link Op#inputs()} order). */
final class OpRebuild implements Op.Visitor<Op> {
  private final Value out;
  private final Iterator<Value> in;

  private OpRebuild(Value out, List<Value> ins) {
    this.out = out;
    this.in = ins.iterator();
  }

  static Op with(Op op, Value out, List<Value> ins) {
    return op.accept(new OpRebuild(out, ins));
  }

  @Override
  public Op constant(Op.Constant op) {
    return new Op.Constant(out, op.value(), op.loc());
  }

  @Override
  public Op iota(Op.Iota op) {
    return new Op.Iota(out, op.dim(), op.loc());
  }

  @Override
  public Op unary(Op.Unary op) {
    return new Op.Unary(out, op.fn(), in.next(), op.loc());
  }

  @Override
  public Op binary(Op.Binary op) {
    return new Op.Binary(out, op.fn(), in.next(), in.next(), op.loc());
  }

  @Override
  public Op compare(Op.Compare op) {
    return new Op.Compare(out, op.cmp(), in.next(), in.next(), op.loc());
  }

  @Override
  public Op select(Op.Select op) {
    return new Op.Select(out, in.next(), in.next(), in.next(), op.loc());
  }

  @Override
  public Op cast(Op.Cast op) {
    return new Op.Cast(out, in.next(), op.loc());
  }

  @Override
  public Op einsum(Op.Einsum op) {
    return new Op.Einsum(out, in.next(), in.next(), op.loc());
  }

  @Override
  public Op reduce(Op.Reduce op) {
    return new Op.Reduce(out, op.fn(), in.next(), op.loc());
  }

  @Override
  public Op argMax(Op.ArgMax op) {
    return new Op.ArgMax(out, in.next(), op.dim(), op.loc());
  }

  @Override
  public Op oneHot(Op.OneHot op) {
    return new Op.OneHot(out, in.next(), op.dim(), op.loc());
  }

  @Override
  public Op cumsum(Op.Cumsum op) {
    return new Op.Cumsum(out, in.next(), op.dim(), op.exclusive(), op.loc());
  }

  @Override
  public Op reshape(Op.Reshape op) {
    return new Op.Reshape(out, in.next(), op.loc());
  }

  @Override
  public Op relabel(Op.Relabel op) {
    return new Op.Relabel(out, in.next(), op.loc());
  }

  @Override
  public Op gather(Op.Gather op) {
    Value operand = in.next();
    return new Op.Gather(out, operand, indices(op.indices()), op.loc());
  }

  @Override
  public Op scatterAdd(Op.ScatterAdd op) {
    Value operand = in.next(), updates = in.next();
    return new Op.ScatterAdd(out, operand, updates, indices(op.indices()), op.loc());
  }

  @Override
  public Op allReduce(Op.AllReduce op) {
    return new Op.AllReduce(out, in.next(), op.axes(), op.fn(), op.loc());
  }

  @Override
  public Op allGather(Op.AllGather op) {
    return new Op.AllGather(out, in.next(), op.axis(), op.dim(), op.loc());
  }

  @Override
  public Op allToAll(Op.AllToAll op) {
    return new Op.AllToAll(out, in.next(), op.axis(), op.splitDim(), op.concatDim(), op.loc());
  }

  @Override
  public Op deviceCoordinate(Op.DeviceCoordinate op) {
    return new Op.DeviceCoordinate(out, op.axes(), op.loc());
  }

  @Override
  public Op localSlice(Op.LocalSlice op) {
    return new Op.LocalSlice(out, in.next(), op.axis(), op.dim(), op.loc());
  }

  /** The same indexed dims, each with the next operand as its index. */
  private Map<String, Value> indices(Map<String, Value> indices) {
    Map<String, Value> m = new LinkedHashMap<>();
    for (String k : indices.keySet()) m.put(k, in.next());
    return m;
  }
}
