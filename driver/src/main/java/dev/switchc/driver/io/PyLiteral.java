package dev.switchc.driver.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser for the Python literal subset found in .npy headers: dicts with string keys, tuples,
 * lists, strings, integers (with the Python 2 'L' suffix old numpy wrote), True, False and None.
 * Values map to Map (insertion order), {@link Tuple}, List, String, BigInteger, Boolean and null.
 * Duplicate dict keys are rejected rather than silently overwritten as Python would.
 */
final class PyLiteral {
  private static final int MAX_DEPTH = 64;

  /** A Python tuple, kept distinct from a list because numpy requires the shape to be a tuple. */
  record Tuple(List<Object> items) {}

  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(String message, int offset) {
      super(message + " at character " + offset);
    }
  }

  private final String s;
  private int pos;

  private PyLiteral(String s) {
    this.s = s;
  }

  static Object parse(String text) throws SyntaxException {
    PyLiteral p = new PyLiteral(text);
    p.skipSpace();
    Object value = p.value(0);
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected " + p.describeNext() + " after the literal");
    }
    return value;
  }

  private Object value(int depth) throws SyntaxException {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    if (pos >= s.length()) {
      throw error("unexpected end of header");
    }
    char c = s.charAt(pos);
    if (c == '{') {
      return dict(depth);
    } else if (c == '(') {
      return parenthesized(depth);
    } else if (c == '[') {
      pos++;
      return new ArrayList<>(items(']', depth));
    } else if (c == '\'' || c == '"') {
      return string();
    } else if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
      return integer();
    } else if (Character.isLetter(c)) {
      return keyword();
    }
    throw error("unexpected " + describeNext());
  }

  private Map<String, Object> dict(int depth) throws SyntaxException {
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    while (true) {
      skipSpace();
      if (peek('}')) {
        pos++;
        return map;
      }
      int keyAt = pos;
      if (!(peek('\'') || peek('"'))) {
        throw error("expected a string key or '}' but found " + describeNext());
      }
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      Object v = value(depth + 1);
      if (map.containsKey(key)) {
        throw new SyntaxException("duplicate key '" + key + "'", keyAt);
      }
      map.put(key, v);
      skipSpace();
      if (peek(',')) {
        pos++; // a trailing comma before '}' is legal Python and numpy writes one
      } else if (!peek('}')) {
        throw error("expected ',' or '}' but found " + describeNext());
      }
    }
  }

  /** {@code ()} and {@code (x,)} are tuples; {@code (x)} is just x, as in Python. */
  private Object parenthesized(int depth) throws SyntaxException {
    pos++; // '('
    skipSpace();
    if (peek(')')) {
      pos++;
      return new Tuple(List.of());
    }
    Object first = value(depth + 1);
    skipSpace();
    if (peek(')')) {
      pos++;
      return first;
    }
    expect(',');
    List<Object> rest = items(')', depth);
    List<Object> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return new Tuple(all);
  }

  /** Comma-separated values up to {@code close}, trailing comma allowed; the opener is consumed. */
  private List<Object> items(char close, int depth) throws SyntaxException {
    List<Object> out = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek(close)) {
        pos++;
        return out;
      }
      out.add(value(depth + 1));
      skipSpace();
      if (peek(',')) {
        pos++;
      } else if (!peek(close)) {
        throw error("expected ',' or '" + close + "' but found " + describeNext());
      }
    }
  }

  private String string() throws SyntaxException {
    char quote = s.charAt(pos++);
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == quote) {
        return b.toString();
      }
      if (c == '\n' || c == '\r') {
        throw error("line break inside a string");
      }
      if (c == '\\') {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '\\', '\'', '"' -> b.append(e);
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case '0' -> b.append('\0');
          default -> throw error("unsupported escape '\\" + e + "' in string");
        }
      } else {
        b.append(c);
      }
    }
  }

  private BigInteger integer() throws SyntaxException {
    int start = pos;
    if (peek('-') || peek('+')) {
      pos++;
    }
    int digits = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == digits) {
      throw error("expected digits after sign");
    }
    BigInteger v = new BigInteger(s.substring(start, pos));
    if (peek('L') || peek('l')) {
      pos++; // Python 2 long suffix
    }
    if (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
      throw error("unsupported number syntax near " + describeNext());
    }
    return v;
  }

  private Object keyword() throws SyntaxException {
    int start = pos;
    while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
      pos++;
    }
    String word = s.substring(start, pos);
    return switch (word) {
      case "True" -> Boolean.TRUE;
      case "False" -> Boolean.FALSE;
      case "None" -> null;
      default -> throw new SyntaxException("unexpected name '" + word + "'", start);
    };
  }

  private void expect(char c) throws SyntaxException {
    if (!peek(c)) {
      throw error("expected '" + c + "' but found " + describeNext());
    }
    pos++;
  }

  private boolean peek(char c) {
    return pos < s.length() && s.charAt(pos) == c;
  }

  private void skipSpace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
        return;
      }
      pos++;
    }
  }

  private String describeNext() {
    if (pos >= s.length()) {
      return "end of header";
    }
    char c = s.charAt(pos);
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private SyntaxException error(String message) {
    return new SyntaxException(message, pos);
  }
}
