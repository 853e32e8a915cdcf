package dev.switchc.driver.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * NumPy {@code .npy} files. Reads format versions 1.0, 2.0 and 3.0 with dtypes float32, float64
 * and int32 in either byte order and either memory order (Fortran data is transposed to C order);
 * writes version 1.0 little-endian C-order files byte-identical to {@code numpy.save}.
 * Malformed or unsupported files raise {@link TensorFileException}.
 */
public final class Npy {
  /** numpy aligns the data start to 64 bytes so it can be memory-mapped for any dtype. */
  private static final int ALIGN = 64;
  /** numpy leaves room for the growth axis to reach this many digits, to allow in-place appends. */
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;

  private Npy() {}

  /**
   * The array's shape, from its header alone (checked as {@link #readFloats} checks it): so that
   * a caller can refuse a wrong shape before reading, and allocating, the data.
   */
  public static long[] shape(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return NpyHeader.read(ch, file).shape();
    }
  }

  /** Reads a float32, float64 or int32 array as floats; see {@link #readFloats(Path, Consumer)}. */
  public static FloatArray readFloats(Path file) throws IOException {
    return readFloats(file, note -> { });
  }

  /**
   * Reads a float32, float64 or int32 array as floats in C order. Lossy conversions are
   * reported to {@code notes} (float64 is always narrowed; int32 only when a value exceeds
   * float's 24-bit significand) so the caller can warn the user.
   */
  public static FloatArray readFloats(Path file, Consumer<String> notes) throws IOException {
    Objects.requireNonNull(notes, "notes");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      NpyHeader h = NpyHeader.read(ch, file);
      float[] data;
      if (h.type() == ElementType.I32 || h.type() == ElementType.I64) {
        int[] ints = h.type() == ElementType.I32 ? ElementIo.readInts(ch, file, h.dataOffset(), h.count(), h.order())
          : ElementIo.readLongsAsInts(ch, file, h.dataOffset(), h.count(), h.order());
        data = new float[ints.length];
        boolean lossy = false;
        for (int i = 0; i < ints.length; i++) {
          data[i] = ints[i];
          lossy |= (long) data[i] != ints[i];
        }
        if (lossy) {
          notes.accept(file + ": int32 values beyond +-2^24 were rounded when converted to float32");
        }
      } else {
        data = ElementIo.readFloats(ch, file, h.dataOffset(), h.count(), h.type(), h.order());
        if (h.type() == ElementType.F64) {
          notes.accept(file + ": float64 data ('" + h.descr() + "') narrowed to float32");
        }
      }
      return new FloatArray(h.shape(), h.fortranOrder() ? Layout.fortranToC(data, h.shape()) : data);
    }
  }

  /**
   * Reads an int32 array exactly, in C order; int64 (numpy's default integers) is converted when
   * every value fits in int32. Other dtypes are rejected.
   */
  public static IntArray readInts(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      NpyHeader h = NpyHeader.read(ch, file);
      if (h.type() != ElementType.I32 && h.type() != ElementType.I64) {
        throw new TensorFileException(file, "dtype is '" + h.descr() + "' but integers, int32 or int64 ('<i4', '<i8'), are required here;"
          + " convert with ids.astype(np.int32)");
      }
      int[] data = h.type() == ElementType.I32 ? ElementIo.readInts(ch, file, h.dataOffset(), h.count(), h.order())
        : ElementIo.readLongsAsInts(ch, file, h.dataOffset(), h.count(), h.order());
      return new IntArray(h.shape(), h.fortranOrder() ? Layout.fortranToC(data, h.shape()) : data);
    }
  }

  /** Writes a little-endian float32 array ({@code '<f4'}), atomically. */
  public static void writeFloats(Path file, long[] shape, float[] data) throws IOException {
    writeFloats(file, new FloatArray(shape, data));
  }

  public static void writeFloats(Path file, FloatArray array) throws IOException {
    AtomicFile.write(file, floatsWriter(array));
  }

  /** What {@link #writeFloats} writes, for an {@link AtomicFile.Batch}. */
  public static IoConsumer<OutputStream> floatsWriter(FloatArray array) {
    byte[] header = header("<f4", array.shape());
    return out -> {
      out.write(header);
      ElementIo.writeFloatsLe(out, array.data());
    };
  }

  /** Writes a little-endian int32 array ({@code '<i4'}), atomically. */
  public static void writeInts(Path file, long[] shape, int[] data) throws IOException {
    writeInts(file, new IntArray(shape, data));
  }

  public static void writeInts(Path file, IntArray array) throws IOException {
    byte[] header = header("<i4", array.shape());
    AtomicFile.write(file, out -> {
      out.write(header);
      ElementIo.writeIntsLe(out, array.data());
    });
  }

  /**
   * The preamble and header exactly as numpy writes them: sorted keys, a trailing ", ",
   * spare spaces for the growth axis, then space padding and '\n' so data starts at a multiple
   * of 64. Falls back to version 2.0 only if the header outgrows version 1.0's 16-bit length.
   */
  static byte[] header(String descr, long[] shape) {
    StringBuilder dict = new StringBuilder()
        .append("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
        .append(Shapes.format(shape)).append(", }");
    if (shape.length > 0) {
      dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
    }
    int major = 1;
    int prefix = 10;
    int hlen = dict.length() + 1; // + '\n'
    int padded = hlen + ALIGN - (prefix + hlen) % ALIGN; // numpy pads a full 64 when aligned
    if (padded > 0xffff) {
      major = 2;
      prefix = 12;
      padded = hlen + ALIGN - (prefix + hlen) % ALIGN;
    }
    dict.append(" ".repeat(padded - hlen)).append('\n');
    ByteBuffer b = ByteBuffer.allocate(prefix + padded).order(ByteOrder.LITTLE_ENDIAN);
    b.put(NpyHeader.MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      b.putShort((short) padded);
    } else {
      b.putInt(padded);
    }
    b.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }
}
