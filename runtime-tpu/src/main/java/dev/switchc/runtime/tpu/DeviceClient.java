package dev.switchc.runtime.tpu;

import dev.switchc.ir.DType;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The device side of a {@link PjrtProgram}: a client of XLA's CPU devices ({@link CpuClient}) or
 * of a PJRT plugin's devices ({@link PluginClient}). Handles are the native bridges' handles;
 * executables and buffers must be freed by whoever made them.
 *
 * <p>Thread-safety: methods may be called from several threads at once, except that launches on
 * one client must not overlap (XLA's in-process collectives can deadlock on interleaved launches;
 * {@link PjrtProgram} launches holding the client's monitor). Close a client only after every
 * program and buffer on it: a {@link PjrtProgram} that owns its client does so itself.
 */
public interface DeviceClient extends AutoCloseable {
  /** The platform name ("cpu", "tpu", ...). */
  String platform();

  /** The devices this process can run on, in the client's order. */
  List<DeviceInfo> devices();

  /** Compiles StableHLO text with serialized CompileOptionsProto bytes ({@link PjrtCompileOptions}). */
  Compiled compile(String mlir, byte[] compileOptions);

  /** An executable from {@link Compiled#serialize()} bytes of the same platform. */
  Compiled deserialize(byte[] serialized);

  /** Copies a dense row-major array to {@code device} (an entry of {@link Compiled#devices()}); returns a buffer handle. */
  long upload(long device, DType dtype, long[] dims, ByteBuffer data);

  /** Copies a buffer into {@code into} (its byte size exactly). */
  void download(long buffer, ByteBuffer into);

  void free(long buffer);

  @Override
  void close();

  /** A compiled program on this client. */
  interface Compiled extends AutoCloseable {
    /** The device of each argument list of {@link #execute}, in order: the program's partitions 0, 1, ... */
    long[] devices();

    /** Runs with {@code args[d][i]} (argument i on device d); returns the result buffers {@code [d][j]}. */
    long[][] execute(long[][] args);

    /** The platform's serialized executable. */
    byte[] serialize();

    /**
     * The program after XLA's partitioning and optimization, as HLO text.
     *
     * @throws UnsupportedOperationException where the runtime cannot show it (a plugin)
     */
    String optimizedHlo();

    @Override
    void close();
  }
}
