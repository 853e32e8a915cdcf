package dev.switchc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text {@link IrPrinter} writes back into a {@link Func}, so that tests can write
 * functions (well formed or deliberately not) as text blocks. It checks syntax only: the result is
 * not verified, and an operand may even name a value defined further down (its type is taken from
 * that definition), which lets a test build an SSA violation. Each op is located at its line in
 * {@code file}; comments ({@code //} to the end of a line) are ignored.
 */
public final class IrParser {
  private IrParser() {}

  private static final Pattern HEADER = Pattern.compile("func @([\\w.]+)\\(");
  private static final Pattern PARAM = Pattern.compile("%(\\d+) \"([^\"]*)\": (.+)");
  private static final Pattern OP = Pattern.compile("%(\\d+) = ([a-z_]+)(\\.[a-z]+)?(\\[[^\\]]*\\])?( [^:]*?)? : (.+)");
  private static final Pattern RESULT = Pattern.compile("\"([^\"]*)\" = %(\\d+)");
  private static final Pattern TYPE = Pattern.compile("([a-z0-9]+)\\[(.*)\\]");

  /** Thrown for text that is not printed IR; the message starts with {@code file:line}. */
  public static final class IrSyntaxError extends IllegalArgumentException {
    IrSyntaxError(String message) {
      super(message);
    }
  }

  /** The function {@code text} prints; {@code file} names it in locations and errors. */
  public static Func parse(String file, String text) {
    List<String> lines = text.lines().toList();
    Map<Integer, TensorType> types = new HashMap<>();
    // First pass: the type of every value, so operands may refer to any definition.
    for (int i = 0; i < lines.size(); i++) {
      String line = strip(lines.get(i));
      Matcher p = PARAM.matcher(line), o = OP.matcher(line);
      if (p.matches()) types.putIfAbsent(Integer.parseInt(p.group(1)), type(p.group(3), file, i));
      else if (o.matches()) types.putIfAbsent(Integer.parseInt(o.group(1)), type(o.group(6), file, i));
    }
    String name = null;
    List<Binding> params = new ArrayList<>(), results = new ArrayList<>();
    List<Op> body = new ArrayList<>();
    boolean inParams = false, done = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = strip(lines.get(i));
      if (line.isEmpty()) continue;
      if (done) throw error(file, i, "text after the function's closing brace: " + line);
      Matcher m;
      if (name == null) {
        if (!(m = HEADER.matcher(line)).matches()) throw error(file, i, "expected 'func @name(', got: " + line);
        name = m.group(1);
        inParams = true;
      } else if (inParams && line.equals(") {")) {
        inParams = false;
      } else if (inParams) {
        if (!(m = PARAM.matcher(line)).matches()) throw error(file, i, "expected a parameter '%N \"name\": type', got: " + line);
        int id = Integer.parseInt(m.group(1));
        params.add(new Binding(m.group(2), new Value(id, types.get(id))));
      } else if (line.startsWith("return")) {
        m = RESULT.matcher(line.substring("return".length()));
        while (m.find()) results.add(new Binding(m.group(1), value(types, m.group(2), file, i)));
      } else if (line.equals("}")) {
        done = true;
      } else {
        if (!(m = OP.matcher(line)).matches()) throw error(file, i, "expected an op '%N = name[attrs] operands : type', got: " + line);
        body.add(op(m, types, file, i));
      }
    }
    if (name == null || !done) throw error(file, lines.size() - 1, "the function is not closed with '}'");
    return new Func(name, params, body, results);
  }

  private static String strip(String line) {
    int comment = line.indexOf("//");
    return (comment >= 0 ? line.substring(0, comment) : line).strip();
  }

  private static Op op(Matcher m, Map<Integer, TensorType> types, String file, int line) {
    Value out = new Value(Integer.parseInt(m.group(1)), types.get(Integer.parseInt(m.group(1))));
    String kind = m.group(2), suffix = m.group(3), attrs = m.group(4) == null ? "" : m.group(4);
    String rest = m.group(5) == null ? "" : m.group(5).strip();
    SourceLoc at = new SourceLoc(file, line + 1, 1, "");
    List<String> attr = attrs.isEmpty() ? List.of() : split(attrs.substring(1, attrs.length() - 1));
    List<Value> in = new ArrayList<>();
    if (!kind.equals("constant"))
      for (String operand : split(rest)) in.add(value(types, operand.replaceFirst("^%", ""), file, line));
    Op.UnaryFn unary = enumNamed(Op.UnaryFn.class, kind);
    Op.BinaryFn binary = enumNamed(Op.BinaryFn.class, kind);
    Op.Cmp cmp = enumNamed(Op.Cmp.class, kind);
    if (unary != null) return new Op.Unary(out, unary, operand(in, 0, file, line), at);
    if (binary != null) return new Op.Binary(out, binary, operand(in, 0, file, line), operand(in, 1, file, line), at);
    if (cmp != null) return new Op.Compare(out, cmp, operand(in, 0, file, line), operand(in, 1, file, line), at);
    if (kind.startsWith("reduce_")) {
      Op.ReduceFn fn = enumNamed(Op.ReduceFn.class, kind.substring("reduce_".length()));
      if (fn == null) throw error(file, line, "unknown reduction '" + kind + "'");
      return new Op.Reduce(out, fn, operand(in, 0, file, line), at);
    }
    return switch (kind) {
      case "constant" -> new Op.Constant(out, number(rest, file, line), at);
      case "iota" -> new Op.Iota(out, single(attr, file, line), at);
      case "select" -> new Op.Select(out, operand(in, 0, file, line), operand(in, 1, file, line), operand(in, 2, file, line), at);
      case "cast" -> new Op.Cast(out, operand(in, 0, file, line), at);
      case "einsum" -> new Op.Einsum(out, operand(in, 0, file, line), operand(in, 1, file, line), at);
      case "arg_max" -> new Op.ArgMax(out, operand(in, 0, file, line), single(attr, file, line), at);
      case "one_hot" -> new Op.OneHot(out, operand(in, 0, file, line), single(attr, file, line), at);
      case "cumsum" -> new Op.Cumsum(out, operand(in, 0, file, line), attr.isEmpty() ? "" : attr.get(0),
          attr.size() == 2 && attr.get(1).equals("exclusive"), at);
      case "reshape" -> new Op.Reshape(out, operand(in, 0, file, line), at);
      case "relabel" -> new Op.Relabel(out, operand(in, 0, file, line), at);
      case "gather" -> new Op.Gather(out, operand(in, 0, file, line), indices(attr, types, file, line), at);
      case "scatter_add" -> new Op.ScatterAdd(out, operand(in, 0, file, line), operand(in, 1, file, line), indices(attr, types, file, line), at);
      case "all_reduce" -> {
        Op.ReduceFn fn = suffix == null ? null : enumNamed(Op.ReduceFn.class, suffix.substring(1));
        if (fn == null) throw error(file, line, "all_reduce needs a combiner: all_reduce.sum, .max or .min");
        yield new Op.AllReduce(out, operand(in, 0, file, line), attr, fn, at);
      }
      case "all_gather" -> {
        String[] over = over(attr, file, line);
        yield new Op.AllGather(out, operand(in, 0, file, line), over[1], over[0], at);
      }
      case "local_slice" -> {
        String[] over = over(attr, file, line);
        yield new Op.LocalSlice(out, operand(in, 0, file, line), over[1], over[0], at);
      }
      case "all_to_all" -> {
        if (attr.size() != 2 || !attr.get(0).startsWith("split ") || !attr.get(1).startsWith("concat "))
          throw error(file, line, "all_to_all takes [split DIM, concat DIM over AXIS]");
        String[] over = over(List.of(attr.get(1).substring("concat ".length())), file, line);
        yield new Op.AllToAll(out, operand(in, 0, file, line), over[1], attr.get(0).substring("split ".length()), over[0], at);
      }
      case "device_coordinate" -> new Op.DeviceCoordinate(out, attr, at);
      default -> throw error(file, line, "unknown op '" + kind + "'");
    };
  }

  /** {@code dim over axis}: {dim, axis}. */
  private static String[] over(List<String> attr, String file, int line) {
    String[] parts = attr.size() == 1 ? attr.get(0).split(" over ") : new String[0];
    if (parts.length != 2) throw error(file, line, "expected [DIM over AXIS], got " + attr);
    return parts;
  }

  private static Map<String, Value> indices(List<String> attr, Map<Integer, TensorType> types, String file, int line) {
    Map<String, Value> m = new LinkedHashMap<>();
    for (String a : attr) {
      String[] kv = a.split("=%");
      if (kv.length != 2) throw error(file, line, "expected an index 'dim=%N', got '" + a + "'");
      m.put(kv[0], value(types, kv[1], file, line));
    }
    return m;
  }

  private static String single(List<String> attr, String file, int line) {
    if (attr.size() != 1) throw error(file, line, "expected one dim in brackets, got " + attr);
    return attr.get(0);
  }

  private static Value operand(List<Value> in, int i, String file, int line) {
    if (i >= in.size()) throw error(file, line, "missing operand " + (i + 1));
    return in.get(i);
  }

  private static Value value(Map<Integer, TensorType> types, String id, String file, int line) {
    try {
      int n = Integer.parseInt(id.strip());
      TensorType t = types.get(n);
      if (t == null) throw error(file, line, "%" + n + " is never defined");
      return new Value(n, t);
    } catch (NumberFormatException e) {
      throw error(file, line, "expected a value %N, got '" + id + "'");
    }
  }

  private static double number(String text, String file, int line) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw error(file, line, "expected a number, got '" + text + "'");
    }
  }

  /** {@code f32[group=2, d_model=8]}. */
  static TensorType type(String text, String file, int line) {
    Matcher m = TYPE.matcher(text.strip());
    if (!m.matches()) throw error(file, line, "expected a type such as f32[group=2, d_model=8], got '" + text + "'");
    DType dtype = null;
    for (DType d : DType.values()) if (d.specName().equals(m.group(1))) dtype = d;
    if (dtype == null) throw error(file, line, "unknown dtype '" + m.group(1) + "'");
    List<Dim> dims = new ArrayList<>();
    for (String d : split(m.group(2))) {
      String[] kv = d.split("=");
      if (kv.length != 2) throw error(file, line, "expected a dim name=size, got '" + d + "'");
      dims.add(new Dim(kv[0], Long.parseLong(kv[1])));
    }
    return new TensorType(dtype, new Shape(dims));
  }

  private static List<String> split(String list) {
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) if (!s.isBlank()) out.add(s.strip());
    return out;
  }

  private static <E extends Enum<E>> E enumNamed(Class<E> type, String name) {
    for (E e : type.getEnumConstants()) if (e.name().toLowerCase(Locale.ROOT).equals(name)) return e;
    return null;
  }

  private static IrSyntaxError error(String file, int line, String message) {
    return new IrSyntaxError(file + ":" + (line + 1) + ": " + message);
  }
}
