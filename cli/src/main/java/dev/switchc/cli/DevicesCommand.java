package dev.switchc.cli;

import dev.switchc.runtime.tpu.DeviceInfo;
import dev.switchc.runtime.tpu.MeshDevices;
import dev.switchc.runtime.tpu.PluginClient;
import dev.switchc.runtime.tpu.PluginTopology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchc devices}: the devices of a PJRT plugin (attached ones, or those of a topology
 * named with {@code --topology}), in the order a mesh is laid on them.
 */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List a PJRT plugin's devices: id, kind, coordinates.")
final class DevicesCommand implements Callable<Integer> {
  @Mixin
  PluginOption pluginOption;

  @Option(names = "--topology", paramLabel = "NAME", description = "List the devices of this topology instead (no devices need be attached), e.g. v5e:2x2.")
  String topology;

  @Spec
  CommandSpec command;

  @Override
  public Integer call() {
    Path plugin = pluginOption.require("list devices of");
    PrintWriter out = command.commandLine().getOut();
    if (topology != null) {
      try (PluginTopology t = PluginTopology.create(plugin, topology)) {
        List<DeviceInfo> devices = t.devices();
        out.println("topology " + topology + " of " + plugin + " (platform " + t.platform() + "): " + devices.size() + " devices");
        print(out, devices, t.platform());
      }
    } else {
      try (PluginClient client = PluginClient.create(plugin)) {
        List<DeviceInfo> devices = client.devices();
        out.println(plugin + ": platform " + client.platform() + " " + client.platformVersion() + ", " + devices.size() + " addressable devices");
        print(out, devices, client.platform());
      }
    }
    return Main.OK;
  }

  /** In mesh order: a mesh of n devices runs on the first n rows. */
  private static void print(PrintWriter out, List<DeviceInfo> devices, String platform) {
    out.println("  mesh position, id, kind, coords, process");
    List<DeviceInfo> ordered = devices.isEmpty() ? devices : MeshDevices.assign(devices, devices.size(), platform);
    for (int p = 0; p < ordered.size(); p++) {
      DeviceInfo d = ordered.get(p);
      out.println("  " + p + "  id " + d.id() + "  " + d.kind() + "  " + (d.coords() == null ? "-" : Arrays.toString(d.coords())) + "  process " + d.processIndex());
    }
  }
}
