package dev.switchc.runtime.tpu;

import static dev.switchc.runtime.cpu.spmd.EndToEndTest.einsum;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.inputs;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.layout;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.mesh;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.unsharded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.Func;
import dev.switchc.ir.Shard;
import dev.switchc.lowering.Lower;
import dev.switchc.lowering.SpmdLower;
import dev.switchc.lowering.StableHloPrinter;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.runtime.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.switchc.runtime.RuntimeInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PJRT plugin path against the stand-in plugin (XLA's CPU client behind the PJRT C API, built
 * by the tests): devices, compile and run, serialized executables, ahead-of-time compilation for a
 * topology, and the plugin's refusals. No real plugin (libtpu, a GPU plugin) is exercised here.
 */
class PluginTest {
  static final Func F = einsum();
  static final HloModule SPMD = SpmdLower.run(Shard.run(F, mesh("data=2,model=2"), layout("batch=data,d=model")));
  static final Map<String, HostTensor> IN = inputs(F, 1, true);

  @Test
  void listsItsDevicesWithKindIdAndCoordinates() {
    try (PluginClient client = PluginClient.create(StandIn.plugin())) {
      assertEquals("cpu", client.platform());
      List<DeviceInfo> devices = client.devices();
      assertEquals(8, devices.size());
      for (int i = 0; i < devices.size(); i++) {
        DeviceInfo d = devices.get(i);
        assertEquals(i, d.id());
        assertEquals("cpu", d.kind());
        assertArrayEquals(new long[] {i, 0, 0}, d.coords());
        assertTrue(d.addressable());
      }
    }
  }

  @Test
  void compilesAndRunsTheMeshLikeXlasCpuClient() {
    Map<String, HostTensor> want = unsharded(F, IN);
    try (PjrtProgram p = PjrtProgram.compile(PluginClient.create(StandIn.plugin()), true, SPMD, Lower.signature(F))) {
      assertEquals(want, p.run(IN));
      assertThrows(UnsupportedOperationException.class, p::optimizedHlo);
    }
  }

  @Test
  void aSerializedExecutableRunsWithoutCompilingAgain(@TempDir Path dir) throws Exception {
    byte[] bytes;
    try (PluginClient client = PluginClient.create(StandIn.plugin());
        PjrtProgram p = PjrtProgram.compile(client, false, SPMD, Lower.signature(F))) {
      bytes = p.serialize();
    }
    Files.write(dir.resolve("e.pjrt"), bytes);
    try (PjrtProgram p = PjrtProgram.deserialize(PluginClient.create(StandIn.plugin()), true, Files.readAllBytes(dir.resolve("e.pjrt")), SPMD,
        Lower.signature(F))) {
      assertEquals(unsharded(F, IN), p.run(IN));
    }
    try (PluginClient client = PluginClient.create(StandIn.plugin())) {
      XlaException e = assertThrows(XlaException.class, () -> PjrtProgram.deserialize(client, false, new byte[] {1, 2, 3}, SPMD, Lower.signature(F)));
      assertTrue(!e.getMessage().isBlank(), e.getMessage());
    }
  }

  @Test
  void compilesAheadOfTimeForATopologyWithNoDevicesAttached() {
    byte[] bytes;
    try (PluginTopology t = PluginTopology.create(StandIn.plugin(), "cpu:4")) {
      assertEquals("cpu", t.platform());
      assertEquals(4, t.devices().size());
      bytes = t.compile(StableHloPrinter.print(SPMD), 4);
      RuntimeInputException tooSmall = assertThrows(RuntimeInputException.class, () -> t.compile(StableHloPrinter.print(SPMD), 8));
      assertEquals("the mesh has 8 devices, but topology cpu:4 has 4; use a mesh of at most 4 devices", tooSmall.getMessage());
    }
    try (PjrtProgram p = PjrtProgram.deserialize(PluginClient.create(StandIn.plugin()), true, bytes, SPMD, Lower.signature(F))) {
      assertEquals(unsharded(F, IN), p.run(IN));
    }
    XlaException unknown = assertThrows(XlaException.class, () -> PluginTopology.create(StandIn.plugin(), "v5e:2x2"));
    assertTrue(unknown.getMessage().contains("v5e:2x2"), unknown.getMessage());
  }

  @Test
  void refusesWhatItCannotLoad(@TempDir Path dir) throws Exception {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> PluginClient.create(dir.resolve("libtpu.so")));
    assertEquals("no PJRT plugin at " + dir.resolve("libtpu.so") + ": no such file", missing.getMessage());
    Path text = Files.writeString(dir.resolve("not-a-plugin.so"), "hello");
    XlaException notElf = assertThrows(XlaException.class, () -> PluginClient.create(text));
    assertTrue(notElf.getMessage().contains("cannot load PJRT plugin"), notElf.getMessage());
    XlaException old = assertThrows(XlaException.class, () -> PluginClient.create(StandIn.pluginV56()));
    assertTrue(old.getMessage().contains("0.56") && old.getMessage().contains("0.57"), old.getMessage());
  }

  @Test
  void aMeshLargerThanThePluginsDevicesIsRefused() {
    HloModule sixteen = SpmdLower.run(Shard.run(F, mesh("data=4,model=4"), layout("batch=data,d=model")));
    try (PluginClient client = PluginClient.create(StandIn.plugin())) {
      RuntimeInputException e = assertThrows(RuntimeInputException.class,
          () -> PjrtProgram.compile(client, false, sixteen, Lower.signature(F)));
      assertEquals("the mesh has 16 devices, but the cpu client has 8; use a mesh of at most 8 devices", e.getMessage());
    }
  }
}
