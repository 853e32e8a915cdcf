package dev.switchc.driver.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON header
 * mapping tensor names to {dtype, shape, data_offsets} (plus an optional {@code __metadata__}
 * string map), then the data buffer, which the tensors' offsets must tile exactly.
 * Reads F32, BF16 and F16 (widened exactly to float); writes F32. Malformed or unsupported files
 * raise {@link TensorFileException}.
 */
public final class Safetensors {
  /** The reference implementation's limit; protects against absurd allocations. */
  static final long MAX_HEADER_BYTES = 100_000_000;
  static final String METADATA_KEY = "__metadata__";

  private Safetensors() {}

  private record Entry(String name, ElementType type, long[] shape, int count, long begin, long end) {}

  public static SafetensorsFile read(Path file) throws IOException {
    return read(file, shapes -> { });
  }

  /**
   * Reads {@code file}, first showing {@code beforeData} every tensor's name and shape from the
   * header, which may refuse them (by throwing) before any tensor data is read or allocated.
   */
  public static SafetensorsFile read(Path file, java.util.function.Consumer<Map<String, long[]>> beforeData) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new TensorFileException(file, "file has only " + size
            + " bytes; a safetensors file starts with an 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ElementIo.readFully(ch, file, lenBuf, 0);
      long n = lenBuf.getLong(0);
      if (n < 0 || n > MAX_HEADER_BYTES) {
        throw new TensorFileException(file, "header length " + Long.toUnsignedString(n)
            + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
      }
      if (n > size - 8) {
        throw new TensorFileException(file, "header length " + n + " exceeds the "
            + (size - 8) + " bytes that follow the length field (file truncated?)");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
      ElementIo.readFully(ch, file, headerBytes, 8);
      String header = ElementIo.strictUtf8(file, headerBytes.flip(), "header");
      if (!header.startsWith("{")) {
        throw new TensorFileException(file, "header must be a JSON object starting with '{', found "
            + excerpt(header));
      }
      Object json;
      try {
        json = Json.parse(header);
      } catch (Json.JsonException e) {
        throw new TensorFileException(file, "malformed JSON header: " + e.getMessage(), e);
      }
      if (!(json instanceof Map<?, ?> top)) {
        throw new TensorFileException(file, "header is not a JSON object");
      }

      Map<String, String> metadata = new LinkedHashMap<>();
      List<Entry> entries = new ArrayList<>();
      for (Map.Entry<?, ?> e : top.entrySet()) {
        String name = (String) e.getKey();
        if (name.equals(METADATA_KEY)) {
          metadata = metadata(file, e.getValue());
        } else {
          entries.add(entry(file, name, e.getValue()));
        }
      }
      checkTiling(file, entries, size - 8 - n);
      Map<String, long[]> shapes = new LinkedHashMap<>();
      for (Entry t : entries) shapes.put(t.name(), t.shape().clone());
      beforeData.accept(java.util.Collections.unmodifiableMap(shapes));

      long dataStart = 8 + n;
      Map<String, FloatArray> tensors = new LinkedHashMap<>();
      for (Entry t : entries) {
        float[] data = ElementIo.readFloats(ch, file, dataStart + t.begin(), t.count(),
            t.type(), ByteOrder.LITTLE_ENDIAN);
        tensors.put(t.name(), new FloatArray(t.shape(), data));
      }
      return new SafetensorsFile(tensors, metadata);
    }
  }

  private static Entry entry(Path file, String name, Object value) {
    String what = "tensor '" + name + "'";
    if (!(value instanceof Map<?, ?> info)) {
      throw new TensorFileException(file, what + ": expected an object with dtype, shape and data_offsets, found "
          + jsonType(value));
    }
    // Unknown extra keys are ignored, as by the reference implementation.
    if (!(info.get("dtype") instanceof String dtype)) {
      throw new TensorFileException(file, what + ": 'dtype' must be a string, found " + jsonType(info.get("dtype")));
    }
    ElementType type = switch (dtype) {
      case "F32" -> ElementType.F32;
      case "BF16" -> ElementType.BF16;
      case "F16" -> ElementType.F16;
      default -> throw new TensorFileException(file, what + " has unsupported dtype '" + dtype
          + "'; only F32, BF16 and F16 can be read");
    };
    long[] shape = longs(file, what, "shape", info.get("shape"), -1);
    long[] offsets = longs(file, what, "data_offsets", info.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw new TensorFileException(file, what + ": data_offsets [" + begin + ", " + end + "] end before they begin");
    }
    long count = Shapes.elementCount(shape);
    if (count < 0 || count > Integer.MAX_VALUE) {
      throw new TensorFileException(file, what + ": shape " + Arrays.toString(shape) + " has "
          + (count < 0 ? "more than Long.MAX_VALUE" : Long.toString(count))
          + " elements; at most " + Integer.MAX_VALUE + " fit in a Java array");
    }
    long expected = count * type.size;
    if (end - begin != expected) {
      throw new TensorFileException(file, what + ": data_offsets [" + begin + ", " + end + "] span "
          + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of " + dtype
          + " needs " + expected);
    }
    return new Entry(name, type, shape, (int) count, begin, end);
  }

  /** Non-negative integers in a JSON array; {@code arity} < 0 means any length. */
  private static long[] longs(Path file, String what, String key, Object value, int arity) {
    String expected = arity < 0 ? "an array of non-negative integers"
        : "an array of " + arity + " non-negative integers";
    if (!(value instanceof List<?> list) || (arity >= 0 && list.size() != arity)) {
      throw new TensorFileException(file, what + ": '" + key + "' must be " + expected + ", found " + jsonType(value));
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = list.get(i);
      if (!(v instanceof Long l) || l < 0) {
        throw new TensorFileException(file, what + ": '" + key + "' must be " + expected
            + ", found element " + (v instanceof Number ? v : jsonType(v)));
      }
      out[i] = l;
    }
    return out;
  }

  private static Map<String, String> metadata(Path file, Object value) {
    Map<String, String> out = new LinkedHashMap<>();
    if (value == null) {
      return out; // the reference implementation models metadata as optional
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new TensorFileException(file, "'" + METADATA_KEY + "' must be an object of strings, found " + jsonType(value));
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new TensorFileException(file, "'" + METADATA_KEY + "' value for key '" + e.getKey()
            + "' must be a string, found " + jsonType(e.getValue()));
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }

  /** The tensors, sorted by offset, must cover the buffer exactly: no gaps, overlaps or overhang. */
  private static void checkTiling(Path file, List<Entry> entries, long bufferBytes) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long next = 0;
    Entry previous = null;
    for (Entry t : sorted) {
      if (t.end() > bufferBytes) {
        throw new TensorFileException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", "
            + t.end() + "] lie outside the " + bufferBytes + "-byte data buffer (file truncated?)");
      }
      if (t.begin() < next) {
        throw new TensorFileException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", "
            + t.end() + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
      }
      if (t.begin() > next) {
        throw new TensorFileException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", "
            + t.end() + "] leave bytes [" + next + ", " + t.begin() + ") of the data buffer unused");
      }
      next = t.end();
      previous = t;
    }
    if (next != bufferBytes) {
      throw new TensorFileException(file, "the tensors cover " + next + " bytes but the data buffer has "
          + bufferBytes + " (bytes [" + next + ", " + bufferBytes + ") are unused)");
    }
  }

  /**
   * Writes F32 tensors, atomically and deterministically: tensors sorted by name (the
   * reference's order for a single dtype), metadata keys sorted, compact JSON, header padded
   * with spaces to a multiple of 8. Empty metadata is omitted.
   */
  public static void write(Path file, Map<String, FloatArray> tensors, Map<String, String> metadata)
      throws IOException {
    AtomicFile.write(file, writer(tensors, metadata));
  }

  /** What {@link #write} writes, for an {@link AtomicFile.Batch}. */
  public static IoConsumer<OutputStream> writer(Map<String, FloatArray> tensors, Map<String, String> metadata) {
    Objects.requireNonNull(tensors, "tensors");
    Objects.requireNonNull(metadata, "metadata");
    List<String> names = new ArrayList<>(tensors.keySet());
    names.sort(Safetensors::compareCodePoints);
    byte[] header = header(names, tensors, metadata);
    return out -> {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
      out.write(header);
      for (String name : names) {
        ElementIo.writeFloatsLe(out, tensors.get(name).data());
      }
    };
  }

  public static void write(Path file, SafetensorsFile contents) throws IOException {
    write(file, contents.tensors(), contents.metadata());
  }

  /** The header: metadata (keys by code point, as the Rust writer sorts them), then each tensor; padded with spaces to 8 bytes. */
  private static byte[] header(List<String> names, Map<String, FloatArray> tensors, Map<String, String> metadata) {
    Map<String, Object> header = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      List<String> keys = new ArrayList<>(metadata.keySet());
      keys.sort(Safetensors::compareCodePoints);
      Map<String, Object> m = new LinkedHashMap<>();
      for (String k : keys) m.put(k, Objects.requireNonNull(metadata.get(k), "metadata value"));
      header.put(METADATA_KEY, m);
    }
    long offset = 0;
    for (String name : names) {
      if (name.equals(METADATA_KEY)) {
        throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
      }
      FloatArray t = Objects.requireNonNull(tensors.get(name), "tensor");
      long bytes = (long) t.data().length * Float.BYTES;
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("dtype", "F32");
      info.put("shape", Arrays.stream(t.shape()).boxed().toList());
      info.put("data_offsets", List.of(offset, offset + bytes));
      header.put(name, info);
      offset += bytes;
    }
    byte[] bytes = encodeUtf8(Json.writeCompact(header));
    byte[] padded = Arrays.copyOf(bytes, (bytes.length + 7) / 8 * 8);
    Arrays.fill(padded, bytes.length, padded.length, (byte) ' ');
    return padded;
  }

  /** Code point order equals the reference's UTF-8 byte order; String.compareTo (UTF-16) does not. */
  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** Strict: a name with an unpaired surrogate cannot be stored faithfully, so refuse it. */
  private static byte[] encodeUtf8(CharSequence s) {
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      return Arrays.copyOf(b.array(), b.limit());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("tensor name or metadata is not valid Unicode (unpaired surrogate)", e);
    }
  }

  private static String jsonType(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof Map) {
      return "an object";
    } else if (v instanceof List) {
      return "an array";
    } else if (v instanceof String s) {
      return "the string " + excerpt(s);
    } else if (v instanceof Boolean) {
      return "the boolean " + v;
    }
    return "the number " + v;
  }

  private static String excerpt(String s) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    StringBuilder b = new StringBuilder("\"");
    for (char c : shown.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u%04x", (int) c));
    }
    return b.append('"').toString();
  }
}
