package dev.switchc.lowering;

import dev.switchc.ir.DType;
import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one place that spells StableHLO text. Ops with attributes are printed in the generic form,
 * which every StableHLO parser version accepts (gather and scatter have no pretty form in the XLA
 * inside TensorFlow Java 1.1.0). Value names are positional, so equal modules print identically.
 */
public final class StableHloPrinter {
  private final StringBuilder out = new StringBuilder();
  private final Map<Integer, String> names = new HashMap<>();

  private StableHloPrinter() {}

  public static String print(HloModule m) {
    StableHloPrinter p = new StableHloPrinter();
    p.module(m);
    return p.out.toString();
  }

  private void module(HloModule m) {
    out.append("module @").append(m.name()).append(" attributes {mhlo.num_partitions = ").append(m.numPartitions())
        .append(" : i32, mhlo.num_replicas = 1 : i32} {\n");
    for (int i = 0; i < m.argNames().size(); i++) out.append("  // %arg").append(i).append(": ").append(m.argNames().get(i)).append('\n');
    for (int i = 0; i < m.resultNames().size(); i++) out.append("  // result ").append(i).append(": ").append(m.resultNames().get(i)).append('\n');
    function(m.main(), "public", m.argShardings(), m.resultShardings());
    for (HloFunc f : m.functions()) function(f, "private", List.of(), List.of());
    out.append("}\n");
  }

  /** Names are per function: %argN for arguments, %N for op results in order. */
  private void function(HloFunc f, String visibility, List<HloSharding> argShardings, List<HloSharding> resultShardings) {
    names.clear();
    List<String> args = new java.util.ArrayList<>();
    for (int i = 0; i < f.args().size(); i++) {
      names.put(f.args().get(i).id(), "%arg" + i);
      args.add("%arg" + i + ": " + type(f.args().get(i).type()) + shardingAttr(argShardings, i));
    }
    List<String> results = new java.util.ArrayList<>();
    for (int i = 0; i < f.returns().size(); i++) results.add(type(f.returns().get(i).type()) + shardingAttr(resultShardings, i));
    out.append("  func.func ").append(visibility).append(" @").append(f.name()).append("(").append(String.join(", ", args))
        .append(") -> (").append(String.join(", ", results)).append(") {\n");
    int next = 0;
    for (HloOp op : f.body()) {
      String n = "%" + next++;
      List<HloValue> defined = op.results();
      if (defined.size() == 1) names.put(defined.get(0).id(), n);
      else for (int i = 0; i < defined.size(); i++) names.put(defined.get(i).id(), n + "#" + i);
      out.append("    ").append(op(op, n)).append('\n');
    }
    out.append("    return ").append(f.returns().stream().map(this::name).collect(Collectors.joining(", ")))
        .append(" : ").append(f.returns().stream().map(r -> type(r.type())).collect(Collectors.joining(", "))).append('\n');
    out.append("  }\n");
  }

  private static String shardingAttr(List<HloSharding> shardings, int i) {
    return shardings.isEmpty() ? "" : " {mhlo.sharding = \"" + shardings.get(i).spell() + "\"}";
  }

  private String name(HloValue v) {
    String n = names.get(v.id());
    if (n == null) throw new IllegalStateException("value " + v.id() + " used before it is defined");
    return n;
  }

  /** A tensor type as StableHLO spells it: {@code tensor<2x3xf32>}. */
  public static String type(HloType t) {
    StringBuilder sb = new StringBuilder("tensor<");
    for (long d : t.dims()) sb.append(d).append('x');
    return sb.append(t.dtype().mlir()).append('>').toString();
  }

  private String signature(List<HloValue> operands, HloValue result) {
    return "(" + operands.stream().map(o -> type(o.type())).collect(Collectors.joining(", ")) + ") -> " + type(result.type());
  }

  private String generic(HloOp op, String opName, String attrs) {
    return generic(op.result(), opName, op.operands(), attrs, "");
  }

  private String generic(HloValue result, String opName, List<HloValue> operands, String attrs, String region) {
    return name(result) + " = \"" + opName + "\"(" + operands.stream().map(this::name).collect(Collectors.joining(", ")) + ")"
        + region + (attrs.isEmpty() ? "" : " {" + attrs + "}") + " : " + signature(operands, result);
  }

