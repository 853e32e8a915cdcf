package dev.switchc.ir;

import java.util.List;
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
    String s = op.out() + " = " + opName(op) + attrs(op) + operands(op) + " : " + op.out().type();
    return withLoc && op.loc().line() > 0 ? s + "    // " + op.loc() + " " + op.loc().what() : s;
  }

  /** Elementwise ops print as their function (exp, add, lt); others as their snake_case kind. */
  public static String opName(Op op) {
    Enum<?> fn = op instanceof Op.Unary u ? u.fn() : op instanceof Op.Binary b ? b.fn() : op instanceof Op.Compare c ? c.cmp()
        : op instanceof Op.Reduce r ? r.fn() : null;
    String kind = op.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    if (fn == null) return kind;
    String f = fn.name().toLowerCase(java.util.Locale.ROOT);
    return op instanceof Op.Reduce ? "reduce_" + f : f;
  }

  private static String attrs(Op op) {
    if (op instanceof Op.Constant c) return " " + (c.out().dtype().isFloat() ? Double.toString(c.value()) : Long.toString((long) c.value()));
    if (op instanceof Op.Iota i) return "[" + i.dim() + "]";
    if (op instanceof Op.DeviceCoordinate d) return d.axes().toString();
    if (op instanceof Op.Reduce r) return r.reducedDims().toString();
    if (op instanceof Op.ArgMax a) return "[" + a.dim() + "]";
    if (op instanceof Op.OneHot o) return "[" + o.dim() + "]";
    if (op instanceof Op.Cumsum c) return "[" + c.dim() + (c.exclusive() ? ", exclusive" : "") + "]";
    if (op instanceof Op.AllReduce a) return "." + a.fn().name().toLowerCase(java.util.Locale.ROOT) + a.axes();
    if (op instanceof Op.AllGather g) return "[" + g.dim() + " over " + g.axis() + "]";
    if (op instanceof Op.LocalSlice l) return "[" + l.dim() + " over " + l.axis() + "]";
    if (op instanceof Op.AllToAll a) return "[split " + a.splitDim() + ", concat " + a.concatDim() + " over " + a.axis() + "]";
    if (op instanceof Op.Gather g) return indexAttr(g.indices());
    if (op instanceof Op.ScatterAdd s) return indexAttr(s.indices());
    return "";
  }

  private static String indexAttr(Map<String, Value> indices) {
    return indices.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String operands(Op op) {
    List<Value> in = op instanceof Op.Gather g ? List.of(g.operand())
        : op instanceof Op.ScatterAdd s ? List.of(s.operand(), s.updates()) : op.inputs();
    return in.isEmpty() ? "" : " " + in.stream().map(Value::toString).collect(Collectors.joining(", "));
  }
}
