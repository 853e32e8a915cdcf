package dev.switchc.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends ops to a function under construction and hands out fresh values. The only mutable
 * object in the IR package; {@link #build()} returns an immutable, verified {@link Func}.
 */
public final class FuncBuilder {
  private final String name;
  private final List<Binding> params = new ArrayList<>();
  private final List<Op> body = new ArrayList<>();
  private final List<Binding> results = new ArrayList<>();
  private int nextId;
  private SourceLoc loc = SourceLoc.UNKNOWN;

  public FuncBuilder(String name) {
    this.name = name;
  }

  /** Ops added from now on carry {@code where}. */
  public FuncBuilder at(SourceLoc where) {
    this.loc = where;
    return this;
  }

  private Value fresh(DType dtype, Shape shape) {
    return new Value(nextId++, new TensorType(dtype, shape));
  }

  private Value add(Op op) {
    body.add(op);
    return op.out();
  }

  public Value param(String paramName, TensorType type) {
    Value v = new Value(nextId++, type);
    params.add(new Binding(paramName, v));
    return v;
  }

  public void result(String resultName, Value v) {
    results.add(new Binding(resultName, v));
  }

  public Value constant(double value, DType dtype, Shape shape) {
    return add(new Op.Constant(fresh(dtype, shape), value, loc));
  }

  public Value scalar(double value, DType dtype) {
    return constant(value, dtype, Shape.SCALAR);
  }

  public Value iota(DType dtype, Shape shape, String dim) {
    return add(new Op.Iota(fresh(dtype, shape), dim, loc));
  }

  public Value unary(Op.UnaryFn fn, Value x) {
    return add(new Op.Unary(fresh(x.dtype(), x.shape()), fn, x, loc));
  }

  /** The union of the operands' dims: the first operand's order, then the others' new dims. */
  public static Shape broadcastShape(Value... operands) {
    List<Dim> dims = new ArrayList<>();
    for (Value v : operands)
      for (Dim d : v.shape().dims())
        if (dims.stream().noneMatch(e -> e.name().equals(d.name()))) dims.add(d);
    return new Shape(dims);
  }

  public Value binary(Op.BinaryFn fn, Value lhs, Value rhs) {
    return add(new Op.Binary(fresh(lhs.dtype(), broadcastShape(lhs, rhs)), fn, lhs, rhs, loc));
  }

  public Value add(Value lhs, Value rhs) {
    return binary(Op.BinaryFn.ADD, lhs, rhs);
  }

  public Value sub(Value lhs, Value rhs) {
    return binary(Op.BinaryFn.SUB, lhs, rhs);
  }

  public Value mul(Value lhs, Value rhs) {
    return binary(Op.BinaryFn.MUL, lhs, rhs);
  }

  public Value div(Value lhs, Value rhs) {
    return binary(Op.BinaryFn.DIV, lhs, rhs);
  }

  public Value max(Value lhs, Value rhs) {
    return binary(Op.BinaryFn.MAX, lhs, rhs);
  }

  public Value compare(Op.Cmp cmp, Value lhs, Value rhs) {
    return add(new Op.Compare(fresh(DType.PRED, broadcastShape(lhs, rhs)), cmp, lhs, rhs, loc));
  }

  public Value select(Value pred, Value onTrue, Value onFalse) {
    return add(new Op.Select(fresh(onTrue.dtype(), broadcastShape(onTrue, onFalse, pred)), pred, onTrue, onFalse, loc));
  }

  public Value cast(Value x, DType dtype) {
    return x.dtype() == dtype ? x : add(new Op.Cast(fresh(dtype, x.shape()), x, loc));
  }

  public Value einsum(Value lhs, Value rhs, Shape out, DType dtype) {
    return add(new Op.Einsum(fresh(dtype, out), lhs, rhs, loc));
  }

  public Value einsum(Value lhs, Value rhs, Shape out) {
    return einsum(lhs, rhs, out, lhs.dtype());
  }

  public Value reduce(Op.ReduceFn fn, Value x, String... dims) {
    return add(new Op.Reduce(fresh(x.dtype(), x.shape().without(List.of(dims))), fn, x, loc));
  }

  public Value argmax(Value x, String dim) {
    return add(new Op.ArgMax(fresh(DType.I32, x.shape().without(List.of(dim))), x, dim, loc));
  }

  public Value oneHot(Value index, Dim dim, DType dtype) {
    return add(new Op.OneHot(fresh(dtype, index.shape().with(dim)), index, dim.name(), loc));
  }

  public Value cumsum(Value x, String dim, boolean exclusive) {
    return add(new Op.Cumsum(fresh(x.dtype(), x.shape()), x, dim, exclusive, loc));
  }

  public Value reshape(Value x, Shape out) {
    return add(new Op.Reshape(fresh(x.dtype(), out), x, loc));
  }

  public Value relabel(Value x, Shape out) {
    return add(new Op.Relabel(fresh(x.dtype(), out), x, loc));
  }

  public Value gather(Value operand, Map<String, Value> indices, Shape out) {
    return add(new Op.Gather(fresh(operand.dtype(), out), operand, new LinkedHashMap<>(indices), loc));
  }

  public Value scatterAdd(Value operand, Value updates, Map<String, Value> indices) {
    return add(new Op.ScatterAdd(fresh(operand.dtype(), operand.shape()), operand, updates, new LinkedHashMap<>(indices), loc));
  }

  /** The finished function, checked by {@link Verifier}. */
  public Func build() {
    return Verifier.verify(new Func(name, params, body, results));
  }
}
