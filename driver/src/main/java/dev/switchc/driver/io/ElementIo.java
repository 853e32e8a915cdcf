package dev.switchc.driver.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Bulk element transfer in bounded chunks. Files are read through a FileChannel at explicit
 * positions rather than with Files.readAllBytes, which caps at 2 GiB and would double memory.
 */
final class ElementIo {
  private static final int CHUNK_BYTES = 1 << 20; // a multiple of every element size

  private ElementIo() {}

  /** {@code bytes} as UTF-8, refusing malformed input rather than replacing it. */
  static String strictUtf8(Path file, java.nio.ByteBuffer bytes, String what) {
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(bytes).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new TensorFileException(file, what + " is not valid UTF-8", e);
    }
  }

  static float[] readFloats(FileChannel ch, Path file, long position, int count,
      ElementType type, ByteOrder order) throws IOException {
    float[] out = new float[count];
    ByteBuffer buf = chunk(count, type.size, order);
    int done = 0;
    long pos = position;
    while (done < count) {
      int n = Math.min(count - done, buf.capacity() / type.size);
      buf.clear().limit(n * type.size);
      readFully(ch, file, buf, pos);
      buf.flip();
      if (type == ElementType.F32) {
        buf.asFloatBuffer().get(out, done, n); // bulk path for the common case
      } else {
        for (int i = 0; i < n; i++) {
          out[done + i] = type.readFloat(buf);
        }
      }
      done += n;
      pos += (long) n * type.size;
    }
    return out;
  }

  static int[] readInts(FileChannel ch, Path file, long position, int count, ByteOrder order)
      throws IOException {
    int[] out = new int[count];
    ByteBuffer buf = chunk(count, Integer.BYTES, order);
    int done = 0;
    long pos = position;
    while (done < count) {
      int n = Math.min(count - done, buf.capacity() / Integer.BYTES);
      buf.clear().limit(n * Integer.BYTES);
      readFully(ch, file, buf, pos);
      buf.flip();
      buf.asIntBuffer().get(out, done, n);
      done += n;
      pos += (long) n * Integer.BYTES;
    }
    return out;
  }

  /** int64 elements as int32, each checked to fit (element index and value named otherwise). */
  static int[] readLongsAsInts(FileChannel ch, Path file, long position, int count, ByteOrder order) throws IOException {
    int[] out = new int[count];
    ByteBuffer buf = chunk(count, Long.BYTES, order);
    int done = 0;
    long pos = position;
    while (done < count) {
      int n = Math.min(count - done, buf.capacity() / Long.BYTES);
      buf.clear().limit(n * Long.BYTES);
      readFully(ch, file, buf, pos);
      buf.flip();
      for (int i = 0; i < n; i++) {
        long v = buf.getLong();
        if (v != (int) v) {
          throw new TensorFileException(file, "int64 element " + (done + i) + " is " + v + ", outside the int32 range");
        }
        out[done + i] = (int) v;
      }
      done += n;
      pos += (long) n * Long.BYTES;
    }
    return out;
  }

  /** Fills the buffer from {@code position}; the callers checked the file size beforehand. */
  static void readFully(FileChannel ch, Path file, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new TensorFileException(file, "unexpected end of file at byte " + pos
            + " while reading " + buf.remaining() + " more bytes (was it truncated while being read?)");
      }
      pos += r;
    }
  }

  static void writeFloatsLe(OutputStream out, float[] data) throws IOException {
    ByteBuffer buf = chunk(data.length, Float.BYTES, ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < data.length; ) {
      int n = Math.min(data.length - done, buf.capacity() / Float.BYTES);
      buf.clear();
      buf.asFloatBuffer().put(data, done, n);
      out.write(buf.array(), 0, n * Float.BYTES);
      done += n;
    }
  }

  static void writeIntsLe(OutputStream out, int[] data) throws IOException {
    ByteBuffer buf = chunk(data.length, Integer.BYTES, ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < data.length; ) {
      int n = Math.min(data.length - done, buf.capacity() / Integer.BYTES);
      buf.clear();
      buf.asIntBuffer().put(data, done, n);
      out.write(buf.array(), 0, n * Integer.BYTES);
      done += n;
    }
  }

  private static ByteBuffer chunk(int count, int size, ByteOrder order) {
    long wanted = Math.max(size, (long) count * size);
    return ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, wanted)).order(order);
  }
}
