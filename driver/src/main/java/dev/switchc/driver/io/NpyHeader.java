package dev.switchc.driver.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated .npy preamble and header. Construction via {@link #read} guarantees the element
 * type is supported, the element count fits a Java array and the data section has exactly the
 * right length.
 */
record NpyHeader(int major, int minor, String descr, ElementType type, ByteOrder order,
    boolean fortranOrder, long[] shape, int count, long dataOffset) {

  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy itself refuses headers above 10000 bytes by default; allow more but stay bounded. */
  static final int MAX_HEADER_BYTES = 1 << 20;
  private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
  private static final String SUPPORTED =
      "float32, float64, int32 or int64 ('<f4', '<f8', '<i4', '<i8', or big-endian '>f4', '>f8', '>i4', '>i8')";

  static NpyHeader read(FileChannel ch, Path file) throws IOException {
    long size = ch.size();
    ByteBuffer pre = ByteBuffer.allocate((int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
    ElementIo.readFully(ch, file, pre, 0);
    byte[] b = pre.array();
    checkMagic(file, b);
    if (b.length < 10) {
      throw new TensorFileException(file, "truncated .npy preamble: the file has only " + size
          + " bytes, fewer than the 10 every .npy file starts with");
    }
    int major = b[6] & 0xff;
    int minor = b[7] & 0xff;
    if (minor != 0 || major < 1 || major > 3) {
      throw new TensorFileException(file, "unsupported .npy format version " + major + "." + minor
          + " (expected 1.0, 2.0 or 3.0)");
    }
    int prefix = major == 1 ? 10 : 12; // version 1 has a 2-byte header length, later ones 4
    if (size < prefix) {
      throw new TensorFileException(file, "truncated .npy preamble: version " + major
          + ".0 needs " + prefix + " bytes but the file has " + size);
    }
    long headerLen = major == 1 ? pre.getShort(8) & 0xffffL : pre.getInt(8) & 0xffff_ffffL;
    if (headerLen > size - prefix) {
      throw new TensorFileException(file, "truncated header: the preamble announces " + headerLen
          + " header bytes but only " + (size - prefix) + " follow");
    }
    if (headerLen > MAX_HEADER_BYTES) {
      throw new TensorFileException(file, "header length " + headerLen
          + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    ElementIo.readFully(ch, file, hb, prefix);
    String text = decode(file, hb.flip(), major);
    long dataOffset = prefix + headerLen;
    return interpret(file, major, minor, text, dataOffset, size - dataOffset);
  }

  private static void checkMagic(Path file, byte[] b) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= b.length || b[i] != MAGIC[i]) {
        String hint = b.length >= 2 && b[0] == 'P' && b[1] == 'K'
            ? " (this looks like a zip archive, e.g. an .npz file; extract the .npy members first)" : "";
        throw new TensorFileException(file, "not a .npy file: expected the magic string \\x93NUMPY"
            + " but the file starts with " + escape(b, Math.min(b.length, 8)) + hint);
      }
    }
  }

  /** Versions 1 and 2 use latin-1 headers, version 3 UTF-8 (numpy's definition). */
  private static String decode(Path file, ByteBuffer bytes, int major) {
    if (major < 3) {
      return StandardCharsets.ISO_8859_1.decode(bytes).toString();
    }
    return ElementIo.strictUtf8(file, bytes, "version 3.0 header");
  }

  private static NpyHeader interpret(Path file, int major, int minor, String text,
      long dataOffset, long dataBytes) {
    Object parsed;
    try {
      parsed = PyLiteral.parse(text);
    } catch (PyLiteral.SyntaxException e) {
      throw bad(file, "malformed header: " + e.getMessage(), text);
    }
    if (!(parsed instanceof Map<?, ?> dict)) {
      throw bad(file, "header is not a Python dict literal", text);
    }
    for (Object key : dict.keySet()) {
      if (!KEYS.contains(key)) {
        throw bad(file, "unexpected header key '" + key + "' (expected exactly 'descr', 'fortran_order', 'shape')", text);
      }
    }
    for (String key : List.of("descr", "fortran_order", "shape")) {
      if (!dict.containsKey(key)) {
        throw bad(file, "header lacks the key '" + key + "'", text);
      }
    }
    Object descrValue = dict.get("descr");
    if (!(descrValue instanceof String descr)) {
      throw bad(file, "unsupported dtype " + pyRepr(descrValue)
          + " (structured dtypes are not supported); expected " + SUPPORTED, text);
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw bad(file, "'fortran_order' must be True or False, found " + pyRepr(dict.get("fortran_order")), text);
    }
    long[] shape = shape(file, dict.get("shape"), text);

    ByteOrder order;
    ElementType type;
    if (descr.length() != 3) {
      throw unsupported(file, descr);
    }
    switch (descr.charAt(0)) {
      case '<' -> order = ByteOrder.LITTLE_ENDIAN;
      case '>' -> order = ByteOrder.BIG_ENDIAN;
      case '=' -> order = ByteOrder.nativeOrder(); // hand-written files; numpy writes explicit orders
      default -> throw unsupported(file, descr);
    }
    switch (descr.substring(1)) {
      case "f4" -> type = ElementType.F32;
      case "f8" -> type = ElementType.F64;
      case "i4" -> type = ElementType.I32;
      case "i8" -> type = ElementType.I64;
      default -> throw unsupported(file, descr);
    }

    long count = Shapes.elementCount(shape);
    if (count < 0 || count > Integer.MAX_VALUE) {
      throw new TensorFileException(file, "shape " + Shapes.format(shape) + " has "
          + (count < 0 ? "more than Long.MAX_VALUE" : Long.toString(count))
          + " elements; at most " + Integer.MAX_VALUE + " fit in a Java array");
    }
    long expected = count * type.size;
    if (dataBytes != expected) {
      throw new TensorFileException(file, "data section has " + dataBytes + " bytes but shape "
          + Shapes.format(shape) + " of '" + descr + "' needs " + expected
          + (dataBytes < expected ? " (file truncated?)" : " (trailing bytes)"));
    }
    return new NpyHeader(major, minor, descr, type, order, fortran, shape, (int) count, dataOffset);
  }

  private static long[] shape(Path file, Object value, String text) {
    if (!(value instanceof PyLiteral.Tuple tuple)) {
      throw bad(file, "'shape' must be a tuple of non-negative integers, found " + pyRepr(value), text);
    }
    long[] shape = new long[tuple.items().size()];
    for (int i = 0; i < shape.length; i++) {
      Object d = tuple.items().get(i);
      if (!(d instanceof BigInteger bi) || bi.signum() < 0 || bi.bitLength() > 63) {
        throw bad(file, "'shape' must be a tuple of non-negative integers below 2^63, found "
            + pyRepr(value), text);
      }
      shape[i] = bi.longValue();
    }
    return shape;
  }

  private static TensorFileException unsupported(Path file, String descr) {
    return new TensorFileException(file, "unsupported dtype '" + descr + "'; expected " + SUPPORTED);
  }

  private static TensorFileException bad(Path file, String problem, String header) {
    String shown = header.strip();
    if (shown.length() > 200) {
      shown = shown.substring(0, 200) + "...";
    }
    return new TensorFileException(file, problem + "; header was: " + escape(shown));
  }

  /** Python-like rendering of a parsed value for messages. */
  static String pyRepr(Object v) {
    if (v == null) {
      return "None";
    } else if (v instanceof String str) {
      return "'" + escape(str) + "'";
    } else if (v instanceof Boolean bool) {
      return bool ? "True" : "False";
    } else if (v instanceof PyLiteral.Tuple t) {
      StringBuilder b = new StringBuilder("(");
      for (int i = 0; i < t.items().size(); i++) {
        b.append(i > 0 ? ", " : "").append(pyRepr(t.items().get(i)));
      }
      return b.append(t.items().size() == 1 ? ",)" : ")").toString();
    } else if (v instanceof List<?> list) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        b.append(i > 0 ? ", " : "").append(pyRepr(list.get(i)));
      }
      return b.append(']').toString();
    } else if (v instanceof Map<?, ?> map) {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.append(first ? "" : ", ").append(pyRepr(e.getKey())).append(": ").append(pyRepr(e.getValue()));
        first = false;
      }
      return b.append('}').toString();
    }
    return String.valueOf(v);
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.toString();
  }

  private static String escape(byte[] bytes, int n) {
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < n; i++) {
      int c = bytes[i] & 0xff;
      b.append(c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' ? Character.toString(c) : String.format("\\x%02x", c));
    }
    return b.append(n == 0 ? "' (empty file)" : "'").toString();
  }
}
