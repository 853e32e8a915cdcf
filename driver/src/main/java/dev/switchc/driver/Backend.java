package dev.switchc.driver;

import dev.switchc.lowering.Lower;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.cpu.spmd.SpmdProgram;
import dev.switchc.runtime.tpu.CpuClient;
import dev.switchc.runtime.tpu.DeviceClient;
import dev.switchc.runtime.tpu.PjrtProgram;
import dev.switchc.runtime.tpu.PluginClient;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a compiled program runs. Each gives an {@link Executable} of the program's global
 * signature, and says in one line where it ran.
 */
public sealed interface Backend {
  Executable load(Compilation c);

  /** Whose memory the run uses, for {@link RunMemory}. */
  RunMemory.Runtime memory();

  /** Where {@code c} runs on this backend, for the person who ran it; empty for one device on XLA CPU, where nothing needs saying. */
  Optional<String> describe(Compilation c);

  /** XLA itself: one device through TensorFlow Java's XlaCallModule; a mesh through XLA's SPMD partitioner on as many XLA CPU devices. */
  record Xla() implements Backend {
    @Override
    public RunMemory.Runtime memory() {
      return RunMemory.Runtime.XLA_CPU;
    }

    @Override
    public Executable load(Compilation c) {
      if (!c.multiDevice()) return CpuProgram.load(c.singleDevice());
      return compile(c, () -> CpuClient.create(c.program().mesh().value().devices()));
    }

    @Override
    public Optional<String> describe(Compilation c) {
      return c.multiDevice() ? Optional.of(meshLine(c) + " through XLA's SPMD partitioner on " + devices(c) + " XLA CPU devices, with XLA's collectives")
          : Optional.empty();
    }
  }

  /** The SPMD module run by switchc's CPU emulation of the mesh: an oracle independent of XLA's partitioner. */
  record Emulation() implements Backend {
    @Override
    public RunMemory.Runtime memory() {
      return RunMemory.Runtime.EMULATION;
    }

    @Override
    public Executable load(Compilation c) {
      return SpmdProgram.load(c.spmd(), signature(c));
    }

    @Override
    public Optional<String> describe(Compilation c) {
      return Optional.of(meshLine(c) + " in switchc's CPU emulation of the mesh (not XLA's partitioner)");
    }
  }

  /** A PJRT plugin (libtpu, or any other): the SPMD module compiled by the plugin for the mesh's devices. */
  record Plugin(Path path) implements Backend {
    @Override
    public RunMemory.Runtime memory() {
      return RunMemory.Runtime.PLUGIN;
    }

    @Override
    public Executable load(Compilation c) {
      return compile(c, () -> PluginClient.create(path));
    }

    @Override
    public Optional<String> describe(Compilation c) {
      return Optional.of(meshLine(c) + " on " + deviceCount(c) + " of the PJRT plugin " + path);
    }
  }

  /** An executable that {@code plugin} compiled and serialized earlier ({@code switchc compile}), loaded on it without compiling. */
  record Serialized(Path plugin, byte[] executable) implements Backend {
    @Override
    public RunMemory.Runtime memory() {
      return RunMemory.Runtime.PLUGIN;
    }

    @Override
    public Executable load(Compilation c) {
      DeviceClient client = PluginClient.create(plugin);
      try {
        return PjrtProgram.deserialize(client, true, executable, c.spmd(), signature(c));
      } catch (RuntimeException | Error e) {
        client.close();
        throw e;
      }
    }

    @Override
    public Optional<String> describe(Compilation c) {
      return Optional.of(meshLine(c) + " from its serialized executable on " + deviceCount(c) + " of the PJRT plugin " + plugin);
    }
  }

  /**
   * {@code c}'s SPMD program through XLA's partitioner on as many XLA CPU devices (PJRT) as its
   * mesh has, one included: unlike {@link Xla#load}, whose one-device program runs in TensorFlow
   * Java and cannot keep outputs on the device, a program here can ({@link PjrtProgram#runCarrying}).
   */
  static PjrtProgram onXlaCpuDevices(Compilation c) {
    return compile(c, () -> CpuClient.create(devices(c)));
  }

  private static PjrtProgram compile(Compilation c, Supplier<DeviceClient> newClient) {
    DeviceClient client = newClient.get();
    try {
      return PjrtProgram.compile(client, true, c.spmd(), signature(c));
    } catch (RuntimeException | Error e) {
      client.close();
      throw e;
    }
  }

  private static ModuleSignature signature(Compilation c) {
    return Lower.signature(c.global());
  }

  private static int devices(Compilation c) {
    return c.program().mesh().value().devices();
  }

  private static String deviceCount(Compilation c) {
    return devices(c) == 1 ? "one device" : devices(c) + " devices";
  }

  private static String meshLine(Compilation c) {
    return c.multiDevice() ? "ran the SPMD program for mesh " + c.program().mesh().value() + " (" + devices(c) + " devices)" : "ran the program";
  }
}