  private String op(HloOp op, String n) {
    return op.accept(new OpText(n));
  }

  /** The text of one op; {@code n} is the name its result gets. */
  private final class OpText implements HloOp.Visitor<String> {
    private final String n;

    OpText(String n) {
      this.n = n;
    }

    @Override
    public String call(HloOp.Call c) {
      return n + ":" + c.results().size() + " = func.call @" + c.callee() + "(" + c.operands().stream().map(StableHloPrinter.this::name).collect(Collectors.joining(", "))
          + ") : (" + c.operands().stream().map(o -> type(o.type())).collect(Collectors.joining(", ")) + ") -> ("
          + c.results().stream().map(r -> type(r.type())).collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public String shardingCall(HloOp.ShardingCall sc) {
      return name(sc.result()) + " = stablehlo.custom_call @" + sc.target().callTarget() + "(" + name(sc.operand()) + ") {mhlo.sharding = \""
          + sc.sharding().spell() + "\"} : (" + type(sc.operand().type()) + ") -> " + type(sc.result().type());
    }

    @Override
    public String partitionId(HloOp.PartitionId p) {
      return name(p.result()) + " = stablehlo.partition_id : " + type(p.result().type());
    }

    @Override
    public String dynamicSlice(HloOp.DynamicSlice d) {
      return generic(d, "stablehlo.dynamic_slice", "slice_sizes = " + longs(d.sizes()));
    }

    @Override
    public String allReduce(HloOp.AllReduce a) {
      return generic(a.result(), "stablehlo.all_reduce", a.operands(), groups(a.groups(), a.channel()) + ", use_global_device_ids",
          region(a.combiner(), a.result().type().dtype()));
    }

    @Override
    public String allGather(HloOp.AllGather g) {
      return generic(g, "stablehlo.all_gather", "all_gather_dim = " + g.dimension() + " : i64, " + groups(g.groups(), g.channel()) + ", use_global_device_ids");
    }

    @Override
    public String allToAll(HloOp.AllToAll a) {
      return generic(a, "stablehlo.all_to_all", "split_dimension = " + a.splitDimension() + " : i64, concat_dimension = " + a.concatDimension()
          + " : i64, split_count = " + a.splitCount() + " : i64, " + groups(a.groups(), a.channel()));
    }

    @Override
    public String constant(HloOp.Constant c) {
      return name(c.result()) + " = stablehlo.constant dense<" + literal(c.value(), c.result().type().dtype()) + "> : " + type(c.result().type());
    }

    @Override
    public String intTable(HloOp.IntTable t) {
      return name(t.result()) + " = stablehlo.constant dense<" + nested(t.values(), t.result().type().dims(), 0, 0) + "> : " + type(t.result().type());
    }

    @Override
    public String iota(HloOp.Iota i) {
      return name(i.result()) + " = stablehlo.iota dim = " + i.dimension() + " : " + type(i.result().type());
    }

    @Override
    public String elementwise(HloOp.Elementwise e) {
      return generic(e, e.fn().opName(), "");
    }

    @Override
    public String compare(HloOp.Compare c) {
      return generic(c, "stablehlo.compare", "comparison_direction = #stablehlo<comparison_direction " + c.direction()
          + ">, compare_type = #stablehlo<comparison_type " + c.type() + ">");
    }

    @Override
    public String convert(HloOp.Convert c) {
      return generic(c, "stablehlo.convert", "");
    }

    @Override
    public String reshape(HloOp.Reshape r) {
      return generic(r, "stablehlo.reshape", "");
    }

    @Override
    public String transpose(HloOp.Transpose t) {
      return generic(t, "stablehlo.transpose", "permutation = " + i64s(t.permutation()));
    }

    @Override
    public String broadcastInDim(HloOp.BroadcastInDim b) {
      return generic(b, "stablehlo.broadcast_in_dim", "broadcast_dimensions = " + i64s(b.dimensions()));
    }

    @Override
    public String dotGeneral(HloOp.DotGeneral d) {
      return generic(d, "stablehlo.dot_general", "dot_dimension_numbers = #stablehlo.dot<"
          + join(List.of(field("lhs_batching_dimensions", d.lhsBatch()), field("rhs_batching_dimensions", d.rhsBatch()),
              field("lhs_contracting_dimensions", d.lhsContract()), field("rhs_contracting_dimensions", d.rhsContract()))) + ">");
    }

    @Override
    public String reduce(HloOp.Reduce r) {
      return StableHloPrinter.this.reduce(r, n);
    }

    @Override
    public String cumulativeSum(HloOp.CumulativeSum c) {
      long length = c.operand().type().dims().get(c.dimension());
      List<Long> window = c.operand().type().dims().stream().map(x -> 1L).collect(Collectors.toList());
      window.set(c.dimension(), length);
      List<String> pads = new java.util.ArrayList<>(c.operand().type().dims().stream().map(x -> "[0, 0]").toList());
      pads.set(c.dimension(), "[" + (length - 1) + ", 0]");
      String padding = "dense<[" + String.join(", ", pads) + "]> : tensor<" + pads.size() + "x2xi64>";
      return generic(c.result(), "stablehlo.reduce_window", c.operands(),
          "window_dimensions = " + longs(window) + ", padding = " + padding, region(HloOp.Combiner.ADD, c.result().type().dtype()));
    }

    @Override
    public String pad(HloOp.Pad p) {
      return generic(p, "stablehlo.pad", "edge_padding_low = " + longs(p.low()) + ", edge_padding_high = " + longs(p.high())
          + ", interior_padding = " + longs(p.low().stream().map(x -> 0L).toList()));
    }

    @Override
    public String concatenate(HloOp.Concatenate c) {
      return generic(c, "stablehlo.concatenate", "dimension = " + c.dimension() + " : i64");
    }

    @Override
    public String gather(HloOp.Gather g) {
      return generic(g, "stablehlo.gather", "dimension_numbers = #stablehlo.gather<" + join(List.of(field("offset_dims", g.offsetDims()),
          field("collapsed_slice_dims", g.collapsedSliceDims()), field("start_index_map", g.startIndexMap()),
          "index_vector_dim = " + g.indexVectorDim())) + ">, indices_are_sorted = false, slice_sizes = " + longs(g.sliceSizes()));
    }

    @Override
    public String scatterAdd(HloOp.ScatterAdd s) {
      return generic(s.result(), "stablehlo.scatter", s.operands(), "indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<"
          + join(List.of(field("update_window_dims", s.updateWindowDims()), field("inserted_window_dims", s.insertedWindowDims()),
              field("scatter_dims_to_operand_dims", s.scatterDimsToOperandDims()), "index_vector_dim = " + s.indexVectorDim()))
          + ">, unique_indices = false", region(HloOp.Combiner.ADD, s.result().type().dtype()));
    }
  }

