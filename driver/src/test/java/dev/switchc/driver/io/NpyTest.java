package dev.switchc.driver.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir
  Path dir;

  // ---- round trips ----

  @Test
  void roundTripScalar() throws IOException {
    Path f = dir.resolve("scalar.npy");
    Npy.writeFloats(f, new long[0], new float[] {1.5f});
    FloatArray a = Npy.readFloats(f);
    assertArrayEquals(new long[0], a.shape());
    assertArrayEquals(new float[] {1.5f}, a.data());
  }

  @Test
  void roundTripOneDimensional() throws IOException {
    Path f = dir.resolve("vec.npy");
    float[] data = {0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE};
    Npy.writeFloats(f, new long[] {5}, data);
    assertEquals(new FloatArray(new long[] {5}, data), Npy.readFloats(f));
  }

  @Test
  void roundTripThreeDimensional() throws IOException {
    Path f = dir.resolve("cube.npy");
    float[] data = new float[2 * 3 * 4];
    for (int i = 0; i < data.length; i++) {
      data[i] = i * 0.25f - 3f;
    }
    Npy.writeFloats(f, new long[] {2, 3, 4}, data);
    assertEquals(new FloatArray(new long[] {2, 3, 4}, data), Npy.readFloats(f));
  }

  @Test
  void roundTripEmptyAndInts() throws IOException {
    Path f = dir.resolve("empty.npy");
    Npy.writeFloats(f, new long[] {3, 0}, new float[0]);
    assertEquals(new FloatArray(new long[] {3, 0}, new float[0]), Npy.readFloats(f));

    Path g = dir.resolve("ints.npy");
    int[] ints = {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE, 42};
    Npy.writeInts(g, new long[] {2, 3}, ints);
    assertEquals(new IntArray(new long[] {2, 3}, ints), Npy.readInts(g));
  }

  // ---- exact byte layout (identical to numpy.save, checked against numpy 2.4 during development) ----

  @Test
  void headerLayoutMatchesNumpy() throws IOException {
    Path f = dir.resolve("layout.npy");
    Npy.writeFloats(f, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    byte[] bytes = Files.readAllBytes(f);

    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    dict += " ".repeat(21 - 1); // numpy's spare room for the growth axis (first dim "2")
    int headerLen = 128 - 10;   // data must start at a multiple of 64
    String header = dict + " ".repeat(headerLen - dict.length() - 1) + "\n";

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    expected.write(new byte[] {(byte) headerLen, 0}); // little-endian uint16 = 0x76
    expected.write(header.getBytes(StandardCharsets.ISO_8859_1));
    expected.write(le(1f, 2f, 3f, 4f, 5f, 6f));
    assertArrayEquals(expected.toByteArray(), bytes);
    assertEquals(0, 128 % 64);
    assertEquals('\n', bytes[127]);
  }

  @Test
  void headerLayoutForScalarAndVector() {
    byte[] scalar = Npy.header("<f4", new long[0]);
    byte[] vector = Npy.header("<f4", new long[] {5});
    assertEquals(128, scalar.length);
    assertEquals(128, vector.length);
    String s = new String(scalar, 10, scalar.length - 10, StandardCharsets.ISO_8859_1);
    String v = new String(vector, 10, vector.length - 10, StandardCharsets.ISO_8859_1);
    assertTrue(s.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (), }  "), s);
    assertTrue(v.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }  "), v);
    assertTrue(s.endsWith(" \n") && v.endsWith(" \n"));
  }

  // ---- reading variants ----

  @Test
  void fortranOrderIsTransposedToC() throws IOException {
    // C-order matrix [[0,1,2],[3,4,5]] stored column-major: 0,3,1,4,2,5
    Path f = write("f.npy", npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
        le(0f, 3f, 1f, 4f, 2f, 5f)));
    assertEquals(new FloatArray(new long[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}), Npy.readFloats(f));
  }

  @Test
  void fortranOrderThreeDimensional() throws IOException {
    long[] shape = {2, 3, 4};
    float[] fortran = new float[24];
    float[] c = new float[24];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          float v = 100 * i + 10 * j + k;
          c[(i * 3 + j) * 4 + k] = v;
          fortran[i + 2 * (j + 3 * k)] = v;
        }
      }
    }
    Path f = write("f3.npy", npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }", le(fortran)));
    assertEquals(new FloatArray(shape, c), Npy.readFloats(f));

    ByteBuffer ints = ByteBuffer.allocate(24 * 4).order(ByteOrder.BIG_ENDIAN);
    for (float v : fortran) {
      ints.putInt((int) v);
    }
    Path g = write("f3i.npy", npy(1, "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3, 4), }", ints.array()));
    int[] expected = new int[24];
    for (int i = 0; i < 24; i++) {
      expected[i] = (int) c[i];
    }
    assertEquals(new IntArray(shape, expected), Npy.readInts(g));
  }

  @Test
  void bigEndianFloat64AndInt32AreConverted() throws IOException {
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(0.1).putDouble(-2.5);
    Path f = write("be.npy", npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", d.array()));
    List<String> notes = new ArrayList<>();
    FloatArray a = Npy.readFloats(f, notes::add);
    assertArrayEquals(new float[] {0.1f, -2.5f}, a.data());
    assertEquals(1, notes.size());
    assertTrue(notes.get(0).contains("be.npy") && notes.get(0).contains("narrowed"), notes.get(0));

    ByteBuffer i = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-7).putInt(16777217);
    Path g = write("bei.npy", npy(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", i.array()));
    notes.clear();
    assertArrayEquals(new float[] {-7f, 16777216f}, Npy.readFloats(g, notes::add).data());
    assertEquals(1, notes.size(), "2^24+1 is not representable");

    ByteBuffer be32 = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putFloat(3.25f);
    Path h = write("bef.npy", npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", be32.array()));
    assertArrayEquals(new float[] {3.25f}, Npy.readFloats(h).data());
  }

  @Test
  void versionsTwoAndThree() throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    assertArrayEquals(new float[] {1, 2}, Npy.readFloats(write("v2.npy", npy(2, dict, le(1f, 2f)))).data());
    assertArrayEquals(new float[] {1, 2}, Npy.readFloats(write("v3.npy", npy(3, dict, le(1f, 2f)))).data());
  }

  @Test
  void headerSyntaxVariantsAreAccepted() throws IOException {
    String[] dicts = {
      "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
      "{ \"descr\" : \"<f4\" ,\t'fortran_order':False,'shape':( 2 , ) , }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,)}", // Python 2 era files
    };
    for (int i = 0; i < dicts.length; i++) {
      Path f = write("ok" + i + ".npy", npy(1, dicts[i], le(1f, 2f)));
      assertEquals(new FloatArray(new long[] {2}, new float[] {1, 2}), Npy.readFloats(f), dicts[i]);
    }
  }

  // ---- malformed input: always TensorFileException naming the file ----

  @Test
  void badMagic() throws IOException {
    Path f = write("bad.npy", "PK\u0003\u0004 this is a zip".getBytes(StandardCharsets.ISO_8859_1));
    assertFails(f, "bad.npy", "\\x93NUMPY", "zip");
    assertFails(write("empty.npy", new byte[0]), "empty.npy", "magic", "empty file");
  }

  @Test
  void truncatedPreambleAndHeader() throws IOException {
    assertFails(write("short.npy", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1}), "short.npy", "truncated", "10");
    byte[] full = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", le(1f, 2f));
    assertFails(write("hdr.npy", java.util.Arrays.copyOf(full, 40)), "hdr.npy", "truncated header", "30");
  }

  @Test
  void truncatedData() throws IOException {
    byte[] full = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", le(1f, 2f, 3f, 4f, 5f, 6f));
    Path f = write("trunc.npy", java.util.Arrays.copyOf(full, full.length - 3));
    assertFails(f, "trunc.npy", "21 bytes", "needs 24", "(2, 3)", "truncated");
  }

  @Test
  void trailingData() throws IOException {
    Path f = write("long.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", le(1f, 2f)));
    assertFails(f, "long.npy", "8 bytes", "needs 4", "trailing");
  }

  @Test
  void unsupportedDtypes() throws IOException {
    assertFails(write("f2.npy", npy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", new byte[4])),
        "f2.npy", "'<f2'", "'<f4'");
    assertFails(write("b1.npy", npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", new byte[2])),
        "b1.npy", "'|b1'", "float32");
    assertFails(write("i2.npy", npy(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (1,), }", new byte[2])),
        "i2.npy", "'<i2'", "int64");
    assertFails(write("rec.npy", npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4])),
        "rec.npy", "structured", "[('a', '<f4')]");
  }

  /** numpy's default integers are int64: token ids in them are read when every value fits in int32. */
  @Test
  void int64IsReadAsIntsWhenItFits() throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(7).putLong(-3).putLong(Integer.MAX_VALUE);
    Path f = write("ids.npy", npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", b.array()));
    IntArray a = Npy.readInts(f);
    assertArrayEquals(new int[] {7, -3, Integer.MAX_VALUE}, a.data());
    java.nio.ByteBuffer big = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    big.putLong(1).putLong(1L << 40);
    Path g = write("big.npy", npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", big.array()));
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.readInts(g));
    assertTrue(e.getMessage().contains("int64 element 1 is 1099511627776, outside the int32 range"), e.getMessage());
  }

  @Test
  void readIntsRejectsFloats() throws IOException {
    Path f = write("fl.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", le(1f)));
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.readInts(f));
    assertContains(e.getMessage(), "fl.npy", "'<f4'", "int32");
  }

  @Test
  void headerGarbage() throws IOException {
    String[][] cases = {
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (2,), }", "expected ':'"},
      {"this is not a dict", "unexpected name"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", "after the literal"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", "end of header"},
      {"{'descr': '<f4', 'shape': (2,)}", "lacks the key 'fortran_order'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected header key 'extra'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "'fortran_order' must be True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", "'shape' must be a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "'shape' must be a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "non-negative"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}", "number syntax"},
      {"[1, 2]", "not a Python dict"},
      {"{'descr': '<f4\n', 'fortran_order': False, 'shape': (2,)}", "line break"},
      {"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((", "nesting"},
    };
    for (int i = 0; i < cases.length; i++) {
      Path f = write("garbage" + i + ".npy", npy(1, cases[i][0], le(1f, 2f)));
      assertFails(f, "garbage" + i + ".npy", cases[i][1]);
    }
  }

  @Test
  void unsupportedVersion() throws IOException {
    byte[] b = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", le(1f));
    b[6] = 4;
    assertFails(write("v4.npy", b), "v4.npy", "version 4.0", "1.0, 2.0 or 3.0");
  }

  @Test
  void tooManyElements() throws IOException {
    Path f = write("huge.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", new byte[0]));
    assertFails(f, "huge.npy", "(65536, 65536)", "4294967296 elements", "2147483647");
    Path g = write("overflow.npy", npy(1,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 3), }", new byte[0]));
    assertFails(g, "overflow.npy", "more than Long.MAX_VALUE");
    Path h = write("toobig.npy", npy(1,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", new byte[0]));
    assertFails(h, "toobig.npy", "below 2^63");
  }

  @Test
  void invalidUtf8InVersion3Header() throws IOException {
    byte[] b = npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", le(1f));
    b[14] = (byte) 0xff; // inside 'descr'
    assertFails(write("utf.npy", b), "utf.npy", "UTF-8");
  }

  @Test
  void writerRejectsMismatchedShape() {
    assertThrows(IllegalArgumentException.class,
        () -> Npy.writeFloats(dir.resolve("x.npy"), new long[] {2, 2}, new float[3]));
    assertEquals(0, dir.toFile().list().length, "nothing written");
  }

  // ---- helpers ----

  private void assertFails(Path f, String... fragments) {
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.readFloats(f));
    assertEquals(f, e.file());
    assertContains(e.getMessage(), fragments);
  }

  static void assertContains(String message, String... fragments) {
    for (String s : fragments) {
      assertTrue(message.contains(s), () -> "message lacks \"" + s + "\": " + message);
    }
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  /** A hand-built .npy file: magic, version, header length, dict padded to 16 bytes, '\n', data. */
  static byte[] npy(int major, String dict, byte[] data) {
    int prefix = major == 1 ? 10 : 12;
    int len = dict.length() + 1;
    len += (16 - (prefix + len) % 16) % 16;
    String header = dict + " ".repeat(len - dict.length() - 1) + "\n";
    byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(prefix + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) h.length);
    } else {
      b.putInt(h.length);
    }
    return b.put(h).put(data).array();
  }

  static byte[] le(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
