package dev.switchc.runtime.tpu;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * JNI bridge to XLA's PJRT CPU client inside the TensorFlow Java natives ({@code
 * libswitchc_xla.so}). It compiles SPMD StableHLO modules through XLA's SPMD partitioner and runs
 * them on N in-process CPU devices with XLA's real collectives.
 *
 * <p>Everything is handle-based: clients, executables and buffers are {@code long} handles that
 * must be freed with the matching {@code free*} method. A null, freed or wrong-kind handle raises
 * {@link IllegalStateException}; a bad argument the bridge can check raises {@link
 * IllegalArgumentException}; a failed XLA status raises {@link XlaException}. Handles may be freed
 * in any order: a client lives until its last executable and buffer are freed.
 *
 * <p>{@link #load()} first: it maps TensorFlow Java's natives ({@code libtensorflow_cc.so.2},
 * {@code libtensorflow_framework.so.2}), which this library links against by soname, and then loads it.
 *
 * <p>Thread safety: all methods may be called from any thread. Executes on one client are
 * serialized by the bridge (concurrent launches deadlock inside XLA's collectives).
 */
public final class XlaBridge {
  private XlaBridge() {}

  /** xla.PrimitiveType values accepted for host transfers. */
  public static final int PRED = 1, S8 = 2, S16 = 3, S32 = 4, S64 = 5, U8 = 6, U16 = 7, U32 = 8,
      U64 = 9, F16 = 10, F32 = 11, F64 = 12, C64 = 15, BF16 = 16, C128 = 18;

  private static volatile boolean loaded;

  /**
   * Loads the bridge library after TensorFlow Java's natives, and checks that those are the exact
   * build ({@link TfNatives#EXPECTED_BUILD_IDS}) the bridge was compiled against and verified on:
   * the bridge relies on struct layouts of that one binary, which a different build could change
   * silently. Idempotent.
   *
   * @throws IllegalStateException naming both build-ids if they differ
   */
  public static synchronized void load() {
    if (loaded) return;
    TfNatives.load();
    NativeLibrary.load("libswitchc_xla.so");
    List<String> compiledIn = Arrays.asList(expectedBuildIds()), mapped = Arrays.asList(nativesBuildIds());
    if (!TfNatives.EXPECTED_BUILD_IDS.equals(compiledIn))
      throw new IllegalStateException("libswitchc_xla.so was built for TensorFlow natives " + compiledIn + ", these classes for "
          + TfNatives.EXPECTED_BUILD_IDS + ": they come from different builds");
    if (!TfNatives.EXPECTED_BUILD_IDS.equals(mapped))
      throw new IllegalStateException("the TensorFlow natives in this process have build-ids " + mapped + " (libtensorflow_cc.so.2,"
          + " libtensorflow_framework.so.2); the XLA bridge was verified against " + TfNatives.EXPECTED_BUILD_IDS
          + " only, and XLA's internal layouts may differ: use org.tensorflow:tensorflow-core-native:1.1.0");
    loaded = true;
  }

  // ---- natives ------------------------------------------------------------------------------

  /**
   * GNU build-ids of {libtensorflow_cc.so.2, libtensorflow_framework.so.2} as mapped in this
   * process (read from their PT_NOTE segments); an entry is null if the library is not mapped.
   */
  public static native String[] nativesBuildIds();

  /**
   * Sets the severity below which TensorFlow's and XLA's native log messages (absl logging) are
   * dropped: 0 info, 1 warning, 2 error, 3 fatal. TF_CPP_MIN_LOG_LEVEL does not reach these in
   * TensorFlow 2.18. Process-wide, as absl's logging is.
   */
  public static native void setLogSeverity(int severity);

  /** The build-ids {cc, framework} compiled into the bridge library. */
  public static native String[] expectedBuildIds();

  /** A PJRT CPU client (xla::TfrtCpuClient) with {@code devices} devices (1..4096). */
  public static native long cpuClient(int devices);

  /** Number of addressable devices of a client. */
  public static native int deviceCount(long client);

  /** One line per addressable device: {@code id=<id> kind=<kind> <XLA's description>}. */
  public static native String[] devices(long client);

  /**
   * The compile options as XLA holds them after decoding the given CompileOptionsProto bytes
   * (decoded, re-encoded, printed in protobuf text form): to check a hand-written encoder.
   */
  public static native String describeCompileOptions(byte[] compileOptionsProto);

  /**
   * Compiles a StableHLO module (text) with serialized CompileOptionsProto bytes (see {@link
   * PjrtCompileOptions}); returns an executable handle.
   */
  public static long compile(long client, String mlirText, byte[] compileOptionsProto) {
    if (mlirText == null) {
      throw new IllegalArgumentException("module text is null");
    }
    return compile0(client, mlirText.getBytes(StandardCharsets.UTF_8), compileOptionsProto);
  }

  private static native long compile0(long client, byte[] mlirUtf8, byte[] compileOptionsProto);

  /** {num_replicas, num_partitions, addressable device count} of an executable. */
  public static native int[] executableInfo(long executable);

  /**
   * For each argument list d of {@link #execute}, the index (in the client's device order, as
   * used by {@link #bufferFromHost}) of the device it runs on.
   */
  public static native int[] executableDevices(long executable);

  /**
   * The HLO text of the compiled executable: the module after XLA's SPMD partitioning and
   * optimization (one per partition program; several are separated by a blank line).
   */
  public static native String optimizedHlo(long executable);

  /**
   * Per-device parameter shapes with layouts, e.g. {@code f32[1,128,256]{2,1,0}} (read from the
   * compiled module's entry_computation_layout). {@link #execute} requires each argument buffer
   * to have exactly this shape.
   */
  public static native String[] parameterShapes(long executable);

  /** Per-device result shapes with layouts (a tuple result flattened). */
  public static native String[] resultShapes(long executable);

  /** XLA's serialized form of a compiled executable. */
  public static native byte[] serialize(long executable);

  /** An executable from {@link #serialize} bytes, loaded on {@code client}. */
  public static native long deserialize(long client, byte[] serialized);

  /**
   * Copies a row-major array from a direct buffer (capacity must equal the byte size exactly) to
   * device {@code deviceIndex} (index into the client's device order). The Java buffer may be
   * reused as soon as this returns.
   */
  public static native long bufferFromHost(
      long client, int deviceIndex, ByteBuffer directBuffer, int primitiveType, long[] dims);

  /**
   * Runs an executable. {@code argumentsPerDevice[d]} are the argument buffers of the d-th
   * addressable device of the executable (each the device's shard, resident on that device, of
   * exactly the shape {@link #parameterShapes} gives); returns the result buffers per device
   * (tuples are flattened). The bridge checks all of this for all devices before launching:
   * arguments XLA rejected on some devices only would leave the other devices waiting forever in
   * their first collective. Execution may continue asynchronously: {@link #toHost} waits, and
   * reports an execution failure as an {@link XlaException}.
   */
  public static native long[][] execute(long executable, long[][] argumentsPerDevice);

  /**
   * Waits for a buffer and copies it into a direct buffer whose capacity equals the array's byte
   * size (row-major).
   */
  public static native void toHost(long buffer, ByteBuffer directBuffer);

  /** xla.PrimitiveType of a buffer. */
  public static native int bufferType(long buffer);

  /** Dimensions of a buffer. */
  public static native long[] bufferDims(long buffer);

  /** XLA's shape string of a buffer with its layout, e.g. {@code f32[8,128,256]{2,1,0}}. */
  public static native String bufferShape(long buffer);

  /** Index of the buffer's device in its client's device order. */
  public static native int bufferDevice(long buffer);

  public static native void freeBuffer(long buffer);

  public static native void freeExecutable(long executable);

  /** Frees the client handle; the client goes when its last executable and buffer are freed. */
  public static native void freeClient(long client);

  /** Live handle counts {clients, executables, buffers}, for leak checks. */
  public static native long[] liveHandles();
}
