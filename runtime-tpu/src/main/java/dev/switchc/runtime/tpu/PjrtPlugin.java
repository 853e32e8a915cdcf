package dev.switchc.runtime.tpu;

import java.nio.ByteBuffer;

/**
 * The JNI surface of {@code libswitchc_pjrt.so}: a thin, handle-based binding of the PJRT C API
 * (PJRT C API 0.105 declarations) for any PJRT plugin, e.g. libtpu or the CPU stand-in.
 *
 * <p>Handles are {@code long}s. Plugin, client, executable, buffer and topology handles are
 * checked on every call: a stale (destroyed), unknown or wrong-kind handle raises {@link
 * IllegalArgumentException}. Device handles are the plugin's PJRT_Device pointers and are only
 * accepted together with the client they belong to.
 *
 * <p>Errors: every PJRT error raises {@link XlaException} (its code and the plugin's message,
 * prefixed by the PJRT function); a function absent from an older plugin's table raises {@code
 * XlaException} with code UNIMPLEMENTED naming the function; invalid arguments raise {@link
 * IllegalArgumentException} or {@link NullPointerException} before the plugin is called.
 *
 * <p>Lifetimes: a client or topology cannot be destroyed while buffers or executables made from
 * it are alive ({@link IllegalStateException}). Plugins stay loaded for the life of the process;
 * loading the same file again returns the same handle.
 *
 * <p>Threading: calls may come from any thread; destroying a handle while another thread uses it
 * is the caller's bug. This class is the raw layer: a runtime wrapper owns the handles.
 */
public final class PjrtPlugin {
  private PjrtPlugin() {}

  // PJRT_Buffer_Type codes (PJRT C API numbering) for the element types switchc uses.
  public static final int PRED = 1;
  public static final int S8 = 2;
  public static final int S16 = 3;
  public static final int S32 = 4;
  public static final int S64 = 5;
  public static final int U8 = 6;
  public static final int U32 = 8;
  public static final int F16 = 10;
  public static final int F32 = 11;
  public static final int F64 = 12;
  public static final int BF16 = 13;

  private static volatile boolean loaded;

  /** Loads the bridge library ({@code libswitchc_pjrt.so}); it needs no TensorFlow natives. Idempotent. */
  public static synchronized void load() {
    if (loaded) return;
    NativeLibrary.load("libswitchc_pjrt.so");
    loaded = true;
  }

  // --- Plugins ----------------------------------------------------------------------------

  /**
   * dlopen()s a PJRT plugin, calls GetPjrtApi(), checks PJRT API major version 0 and calls
   * PJRT_Plugin_Initialize once per process. Returns the plugin handle.
   */
  public static native long loadPlugin(String path);

  /** {major, minor, PJRT_Api struct_size} of a loaded plugin. */
  public static native int[] apiVersion(long plugin);

  /** PJRT_Plugin_Attributes as {name, value, ...}; empty if the plugin has none. */
  public static native Object[] pluginAttributes(long plugin);

  // --- Clients ----------------------------------------------------------------------------

  /**
   * PJRT_Client_Create with named options: values may be String, Long/Integer, Boolean,
   * Float/Double or long[]/int[]. Both arrays may be null for no options.
   */
  public static native long createClient(long plugin, String[] optionNames, Object[] optionValues);

  public static native void destroyClient(long client);

  public static native String clientPlatformName(long client);

  public static native String clientPlatformVersion(long client);

  public static native int clientProcessIndex(long client);

  /** Device handles: all devices, or only the addressable ones. */
  public static native long[] clientDevices(long client, boolean addressableOnly);

  /** Id, process index, kind, coords, debug string etc. of one of the client's devices. */
  public static native DeviceInfo deviceInfo(long client, long device);

  // --- Compilation and executables -------------------------------------------------------

  /**
   * PJRT_Client_Compile. {@code format} is "mlir" for StableHLO (text or bytecode); {@code
   * compileOptions} is a serialized xla.CompileOptionsProto (see {@link PjrtCompileOptions}).
   * Returns a loaded-executable handle.
   */
  public static native long compile(long client, byte[] program, String format, byte[] compileOptions);

  public static native void destroyExecutable(long executable);

  /** Device handles of the executable, in the order {@link #execute} takes argument lists. */
  public static native long[] executableDevices(long executable);

  /** {outputs per device, replicas, partitions}. */
  public static native long[] executableCounts(long executable);

  /** PJRT_Executable_Serialize of a loaded executable. */
  public static native byte[] serializeExecutable(long executable);

  /**
   * PJRT_Executable_DeserializeAndLoad; {@code overrideOptions} (serialized
   * CompileOptionsProto) may be null to keep the options stored in the executable.
   */
  public static native long deserializeAndLoad(long client, byte[] serialized, byte[] overrideOptions);

  /**
   * Runs the executable: {@code args[d][i]} is argument i of the d-th device of {@link
   * #executableDevices}. Blocks until every device finished; returns {@code outputs[d][j]}.
   */
  public static native long[][] execute(long executable, long[][] args);

  // --- Buffers --------------------------------------------------------------------------

  /**
   * PJRT_Client_BufferFromHostBuffer: copies the {@code remaining()} bytes of a direct buffer
   * (dense, row-major, native byte order) to {@code device}. They must match the element type
   * and dimensions exactly.
   */
  public static native long bufferFromHost(long client, long device, int elementType, long[] dims, ByteBuffer data);

  /** PJRT_Buffer_ToHostBuffer into a direct buffer at its position; returns bytes written. */
  public static native long bufferToHost(long buffer, ByteBuffer dst);

  /** Bytes {@link #bufferToHost} writes. */
  public static native long bufferByteSize(long buffer);

  public static native long[] bufferDimensions(long buffer);

  /** A PJRT_Buffer_Type code. */
  public static native int bufferElementType(long buffer);

  public static native void destroyBuffer(long buffer);

  // --- Topologies and ahead-of-time compilation -------------------------------------------

  /**
   * PJRT_TopologyDescription_Create: e.g. "v5e:2x2" with libtpu (plus options such as
   * chip_config_name, chips_per_host_bounds, num_slices), or "cpu:8" with the stand-in.
   */
  public static native long createTopology(long plugin, String name, String[] optionNames, Object[] optionValues);

  public static native void destroyTopology(long topology);

  public static native String topologyPlatformName(long topology);

  /** The topology's devices (handle 0, not addressable). */
  public static native DeviceInfo[] topologyDevices(long topology);

  /**
   * PJRT_Compile for a topology, without any client or device: returns an (unloaded)
   * executable handle for {@link #serializeCompiled}.
   */
  public static native long compileForTopology(long topology, byte[] program, String format, byte[] compileOptions);

  public static native byte[] serializeCompiled(long executable);

  /**
   * PJRT_Client_Load (PJRT C API 0.95 and later): loads a {@link #compileForTopology} result
   * onto a client directly. Older plugins raise XlaException(UNIMPLEMENTED); use {@link
   * #serializeCompiled} + {@link #deserializeAndLoad} there.
   */
  public static native long loadCompiled(long client, long executable);

  public static native int compiledNumOutputs(long executable);

  public static native void destroyCompiled(long executable);
}
