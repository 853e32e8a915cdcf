package dev.switchc.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A minimal JSON writer for the few small documents switchc writes (stats, summaries). */
public final class Json {
  private Json() {}

  /** Maps keep their iteration order, so equal inputs give byte-identical output. */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, "");
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, String indent) {
    if (v == null) sb.append("null");
    else if (v instanceof String s) string(sb, s);
    else if (v instanceof Boolean b) sb.append(b);
    else if (v instanceof Integer || v instanceof Long) sb.append(v);
    else if (v instanceof Number n) {
      double d = n.doubleValue();
      if (!Double.isFinite(d)) sb.append("null");
      else sb.append(v instanceof Float f ? Float.toString(f) : Double.toString(d));
    } else if (v instanceof Map<?, ?> m) {
      sb.append("{");
      String inner = indent + "  ";
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "\n" : ",\n").append(inner);
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), inner);
      }
      sb.append(first ? "}" : "\n" + indent + "}");
    } else if (v instanceof List<?> l) {
      sb.append("[");
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(", ");
        write(sb, l.get(i), indent);
      }
      sb.append("]");
    } else throw new IllegalArgumentException("not a JSON value: " + v.getClass());
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
