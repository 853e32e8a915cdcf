package dev.switchc.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends ops to a function under construction and hands out fresh values; {@link #build()}
 * returns an immutable, verified {@link Func}. There is no current location: ops are made through
 * {@link #at(SourceLoc)}, which names the place every op made through it comes from, so a location
 * belongs to the ops built with it and nothing else.
 */
public final class FuncBuilder {
  private final String name;
  private final List<Binding> params = new ArrayList<>();
  private final List<Op> body = new ArrayList<>();
  private final List<Binding> results = new ArrayList<>();
  private int nextId;

  public FuncBuilder(String name) {
    this.name = name;
  }

  /**
   * A builder that continues {@code f}: its parameters and ops, fresh ids after all of its values,
   * and no results yet. For passes that append to a program, such as autodiff.
   */
  public static FuncBuilder continuing(Func f) {
    FuncBuilder b = new FuncBuilder(f.name());
    b.params.addAll(f.params());
    b.body.addAll(f.body());
    int max = -1;
    for (Binding p : f.params()) max = Math.max(max, p.value().id());
    for (Op op : f.body()) max = Math.max(max, op.out().id());
    b.nextId = max + 1;
    return b;
  }

  /** Builds ops (and parameters) located at {@code where}. */
  public Ops at(SourceLoc where) {
    return new Ops(where);
  }

  /** Builds ops with no source location: for programs that no user wrote (tests, benchmarks). */
  public Ops unlocated() {
    return new Ops(SourceLoc.UNKNOWN);
  }

  private Value fresh(DType dtype, Shape shape) {
    return new Value(nextId++, new TensorType(dtype, shape));
  }

  private Value append(Op op) {
    body.add(op);
    return op.out();
  }

  /** A parameter declared by no located construct (its part of the program is the whole). */
  public Value param(String paramName, TensorType type) {
    return param(paramName, type, SourceLoc.UNKNOWN);
  }

  private Value param(String paramName, TensorType type, SourceLoc where) {
    Value v = new Value(nextId++, type);
    params.add(new Binding(paramName, v, where));
    return v;
  }

  public void result(String resultName, Value v) {
    results.add(new Binding(resultName, v));
  }

  /** The union of the operands' dims: the first operand's order, then the others' new dims. */
  public static Shape broadcastShape(Value... operands) {
    List<Dim> dims = new ArrayList<>();
    for (Value v : operands)
      for (Dim d : v.shape().dims())
        if (dims.stream().noneMatch(e -> e.name().equals(d.name()))) dims.add(d);
    return new Shape(dims);
  }

  /** Makes ops located at one place; get one from {@link #at(SourceLoc)}. */
  public final class Ops {
    private final SourceLoc where;

    private Ops(SourceLoc where) {
      this.where = where;
    }

    /** Where the ops made here come from. */
    public SourceLoc where() {
      return where;
    }

    /** A parameter of the function, declared here (its {@link SourceLoc#scope()} is the part of the program it belongs to). */
    public Value param(String paramName, TensorType type) {
      return FuncBuilder.this.param(paramName, type, where);
    }

    public Value constant(double value, DType dtype, Shape shape) {
      return append(new Op.Constant(fresh(dtype, shape), value, where));
    }

    public Value scalar(double value, DType dtype) {
      return constant(value, dtype, Shape.SCALAR);
    }

    public Value iota(DType dtype, Shape shape, String dim) {
      return append(new Op.Iota(fresh(dtype, shape), dim, where));
    }

    public Value unary(Op.UnaryFn fn, Value x) {
      return append(new Op.Unary(fresh(x.dtype(), x.shape()), fn, x, where));
    }

    public Value binary(Op.BinaryFn fn, Value lhs, Value rhs) {
      return append(new Op.Binary(fresh(lhs.dtype(), broadcastShape(lhs, rhs)), fn, lhs, rhs, where));
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
      return append(new Op.Compare(fresh(DType.PRED, broadcastShape(lhs, rhs)), cmp, lhs, rhs, where));
    }

    public Value select(Value pred, Value onTrue, Value onFalse) {
      return append(new Op.Select(fresh(onTrue.dtype(), broadcastShape(onTrue, onFalse, pred)), pred, onTrue, onFalse, where));
    }

    public Value cast(Value x, DType dtype) {
      return x.dtype() == dtype ? x : append(new Op.Cast(fresh(dtype, x.shape()), x, where));
    }

    public Value einsum(Value lhs, Value rhs, Shape out, DType dtype) {
      return append(new Op.Einsum(fresh(dtype, out), lhs, rhs, where));
    }

    public Value einsum(Value lhs, Value rhs, Shape out) {
      return einsum(lhs, rhs, out, lhs.dtype());
    }

    public Value reduce(Op.ReduceFn fn, Value x, String... dims) {
      return append(new Op.Reduce(fresh(x.dtype(), x.shape().without(List.of(dims))), fn, x, where));
    }

    public Value argmax(Value x, String dim) {
      return append(new Op.ArgMax(fresh(DType.I32, x.shape().without(List.of(dim))), x, dim, where));
    }

    public Value oneHot(Value index, Dim dim, DType dtype) {
      return append(new Op.OneHot(fresh(dtype, index.shape().with(dim)), index, dim.name(), where));
    }

    public Value cumsum(Value x, String dim, boolean exclusive) {
      return append(new Op.Cumsum(fresh(x.dtype(), x.shape()), x, dim, exclusive, where));
    }

    public Value reshape(Value x, Shape out) {
      return append(new Op.Reshape(fresh(x.dtype(), out), x, where));
    }

    public Value relabel(Value x, Shape out) {
      return append(new Op.Relabel(fresh(x.dtype(), out), x, where));
    }

    public Value gather(Value operand, Map<String, Value> indices, Shape out) {
      return append(new Op.Gather(fresh(operand.dtype(), out), operand, new LinkedHashMap<>(indices), where));
    }

    public Value scatterAdd(Value operand, Value updates, Map<String, Value> indices) {
      return append(new Op.ScatterAdd(fresh(operand.dtype(), operand.shape()), operand, updates, new LinkedHashMap<>(indices), where));
    }
  }

  /** The finished function, checked by {@link Verifier}. */
  public Func build() {
    return Verifier.verify(new Func(name, params, body, results));
  }
}
