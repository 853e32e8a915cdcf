package dev.switchc.runtime.tpu;

import dev.switchc.ir.DType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The devices of a PJRT plugin (libtpu, a GPU plugin, or the tests' CPU stand-in), through the
 * PJRT C API ({@link PjrtPlugin}). A device is named by its PJRT_Device handle.
 */
public final class PluginClient implements DeviceClient {
  private final Path plugin;
  private final long client;

  private PluginClient(Path plugin, long client) {
    this.plugin = plugin;
    this.client = client;
  }

  /**
   * Loads the plugin at {@code path} (dlopen, GetPjrtApi, version check, initialization) and
   * creates a client with the given named options.
   *
   * @throws IllegalArgumentException if there is no such file
   * @throws XlaException with the plugin's message if it refuses
   */
  public static PluginClient create(Path path, List<String> optionNames, List<Object> optionValues) {
    if (!Files.isRegularFile(path)) throw new IllegalArgumentException("no PJRT plugin at " + path + ": no such file");
    PjrtPlugin.load();
    long plugin = PjrtPlugin.loadPlugin(path.toAbsolutePath().toString());
    return new PluginClient(path, PjrtPlugin.createClient(plugin, optionNames.toArray(String[]::new), optionValues.toArray()));
  }

  /** {@link #create(Path, List, List)} with no options: the plugin's defaults (libtpu reads its configuration from the environment). */
  public static PluginClient create(Path path) {
    return create(path, List.of(), List.of());
  }

  public Path path() {
    return plugin;
  }

  @Override
  public String platform() {
    return PjrtPlugin.clientPlatformName(client);
  }

  /** The plugin's platform version string. */
  public String platformVersion() {
    return PjrtPlugin.clientPlatformVersion(client);
  }

  @Override
  public List<DeviceInfo> devices() {
    List<DeviceInfo> out = new ArrayList<>();
    for (long d : PjrtPlugin.clientDevices(client, true)) out.add(PjrtPlugin.deviceInfo(client, d));
    return out;
  }

  @Override
  public Compiled compile(String mlir, byte[] compileOptions) {
    return new Executable(PjrtPlugin.compile(client, mlir.getBytes(StandardCharsets.UTF_8), "mlir", compileOptions));
  }

  @Override
  public Compiled deserialize(byte[] serialized) {
    return new Executable(PjrtPlugin.deserializeAndLoad(client, serialized, null));
  }

  @Override
  public long upload(long device, DType dtype, long[] dims, ByteBuffer data) {
    return PjrtPlugin.bufferFromHost(client, device, bufferType(dtype), dims, data);
  }

  @Override
  public void download(long buffer, ByteBuffer into) {
    PjrtPlugin.bufferToHost(buffer, into);
  }

  @Override
  public void free(long buffer) {
    PjrtPlugin.destroyBuffer(buffer);
  }

  @Override
  public void close() {
    PjrtPlugin.destroyClient(client);
  }

  /** PJRT_Buffer_Type numbering. */
  private static int bufferType(DType d) {
    return switch (d) {
      case F32 -> PjrtPlugin.F32;
      case BF16 -> PjrtPlugin.BF16;
      case I32 -> PjrtPlugin.S32;
      case U32 -> PjrtPlugin.U32;
      case PRED -> PjrtPlugin.PRED;
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
      return PjrtPlugin.executableDevices(handle);
    }

    @Override
    public long[][] execute(long[][] args) {
      return PjrtPlugin.execute(handle, args);
    }

    @Override
    public byte[] serialize() {
      return PjrtPlugin.serializeExecutable(handle);
    }

    @Override
    public String optimizedHlo() {
      throw new UnsupportedOperationException("a PJRT plugin's optimized program is not read here");
    }

    @Override
    public void close() {
      PjrtPlugin.destroyExecutable(handle);
    }
  }
}
