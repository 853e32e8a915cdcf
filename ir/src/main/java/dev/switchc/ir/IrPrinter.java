package dev.switchc.ir;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The readable form of the IR. Source locations are printed as trailing comments only when asked,
 * so the same model written as a spec file or in the DSL prints identically.
 */
public final class IrPrinter {
  private IrPrinter() {}

  public static String print(Func f) {
    return print(f, false);
  }

  public static String print(Func f, boolean withLocs) {
    StringBuilder sb = new StringBuilder();
    sb.append("func @").append(f.name()).append("(\n");
    for (Binding p : f.params()) sb.append("    ").append(p.value()).append(" \"").append(p.name()).append("\": ").append(p.value().type()).append('\n');
    sb.append(") {\n");
    for (Op op : f.body()) sb.append("  ").append(line(op, withLocs)).append('\n');
    sb.append("  return ").append(f.results().stream().map(r -> "\"" + r.name() + "\" = " + r.value()).collect(Collectors.joining(", "))).append('\n');
    sb.append("}\n");
    return sb.toString();
  }

  /** Up to {@code radius} ops either side of {@code at}, the op itself marked; for error messages. */
  static String excerpt(Func f, int at, int radius) {
    if (at < 0) return print(f, true);
    StringBuilder sb = new StringBuilder();
    int from = Math.max(0, at - radius), to = Math.min(f.body().size(), at + radius + 1);
    if (from > 0) sb.append("    ...\n");
    for (int i = from; i < to; i++) sb.append(i == at ? "--> " : "    ").append(line(f.body().get(i), true)).append('\n');
    if (to < f.body().size()) sb.append("    ...\n");
    return sb.toString();
  }

  static String line(Op op, boolean withLoc) {
    Text t = op.accept(TEXT);
    String operands = t.operands().isEmpty() ? "" : " " + t.operands().stream().map(Value::toString).collect(Collectors.joining(", "));
    String s = op.out() + " = " + t.name() + t.attrs() + operands + " : " + op.out().type();
    return withLoc && op.loc().line() > 0 ? s + "    // " + op.loc() + " " + op.loc().what() : s;
  }

  /** Elementwise ops print as their function (exp, add, lt); reductions as reduce_sum etc.; others as their snake_case kind. */
  public static String opName(Op op) {
    return op.accept(TEXT).name();
  }

  /** How one op prints: its name, its attributes, and the operands written after them. */
  private record Text(String name, String attrs, List<Value> operands) {}

  private static final Op.Visitor<Text> TEXT = new Op.Visitor<>() {
    private Text plain(Op op) {
      return new Text(kind(op), "", op.inputs());
    }

    private Text fn(Enum<?> fn, Op op) {
      return new Text(lower(fn), "", op.inputs());
    }

    @Override
    public Text constant(Op.Constant c) {
      return new Text("constant", " " + (c.out().dtype().isFloat() ? Double.toString(c.value()) : Long.toString((long) c.value())), List.of());
    }

    @Override
    public Text iota(Op.Iota i) {
      return new Text("iota", "[" + i.dim() + "]", List.of());
    }

    @Override
    public Text unary(Op.Unary u) {
      return fn(u.fn(), u);
    }

    @Override
    public Text binary(Op.Binary b) {
      return fn(b.fn(), b);
    }

    @Override
    public Text compare(Op.Compare c) {
      return fn(c.cmp(), c);
    }

    @Override
    public Text select(Op.Select s) {
      return plain(s);
    }

    @Override
    public Text cast(Op.Cast c) {
      return plain(c);
    }

    @Override
    public Text einsum(Op.Einsum e) {
      return plain(e);
    }

    @Override
    public Text reduce(Op.Reduce r) {
      return new Text("reduce_" + lower(r.fn()), r.reducedDims().toString(), r.inputs());
    }

    @Override
    public Text argMax(Op.ArgMax a) {
      return new Text(kind(a), "[" + a.dim() + "]", a.inputs());
    }

    @Override
    public Text oneHot(Op.OneHot o) {
      return new Text(kind(o), "[" + o.dim() + "]", o.inputs());
    }

    @Override
    public Text cumsum(Op.Cumsum c) {
      return new Text(kind(c), "[" + c.dim() + (c.exclusive() ? ", exclusive" : "") + "]", c.inputs());
    }

    @Override
    public Text reshape(Op.Reshape r) {
      return plain(r);
    }

    @Override
    public Text relabel(Op.Relabel r) {
      return plain(r);
    }

    @Override
    public Text gather(Op.Gather g) {
      return new Text(kind(g), indexAttr(g.indices()), List.of(g.operand()));
    }

    @Override
    public Text scatterAdd(Op.ScatterAdd s) {
      return new Text(kind(s), indexAttr(s.indices()), List.of(s.operand(), s.updates()));
    }

    @Override
    public Text allReduce(Op.AllReduce a) {
      return new Text(kind(a), "." + lower(a.fn()) + a.axes(), a.inputs());
    }

    @Override
    public Text allGather(Op.AllGather g) {
      return new Text(kind(g), "[" + g.dim() + " over " + g.axis() + "]", g.inputs());
    }

    @Override
    public Text allToAll(Op.AllToAll a) {
      return new Text(kind(a), "[split " + a.splitDim() + ", concat " + a.concatDim() + " over " + a.axis() + "]", a.inputs());
    }

    @Override
    public Text deviceCoordinate(Op.DeviceCoordinate d) {
      return new Text(kind(d), d.axes().toString(), List.of());
    }

    @Override
    public Text localSlice(Op.LocalSlice l) {
      return new Text(kind(l), "[" + l.dim() + " over " + l.axis() + "]", l.inputs());
    }
  };

  /** An op's kind in snake_case, from its record's name: {@code arg_max}, {@code scatter_add}. */
  public static String kind(Op op) {
    return op.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String indexAttr(Map<String, Value> indices) {
    return indices.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "[", "]"));
  }
}
