package dev.switchc.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes a layout invalid for a function, reported at the layout rule responsible: an unknown
 * axis, an axis used twice in one rule or by two dims of one tensor, a dim size that the product
 * of its axes does not divide, and a split of a dim that an op needs whole. Collects everything
 * before failing; each message names the tensor, the dim, the axes, both sizes and a fix.
 */
final class ShardingChecks {
  private ShardingChecks() {}

  static void check(Func f, Mesh mesh, Layout layout) {
    Map<String, Diagnostic> found = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> rule : layout.rules().entrySet()) {
      SourceLoc at = layout.whereOf(rule.getKey());
      for (String axis : rule.getValue())
        if (!mesh.has(axis))
          found.putIfAbsent("axis " + rule.getKey() + axis, new Diagnostic(at, "layout rule for '" + rule.getKey() + "' names mesh axis '" + axis
              + "', but the mesh " + (mesh.axes().isEmpty() ? "has no axes" : "has only " + mesh) + "; use one of its axes or ()"));
      if (rule.getValue().stream().distinct().count() < rule.getValue().size())
        found.putIfAbsent("dup " + rule.getKey(), new Diagnostic(at, "layout rule for '" + rule.getKey() + "' uses a mesh axis twice: " + rule.getValue()));
    }
    if (!found.isEmpty()) throw new CompileError(List.copyOf(found.values()));
    for (Binding p : f.params()) tensor(p.value(), "parameter '" + p.name() + "'", mesh, layout, found);
    for (Op op : f.body()) {
      tensor(op.out(), describe(op), mesh, layout, found);
      for (String dim : wholeDims(op)) {
        List<String> axes = layout.axes(dim);
        if (!axes.isEmpty())
          found.putIfAbsent("whole " + dim, new Diagnostic(layout.whereOf(dim), rule(layout, dim) + "dim '" + dim + "' must stay whole on every device: "
              + describe(op) + " needs all of it, but the layout rule maps it to " + axes + "; remove that rule (map '" + dim + "' to ())"));
      }
    }
    if (!found.isEmpty()) throw new CompileError(List.copyOf(found.values()));
  }

  private static void tensor(Value v, String what, Mesh mesh, Layout layout, Map<String, Diagnostic> found) {
    Map<String, String> axisOwner = new LinkedHashMap<>();
    for (Dim d : v.shape().dims()) {
      List<String> axes = layout.axes(d.name());
      for (String axis : axes) {
        String other = axisOwner.putIfAbsent(axis, d.name());
        if (other != null)
          found.putIfAbsent("same " + new java.util.TreeSet<>(List.of(other, d.name())) + axis, new Diagnostic(layout.whereOf(d.name()), rule(layout, d.name()) + "dims '" + other + "' and '" + d.name()
              + "' of " + what + " " + v.type() + " are both mapped to mesh axis '" + axis + "' (rules at " + layout.whereOf(other) + " and "
              + layout.whereOf(d.name()) + "); an axis can split only one dim of a tensor: map one of them to another axis or to ()"));
      }
      int parts = mesh.size(axes);
      if (d.size() % parts != 0)
        found.putIfAbsent("div " + d.name(), new Diagnostic(layout.whereOf(d.name()), rule(layout, d.name()) + "cannot shard dim '" + d.name() + "' (" + d.size()
            + ") over mesh axes (" + String.join(", ", axes) + ") of total size " + parts + ": " + d.size() + " is not divisible by " + parts
            + " (in " + what + " " + v.type() + "); " + hint(d, parts)));
    }
  }

  /** What the user wrote (or the default rule), to start a message with: "group = (data, expert): ". */
  private static String rule(Layout layout, String dim) {
    String what = layout.whereOf(dim).what();
    return what.isEmpty() ? "" : what + ": ";
  }

  private static String hint(Dim d, int parts) {
    String base = "choose mesh axis sizes whose product divides " + d.size() + ", or map '" + d.name() + "' to fewer axes";
    return switch (d.name()) {
      case "group", "group_unsplit" -> "the number of groups is batch * seq / group_size = " + d.size()
          + "; make it a multiple of " + parts + " (a smaller group_size or a larger batch), or " + base;
      case "experts", "experts_unsplit" -> "use a number of experts that is a multiple of " + parts + ", or " + base;
      default -> base;
    };
  }

  /** The dims an op needs whole on every device (they cannot be split); written out for every op kind. */
  private static List<String> wholeDims(Op op) {
    return op.accept(WHOLE_DIMS);
  }

  private static final Op.Visitor<List<String>> WHOLE_DIMS = new Op.Visitor<>() {
    @Override public List<String> constant(Op.Constant op) { return List.of(); }
    @Override public List<String> iota(Op.Iota op) { return List.of(); } // a split iota counts from the device's offset
    @Override public List<String> unary(Op.Unary op) { return List.of(); }
    @Override public List<String> binary(Op.Binary op) { return List.of(); }
    @Override public List<String> compare(Op.Compare op) { return List.of(); }
    @Override public List<String> select(Op.Select op) { return List.of(); }
    @Override public List<String> cast(Op.Cast op) { return List.of(); }
    @Override public List<String> einsum(Op.Einsum op) { return List.of(); } // a split contraction ends in an all-reduce
    @Override public List<String> reduce(Op.Reduce op) { return List.of(); } // likewise
    @Override public List<String> argMax(Op.ArgMax op) { return List.of(op.dim()); }
    @Override public List<String> oneHot(Op.OneHot op) { return List.of(op.dim()); }
    @Override public List<String> cumsum(Op.Cumsum op) { return List.of(op.dim()); }
    @Override public List<String> reshape(Op.Reshape op) { return List.of(); } // gathered when the pieces are not contiguous
    @Override public List<String> relabel(Op.Relabel op) { return List.of(); } // moved by all-to-all, all-gather or slice
    @Override public List<String> gather(Op.Gather op) { return List.copyOf(op.indices().keySet()); }
    @Override public List<String> scatterAdd(Op.ScatterAdd op) { return List.copyOf(op.indices().keySet()); }
    // Collectives exist only in per-device functions, after this check; they constrain nothing here.
    @Override public List<String> allReduce(Op.AllReduce op) { return List.of(); }
    @Override public List<String> allGather(Op.AllGather op) { return List.of(); }
    @Override public List<String> allToAll(Op.AllToAll op) { return List.of(); }
    @Override public List<String> deviceCoordinate(Op.DeviceCoordinate op) { return List.of(); }
    @Override public List<String> localSlice(Op.LocalSlice op) { return List.of(); }
  };

  static String describe(Op op) {
    return "the " + IrPrinter.kind(op) + " at " + op.loc() + (op.loc().what().isEmpty() ? "" : " (" + op.loc().what() + ")");
  }
}