  /** Row-major {@code values} as nested lists of {@code dims}: [[0, 1], [2, 3]]. */
  private static String nested(List<Integer> values, List<Long> dims, int axis, int offset) {
    if (axis == dims.size()) return String.valueOf(values.get(offset));
    long stride = 1;
    for (int i = axis + 1; i < dims.size(); i++) stride *= dims.get(i);
    List<String> parts = new java.util.ArrayList<>();
    for (int k = 0; k < dims.get(axis); k++) parts.add(nested(values, dims, axis + 1, (int) (offset + k * stride)));
    return "[" + String.join(", ", parts) + "]";
  }

  /** Replica groups of partition ids in the dense form, and a cross-partition channel (type 1). */
  private static String groups(List<List<Integer>> groups, int channel) {
    String rows = groups.stream().map(g -> g.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"))).collect(Collectors.joining(", "));
    return "replica_groups = dense<[" + rows + "]> : tensor<" + groups.size() + "x" + groups.get(0).size()
        + "xi64>, channel_handle = #stablehlo.channel_handle<handle = " + channel + ", type = 1>";
  }

  private String reduce(HloOp.Reduce r, String n) {
    List<HloValue> operands = new java.util.ArrayList<>(r.operands());
    operands.addAll(r.inits());
    String attrs = "dimensions = " + i64s(r.dimensions());
    if (r.combiner() != HloOp.Combiner.ARGMAX)
      return generic(r.result(), "stablehlo.reduce", operands, attrs, region(r.combiner(), r.result().type().dtype()));
    // Two results, (max value, index): printed as %N:2 and used as %N#0 and %N#1 (named so in function()).
    String base = n;
    HloType vt = r.operands().get(0).type().scalar(), it = r.operands().get(1).type().scalar();
    String v = type(vt), i = type(it);
    String region = "({\n"
        + "      ^bb0(%a: " + v + ", %ai: " + i + ", %b: " + v + ", %bi: " + i + "):\n"
        + "        %gt = stablehlo.compare GT, %a, %b, FLOAT : (" + v + ", " + v + ") -> tensor<i1>\n"
        + "        %eq = stablehlo.compare EQ, %a, %b, FLOAT : (" + v + ", " + v + ") -> tensor<i1>\n"
        + "        %lt = stablehlo.compare LT, %ai, %bi, SIGNED : (" + i + ", " + i + ") -> tensor<i1>\n"
        + "        %tie = stablehlo.and %eq, %lt : tensor<i1>\n"
        + "        %pick = stablehlo.or %gt, %tie : tensor<i1>\n"
        + "        %mv = stablehlo.select %pick, %a, %b : tensor<i1>, " + v + "\n"
        + "        %mi = stablehlo.select %pick, %ai, %bi : tensor<i1>, " + i + "\n"
        + "        stablehlo.return %mv, %mi : " + v + ", " + i + "\n"
        + "    })";
    return base + ":2 = \"stablehlo.reduce\"(" + operands.stream().map(this::name).collect(Collectors.joining(", ")) + ")"
        + region + " {" + attrs + "} : (" + operands.stream().map(o -> type(o.type())).collect(Collectors.joining(", ")) + ") -> ("
        + type(r.valueResult().type()) + ", " + type(r.result().type()) + ")";
  }

  private static String region(HloOp.Combiner c, DType dt) {
    String t = "tensor<" + dt.mlir() + ">";
    String fn = c.fn().opName();
    return " ({\n      ^bb0(%a: " + t + ", %b: " + t + "):\n        %r = " + fn + " %a, %b : " + t
        + "\n        stablehlo.return %r : " + t + "\n    })";
  }

  private static String field(String key, List<Integer> values) {
    return values.isEmpty() ? "" : key + " = " + values;
  }

  private static String join(List<String> fields) {
    return fields.stream().filter(s -> !s.isEmpty()).collect(Collectors.joining(", "));
  }

  private static String i64s(List<Integer> v) {
    return "array<i64" + (v.isEmpty() ? "" : ": " + v.stream().map(String::valueOf).collect(Collectors.joining(", "))) + ">";
  }

  private static String longs(List<Long> v) {
    return "array<i64" + (v.isEmpty() ? "" : ": " + v.stream().map(String::valueOf).collect(Collectors.joining(", "))) + ">";
  }

  /**
   * An exact literal of {@code value} in {@code dtype}: integers in decimal, floats as the hex bit
   * pattern unless they are small integers (which read better and are exact).
   */
  static String literal(double value, DType dtype) {
    switch (dtype) {
      case I32:
      case U32:
        return Long.toString((long) value);
      case PRED:
        return value != 0 ? "true" : "false";
      case F32: {
        float f = (float) value;
        if (f == Math.rint(f) && Math.abs(f) < (1 << 24) && !(f == 0 && 1 / f < 0)) return String.format(java.util.Locale.ROOT, "%.1f", f);
        return String.format(java.util.Locale.ROOT, "0x%08X", Float.floatToRawIntBits(f));
      }
      case F64: {
        if (value == Math.rint(value) && Math.abs(value) < (1L << 53) && !(value == 0 && 1 / value < 0))
          return String.format(java.util.Locale.ROOT, "%.1f", value);
        return String.format(java.util.Locale.ROOT, "0x%016X", Double.doubleToRawLongBits(value));
      }
      case BF16: {
        float f = Bf16Bits.round((float) value);
        if (f == Math.rint(f) && Math.abs(f) < 256 && !(f == 0 && 1 / f < 0)) return String.format(java.util.Locale.ROOT, "%.1f", f);
        return String.format(java.util.Locale.ROOT, "0x%04X", Float.floatToRawIntBits(f) >>> 16);
      }
    }
    throw new AssertionError(dtype);
  }
}
