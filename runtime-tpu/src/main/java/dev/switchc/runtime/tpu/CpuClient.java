package dev.switchc.runtime.tpu;

import dev.switchc.ir.DType;
import dev.switchc.runtime.RuntimeInputException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * N CPU devices of XLA's own PJRT CPU client (inside the TensorFlow Java natives, through {@link
 * XlaBridge}): programs compiled by XLA's SPMD partitioner, run with XLA's in-process collectives.
 * A device is named by its index in the client's order.
 *
 * <p>Closing the client while programs still use it (a misuse: close them first) is safe: the
 * bridge keeps the native client alive until its last executable and buffer are freed, so work
 * that needs no new buffer still completes, and anything that needs the client fails with an
 * {@link IllegalStateException} saying it is closed.
 */
public final class CpuClient implements DeviceClient {
  /** Refused before XLA sees it: each device is a thread pool, and running out of threads aborts the process. */
  public static final int MAX_DEVICES = 1024;

  private final long client;
  private final int devices;
  private volatile boolean closed;

  private CpuClient(long client, int devices) {
    this.client = client;
    this.devices = devices;
  }

  /** A client with {@code devices} CPU devices. */
  public static CpuClient create(int devices) {
    if (devices < 1 || devices > MAX_DEVICES)
      throw new RuntimeInputException("a mesh of " + devices + " devices: XLA's CPU client runs 1 to " + MAX_DEVICES + " devices here; use a smaller mesh");
    XlaBridge.load();
    return new CpuClient(XlaBridge.cpuClient(devices), devices);
  }

  @Override
  public String platform() {
    return "cpu";
  }

  @Override
  public List<DeviceInfo> devices() {
    List<DeviceInfo> out = new ArrayList<>();
    String[] lines = whileOpen("list devices", () -> XlaBridge.devices(client));
    for (int i = 0; i < devices; i++) out.add(new DeviceInfo(i, i, 0, "cpu", null, lines[i], true, i, null));
    return out;
  }

  @Override
  public Compiled compile(String mlir, byte[] compileOptions) {
    return new Executable(whileOpen("compile", () -> XlaBridge.compile(client, mlir, compileOptions)));
  }

  @Override
  public Compiled deserialize(byte[] serialized) {
    return new Executable(whileOpen("deserialize", () -> XlaBridge.deserialize(client, serialized)));
  }

  @Override
  public long upload(long device, DType dtype, long[] dims, ByteBuffer data) {
    return whileOpen("upload", () -> XlaBridge.bufferFromHost(client, Math.toIntExact(device), data, primitiveType(dtype), dims));
  }

  @Override
  public void download(long buffer, ByteBuffer into) {
    XlaBridge.toHost(buffer, into);
  }

  @Override
  public void free(long buffer) {
    XlaBridge.freeBuffer(buffer);
  }

  /** Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    XlaBridge.freeClient(client);
  }

  /**
   * Calls the bridge with this client's handle; once the client is closed (also while the call
   * raced with close), fails saying so rather than with the bridge's message about a freed handle.
   */
  private <T> T whileOpen(String call, java.util.function.Supplier<T> bridgeCall) {
    try {
      if (!closed) return bridgeCall.get();
    } catch (IllegalStateException e) {
      if (!closed) throw e;
    }
    throw new IllegalStateException("cannot " + call + ": this CpuClient is closed; close the programs on a client before the client");
  }

  /** xla.PrimitiveType numbering. */
  private static int primitiveType(DType d) {
    return switch (d) {
      case F32 -> XlaBridge.F32;
      case BF16 -> XlaBridge.BF16;
      case I32 -> XlaBridge.S32;
      case U32 -> XlaBridge.U32;
      case PRED -> XlaBridge.PRED;
      case F64 -> throw new IllegalArgumentException("f64 is for gradient checks on the CPU runtime (CpuProgram); PJRT programs take f32, bf16 and i32");
    };
  }

  private static final class Executable implements Compiled {
    private final long handle;

    Executable(long handle) {
      this.handle = handle;
    }

    @Override
    public long[] devices() {
      return java.util.Arrays.stream(XlaBridge.executableDevices(handle)).asLongStream().toArray();
    }

    @Override
    public long[][] execute(long[][] args) {
      return XlaBridge.execute(handle, args);
    }

    @Override
    public byte[] serialize() {
      return XlaBridge.serialize(handle);
    }

    @Override
    public String optimizedHlo() {
      return XlaBridge.optimizedHlo(handle);
    }

    @Override
    public void close() {
      XlaBridge.freeExecutable(handle);
    }
  }
}
