package dev.switchc.runtime.tpu;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A PJRT plugin's description of a device topology that need not be attached to this machine
 * (PJRT_TopologyDescription_Create): "v5e:2x2" for a TPU v5e slice of four chips with libtpu,
 * "cpu:8" with the tests' stand-in. Programs compiled for it ahead of time ({@link #compile})
 * are serialized executables that a client of the same plugin build loads later.
 */
public final class PluginTopology implements AutoCloseable {
  private final long topology;
  private final String name;
  private boolean closed;

  private PluginTopology(long topology, String name) {
    this.topology = topology;
    this.name = name;
  }

  /**
   * The topology {@code name} of the plugin at {@code path}.
   *
   * @throws IllegalArgumentException if there is no such file
   * @throws XlaException with the plugin's message if it does not know the name
   */
  public static PluginTopology create(Path path, String name) {
    if (!Files.isRegularFile(path)) throw new IllegalArgumentException("no PJRT plugin at " + path + ": no such file");
    PjrtPlugin.load();
    long plugin = PjrtPlugin.loadPlugin(path.toAbsolutePath().toString());
    return new PluginTopology(PjrtPlugin.createTopology(plugin, name, new String[0], new Object[0]), name);
  }

  public String name() {
    return name;
  }

  public String platform() {
    return PjrtPlugin.topologyPlatformName(topology);
  }

  /** The topology's devices (not attached: handle 0). */
  public List<DeviceInfo> devices() {
    return Arrays.asList(PjrtPlugin.topologyDevices(topology));
  }

  /**
   * Compiles an SPMD module of {@code partitions} partitions for this topology, partition p on
   * device {@link MeshDevices#assign} p; returns the serialized executable.
   */
  public byte[] compile(String mlir, int partitions) {
    long[] ids = MeshDevices.ids(devices(), partitions, "topology " + name);
    long compiled = PjrtPlugin.compileForTopology(topology, mlir.getBytes(StandardCharsets.UTF_8), "mlir", PjrtCompileOptions.spmd(ids));
    try {
      return PjrtPlugin.serializeCompiled(compiled);
    } finally {
      PjrtPlugin.destroyCompiled(compiled);
    }
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    PjrtPlugin.destroyTopology(topology);
  }
}
