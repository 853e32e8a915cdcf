package dev.switchc.runtime.cpu.emulation;

import dev.switchc.ir.Dim;
import dev.switchc.ir.DType;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import dev.switchc.lowering.StableHloPrinter;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.cpu.HostTensor;
import dev.switchc.runtime.cpu.RuntimeInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an SPMD module on XLA CPU by emulating its mesh ({@link MeshEmulation}): global inputs are
 * cut into per-device shards by the module's own argument shardings, the stacked program runs once
 * for all devices, and the global outputs are assembled by the result shardings, with every
 * replica checked to hold the same values. Compiles once; reuse it for many runs.
 */
public final class SpmdProgram implements AutoCloseable {
  private final ModuleSignature global;
  private final List<TileMap> inputMaps = new ArrayList<>(), outputMaps = new ArrayList<>();
  private final ModuleSignature stacked;
  private final CpuProgram program;
  private final int devices;
  private final String emulatedText;

  private SpmdProgram(HloModule spmd, ModuleSignature global) {
    this.global = global;
    this.devices = spmd.numPartitions();
    if (spmd.argShardings().size() != global.inputs().size() || spmd.resultShardings().size() != global.outputs().size())
      throw new IllegalArgumentException("the module's shardings do not match the signature's ports");
    HloModule emulated = MeshEmulation.rewrite(spmd);
    this.stacked = new ModuleSignature(ports(global.inputs(), spmd.argShardings(), inputMaps), ports(global.outputs(), spmd.resultShardings(), outputMaps));
    this.emulatedText = StableHloPrinter.print(emulated);
    this.program = CpuProgram.load(new CompiledModule(emulatedText, stacked));
  }

  public static SpmdProgram load(HloModule spmd, ModuleSignature global) {
    return new SpmdProgram(spmd, global);
  }

  /** The single-device module that emulates the mesh (what XLA compiles here). */
  public String emulatedText() {
    return emulatedText;
  }

  private List<Port> ports(List<Port> ports, List<HloSharding> shardings, List<TileMap> maps) {
    List<Port> out = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      Port p = ports.get(i);
      long[] dims = p.type().shape().dims().stream().mapToLong(Dim::size).toArray();
      TileMap map = TileMap.of(dims, shardings.get(i), devices);
      maps.add(map);
      List<Dim> local = new ArrayList<>();
      local.add(new Dim("device", devices));
      for (int k = 0; k < dims.length; k++) local.add(new Dim(p.type().shape().dims().get(k).name(), map.localDims()[k]));
      out.add(new Port(p.name(), new TensorType(p.type().dtype(), new Shape(local))));
    }
    return out;
  }

  /** Global outputs (as the module's signature gives them) and each device's own outputs. */
  public record Result(Map<String, HostTensor> global, List<Map<String, HostTensor>> perDevice) {}

  public Result run(Map<String, HostTensor> inputs) {
    List<String> problems = new ArrayList<>();
    for (Port p : global.inputs()) {
      HostTensor t = inputs.get(p.name());
      if (t == null) problems.add("missing input '" + p.name() + "' " + p.type());
      else if (!t.type().equals(p.type())) problems.add("input '" + p.name() + "': expected " + p.type() + ", got " + t.type());
    }
    for (String name : inputs.keySet())
      if (global.inputs().stream().noneMatch(p -> p.name().equals(name))) problems.add("unexpected input '" + name + "'");
    if (!problems.isEmpty()) throw new RuntimeInputException("SpmdProgram.run rejected its inputs; nothing was run:\n  - " + String.join("\n  - ", problems));
    Map<String, HostTensor> shards = new LinkedHashMap<>();
    for (int i = 0; i < global.inputs().size(); i++) {
      Port p = stacked.inputs().get(i);
      HostTensor g = inputs.get(p.name());
      shards.put(p.name(), p.type().dtype() == DType.I32 ? HostTensor.ofInts(p.type(), inputMaps.get(i).shard(g.ints()))
          : HostTensor.ofFloats(p.type(), inputMaps.get(i).shard(g.floats())));
    }
    Map<String, HostTensor> out = program.run(shards);
    Map<String, HostTensor> assembled = new LinkedHashMap<>();
    List<Map<String, HostTensor>> perDevice = new ArrayList<>();
    for (int d = 0; d < devices; d++) perDevice.add(new LinkedHashMap<>());
    for (int i = 0; i < global.outputs().size(); i++) {
      Port g = global.outputs().get(i), s = stacked.outputs().get(i);
      HostTensor t = out.get(s.name());
      TileMap map = outputMaps.get(i);
      boolean ints = g.type().dtype() == DType.I32;
      assembled.put(g.name(), ints ? HostTensor.ofInts(g.type(), map.assemble(t.ints(), g.name())) : HostTensor.ofFloats(g.type(), map.assemble(t.floats(), g.name())));
      TensorType local = new TensorType(g.type().dtype(), new Shape(s.type().shape().dims().subList(1, s.type().shape().rank())));
      int n = (int) local.shape().elements();
      for (int d = 0; d < devices; d++)
        perDevice.get(d).put(g.name(), ints ? HostTensor.ofInts(local, java.util.Arrays.copyOfRange(t.ints(), d * n, (d + 1) * n))
            : HostTensor.ofFloats(local, java.util.Arrays.copyOfRange(t.floats(), d * n, (d + 1) * n)));
    }
    return new Result(assembled, perDevice);
  }

  @Override
  public void close() {
    program.close();
  }
}
