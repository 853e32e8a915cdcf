package dev.switchc.driver.io;

import static dev.switchc.driver.io.NpyTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir
  Path dir;

  private static Map<String, FloatArray> sample() {
    Map<String, FloatArray> m = new LinkedHashMap<>();
    m.put("w", new FloatArray(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
    m.put("b", new FloatArray(new long[] {3}, new float[] {-1, 0, Float.NaN}));
    m.put("scale", new FloatArray(new long[0], new float[] {0.5f}));
    m.put("empty", new FloatArray(new long[] {0, 4}, new float[0]));
    return m;
  }

  @Test
  void roundTripWithMetadata() throws IOException {
    Path f = dir.resolve("model.safetensors");
    Map<String, String> meta = Map.of("format", "pt", "note", "quote \" backslash \\ newline \n é 🙂");
    Safetensors.write(f, sample(), meta);
    SafetensorsFile read = Safetensors.read(f);
    assertEquals(sample(), read.tensors());
    assertEquals(meta, read.metadata());
    // Written, hence read, in name order.
    assertEquals(List.of("b", "empty", "scale", "w"), List.copyOf(read.tensors().keySet()));
  }

  @Test
  void outputIsDeterministicAndCompact() throws IOException {
    Map<String, FloatArray> reversed = new LinkedHashMap<>();
    List<String> names = List.copyOf(sample().keySet());
    for (int i = names.size() - 1; i >= 0; i--) {
      reversed.put(names.get(i), sample().get(names.get(i)));
    }
    Map<String, String> meta1 = new LinkedHashMap<>();
    meta1.put("b", "2");
    meta1.put("a", "1");
    Map<String, String> meta2 = new LinkedHashMap<>();
    meta2.put("a", "1");
    meta2.put("b", "2");
    Path f1 = dir.resolve("one.safetensors");
    Path f2 = dir.resolve("two.safetensors");
    Safetensors.write(f1, sample(), meta1);
    Safetensors.write(f2, reversed, meta2);
    byte[] bytes = Files.readAllBytes(f1);
    assertArrayEquals(bytes, Files.readAllBytes(f2));

    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8, "header padded to a multiple of 8");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    String json = "{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
        + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[12,12]},"
        + "\"scale\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]}}";
    assertEquals(json + " ".repeat((int) n - json.length()), header);
    assertEquals(8 + n + 40, bytes.length);
    assertEquals(1f, ByteBuffer.wrap(bytes, (int) (8 + n + 16), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
  }

  @Test
  void emptyMetadataIsOmitted() throws IOException {
    Path f = dir.resolve("nometa.safetensors");
    Safetensors.write(f, Map.of("x", new FloatArray(new long[] {1}, new float[] {2})), Map.of());
    byte[] b = Files.readAllBytes(f);
    String header = new String(b, 8, b.length - 12, StandardCharsets.UTF_8);
    // 54 bytes of JSON, padded with 2 spaces to 56
    assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ", header);
    assertEquals(Map.of(), Safetensors.read(f).metadata());
  }

  @Test
  void readsBf16AndF16Exactly() throws IOException {
    short[] bf16 = {0x3f80, (short) 0xc040, 0x7f80, (short) 0xff80, 0x0001, (short) 0x8000};
    float[] bf16Expected = {1f, -3f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.intBitsToFloat(0x0001_0000), -0f};
    short[] f16 = {0x3c00, (short) 0xc000, 0x3555, 0x7bff, 0x0400, 0x0001, 0x03ff,
        0x7c00, (short) 0xfc00, 0x7e00, (short) 0x8000, 0x0000};
    float[] f16Expected = {1f, -2f, 0.333251953125f, 65504f, 0x1p-14f, 0x1p-24f, 1023 * 0x1p-24f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0f, 0f};
    String header = "{\"half\":{\"dtype\":\"F16\",\"shape\":[3,4],\"data_offsets\":[12,36]},"
        + "\"brain\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
        + "\"__metadata__\":{\"k\":\"v\\u00e9\\ud83d\\ude42\"}}";
    ByteBuffer data = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : bf16) {
      data.putShort(s);
    }
    for (short s : f16) {
      data.putShort(s);
    }
    Path f = write("mixed.safetensors", file(header, data.array()));
    SafetensorsFile read = Safetensors.read(f);
    assertEquals(List.of("half", "brain"), List.copyOf(read.tensors().keySet()), "file order kept");
    assertEquals(new FloatArray(new long[] {2, 3}, bf16Expected), read.tensors().get("brain"));
    assertEquals(new FloatArray(new long[] {3, 4}, f16Expected), read.tensors().get("half"));
    assertEquals(Map.of("k", "vé🙂"), read.metadata());
  }

  // ---- malformed input ----

  @Test
  void tooShortForHeaderLength() throws IOException {
    assertFails(write("tiny.safetensors", new byte[5]), "tiny.safetensors", "only 5 bytes", "8-byte");
  }

  @Test
  void insaneHeaderLength() throws IOException {
    byte[] b = new byte[16];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
    assertFails(write("neg.safetensors", b), "neg.safetensors", "18446744073709551615", "limit");
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
    assertFails(write("over.safetensors", b), "over.safetensors", "header length 1000", "8 bytes");
  }

  @Test
  void malformedJson() throws IOException {
    String[][] cases = {
      {"{\"a\":{\"dtype\":\"F32\",}}", "malformed JSON"},
      {"{\"a\" 1}", "was expecting a colon"},
      {"{\"a\":\"\\x\"}", "Unrecognized character escape"},
      {"[1,2]", "starting with '{'"},
      {"{} x", "Unrecognized token 'x'"},
      {"{\"a\":", "end-of-input"},
    };
    for (int i = 0; i < cases.length; i++) {
      assertFails(write("json" + i + ".safetensors", file(cases[i][0], new byte[0])),
          "json" + i + ".safetensors", cases[i][1]);
    }
    byte[] bad = file("{\"a\":\"xx\"}", new byte[0]);
    bad[14] = (byte) 0xc3; // lone UTF-8 lead byte
    assertFails(write("utf.safetensors", bad), "utf.safetensors", "UTF-8");
  }

  @Test
  void offsetsOutsideBuffer() throws IOException {
    Path f = write("out.safetensors", file(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]));
    assertFails(f, "out.safetensors", "'a'", "[0, 8]", "4-byte data buffer");
  }

  @Test
  void overlappingOffsets() throws IOException {
    Path f = write("overlap.safetensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]));
    assertFails(f, "overlap.safetensors", "'b'", "overlap", "'a'");
  }

  @Test
  void gapsAndUncoveredBytes() throws IOException {
    Path gap = write("gap.safetensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
    assertFails(gap, "gap.safetensors", "'a'", "[0, 4)", "unused");
    Path tail = write("tail.safetensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]));
    assertFails(tail, "tail.safetensors", "cover 4 bytes", "has 8");
  }

  @Test
  void byteLengthMismatch() throws IOException {
    Path f = write("len.safetensors", file("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,4]}}", new byte[4]));
    assertFails(f, "len.safetensors", "'a'", "4 bytes", "[2, 2]", "BF16", "needs 8");
  }

  @Test
  void duplicateTensorNames() throws IOException {
    Path f = write("dup.safetensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
    assertFails(f, "dup.safetensors", "Duplicate field 'a'");
  }

  @Test
  void unsupportedDtypeNamesTensor() throws IOException {
    Path f = write("i64.safetensors", file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]));
    assertFails(f, "i64.safetensors", "'ids'", "'I64'", "F32, BF16 and F16");
  }

  @Test
  void badEntryFields() throws IOException {
    String[][] cases = {
      {"{\"a\":3}", "'a'", "expected an object"},
      {"{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "'dtype' must be a string"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "'shape'", "element -1"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", "'shape'", "element 1.0"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "'data_offsets'", "2 non-negative"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "end before they begin"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}", "element 99999999999999999999"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", "4294967296 elements"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", "more than Long.MAX_VALUE"},
      {"{\"__metadata__\":{\"k\":1}}", "'k'", "must be a string"},
      {"{\"__metadata__\":[]}", "must be an object"},
    };
    for (int i = 0; i < cases.length; i++) {
      String name = "entry" + i + ".safetensors";
      String[] fragments = new String[cases[i].length];
      fragments[0] = name;
      System.arraycopy(cases[i], 1, fragments, 1, cases[i].length - 1);
      assertFails(write(name, file(cases[i][0], new byte[4])), fragments);
    }
  }

  @Test
  void writerRejectsReservedName() {
    Map<String, FloatArray> m = Map.of("__metadata__", new FloatArray(new long[] {1}, new float[1]));
    assertThrows(IllegalArgumentException.class, () -> Safetensors.write(dir.resolve("r.safetensors"), m, Map.of()));
  }

  // ---- helpers ----

  private void assertFails(Path f, String... fragments) {
    TensorFileException e = assertThrows(TensorFileException.class, () -> Safetensors.read(f));
    assertEquals(f, e.file());
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    assertContains(e.getMessage(), fragments);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  /** A hand-built safetensors file: length, unpadded header, data. */
  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(h.length).put(h).put(data).array();
  }
}
