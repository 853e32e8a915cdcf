package dev.switchc.runtime.cpu.spmd;

import dev.switchc.runtime.ShardedArrays;
import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import dev.switchc.lowering.StableHloPrinter;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.runtime.cpu.CpuOptions;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An SPMD module run on XLA CPU by emulating its mesh: {@link #load} rewrites the module once
 * ({@link SpmdEmulation}), prints it and loads it as one {@link CpuProgram} (XLA compiles it on
 * the first run and keeps it for the program's life); each {@link #run} cuts the global inputs
 * into per-device shards by the module's argument shardings, runs every device at once, and
 * assembles the global outputs by the result shardings, checking that replicas agree bitwise.
 *
 * <p>Errors: {@link RuntimeInputException} for the caller's inputs (before any native call);
 * {@link IllegalArgumentException} at load when the signature does not match the module;
 * {@link IllegalStateException} for a module the emulation cannot run faithfully (bad replica
 * groups, an unexpected entry) and for replicas that disagree after a run; the
 * {@link CpuProgram} exceptions for XLA's own failures.
 *
 * <p>Thread-safety: as {@link CpuProgram}, which runs the emulated module: runs from several
 * threads proceed at once and give the serial results bit for bit (cutting and assembling shards
 * only reads this program's immutable layouts); {@link #close} waits for runs in progress, and
 * calls after it fail with {@link IllegalStateException}. Kept inputs are immutable host arrays:
 * closing them frees nothing, and runs with them fail afterwards as in the other runtimes.
 */
public final class SpmdProgram implements Executable {
  private final ModuleSignature global, stacked;
  private final List<ShardedArrays> inputs, outputs;
  private final List<String> deviceDims;
  private final HloModule emulated;
  private final String emulatedText;
  private final CpuProgram program;
  /** Set before the program is closed, so that a run refused by it names this class. */
  private volatile boolean closed;

  private SpmdProgram(ModuleSignature global, ModuleSignature stacked, List<ShardedArrays> inputs, List<ShardedArrays> outputs,
      List<String> deviceDims, HloModule emulated, String emulatedText, CpuProgram program) {
    this.global = global;
    this.stacked = stacked;
    this.inputs = inputs;
    this.outputs = outputs;
    this.deviceDims = deviceDims;
    this.emulated = emulated;
    this.emulatedText = emulatedText;
    this.program = program;
  }

  public static SpmdProgram load(HloModule spmd, ModuleSignature globalSignature) {
    return load(spmd, globalSignature, CpuOptions.DEFAULTS);
  }

  /**
   * Rewrites, prints and loads {@code spmd}, whose {@code main} has the ports of
   * {@code globalSignature} (names and global types, in order).
   */
  public static SpmdProgram load(HloModule spmd, ModuleSignature globalSignature, CpuOptions options) {
    requireMatches(spmd, globalSignature);
    HloModule emulated = SpmdEmulation.rewrite(spmd);
    int n = spmd.numPartitions();
    List<ShardedArrays> in = layouts(globalSignature.inputs(), spmd.argShardings(), n);
    List<ShardedArrays> out = layouts(globalSignature.outputs(), spmd.resultShardings(), n);
    List<String> deviceDims = new ArrayList<>();
    List<Port> stackedIn = stackedPorts(globalSignature.inputs(), in, deviceDims);
    List<Port> stackedOut = stackedPorts(globalSignature.outputs(), out, deviceDims);
    ModuleSignature stacked = new ModuleSignature(stackedIn, stackedOut);
    String text = StableHloPrinter.print(emulated);
    CpuProgram program = CpuProgram.load(new CompiledModule(text, stacked), options);
    return new SpmdProgram(globalSignature, stacked, in, out, List.copyOf(deviceDims), emulated, text, program);
  }

  /** The module's global ports: what {@link #run} takes and returns. */
  @Override
  public ModuleSignature signature() {
    return global;
  }

  /** The ports of the emulation: each global port's per-device shape, stacked {@code [device=N, local...]}. */
  public ModuleSignature stackedSignature() {
    return stacked;
  }

  public int devices() {
    return inputs.isEmpty() ? outputs.get(0).devices() : inputs.get(0).devices();
  }

  /** The single-device module XLA runs, structured. */
  public HloModule emulated() {
    return emulated;
  }

  /** The single-device module XLA runs, as text. */
  public String emulatedText() {
    return emulatedText;
  }

  /** How input {@code i} lies on the mesh. */
  public ShardedArrays inputLayout(int i) {
    return inputs.get(i);
  }

  /** How output {@code i} lies on the mesh. */
  public ShardedArrays outputLayout(int i) {
    return outputs.get(i);
  }

  /** Runs every device on its shards of {@code globalInputs}; returns the assembled global outputs. */
  @Override
  public Map<String, HostTensor> run(Map<String, HostTensor> globalInputs) {
    return runDevices(globalInputs).global();
  }

  /**
   * Inputs kept between runs. The emulation cuts whole global arrays into every device's shards on
   * each run, so it keeps them on the host and adds them to each run's inputs.
   */
  @Override
  public Resident keep(Map<String, HostTensor> inputs) {
    if (inputs == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to tensor)");
    if (closed) throw closedException("keep");
    Map<String, HostTensor> held = Map.copyOf(inputs);
    for (String name : held.keySet())
      if (global.inputs().stream().noneMatch(p -> p.name().equals(name)))
        throw new RuntimeInputException("cannot keep '" + name + "': the inputs are " + global.inputs().stream().map(Port::name).toList());
    return new Held(held);
  }

  /** Host arrays, so closing frees nothing; it only makes later runs with them fail, as in the other runtimes. */
  private static final class Held implements Resident {
    private final Map<String, HostTensor> inputs;
    private volatile boolean closed;

    Held(Map<String, HostTensor> inputs) {
      this.inputs = inputs;
    }

    @Override
    public Set<String> names() {
      return inputs.keySet();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Override
  public Map<String, HostTensor> run(Resident kept, Map<String, HostTensor> rest) {
    if (!(kept instanceof Held held)) throw new IllegalStateException("these kept inputs belong to another program");
    if (held.closed) throw new IllegalStateException("these kept inputs are closed; keep them again with keep()");
    if (rest == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to tensor)");
    Map<String, HostTensor> all = new LinkedHashMap<>(held.inputs);
    for (Map.Entry<String, HostTensor> e : rest.entrySet()) {
      if (all.containsKey(e.getKey())) throw new RuntimeInputException("input '" + e.getKey() + "' is both kept and given; give it once");
      all.put(e.getKey(), e.getValue());
    }
    return run(all);
  }

  /**
   * Runs every device on its shards of {@code globalInputs} (exactly the global signature's names
   * and types). Returns the assembled global outputs and each device's own.
   */
  public SpmdResult runDevices(Map<String, HostTensor> globalInputs) {
    checkInputs(globalInputs);
    Map<String, HostTensor> shards = new LinkedHashMap<>();
    for (int i = 0; i < global.inputs().size(); i++) {
      Port p = global.inputs().get(i);
      shards.put(p.name(), inputs.get(i).shard(globalInputs.get(p.name()), deviceDims.get(i)));
    }
    Map<String, HostTensor> results;
    try {
      results = program.run(shards);
    } catch (IllegalStateException e) {
      if (closed) throw closedException("run");
      throw e;
    }
    Map<String, HostTensor> assembled = new LinkedHashMap<>(), stackedOut = new LinkedHashMap<>();
    List<Map<String, HostTensor>> perDevice = new ArrayList<>();
    int n = devices();
    for (int d = 0; d < n; d++) perDevice.add(new LinkedHashMap<>());
    for (int i = 0; i < global.outputs().size(); i++) {
      Port p = global.outputs().get(i);
      ShardedArrays layout = outputs.get(i);
      HostTensor s = results.get(p.name());
      stackedOut.put(p.name(), s);
      assembled.put(p.name(), layout.assemble(s, p.type(), p.name()));
      TensorType local = layout.localType(p.type());
      int count = Math.toIntExact(local.shape().elements());
      if (p.type().dtype() == DType.I32) {
        int[] all = s.ints();
        for (int d = 0; d < n; d++) perDevice.get(d).put(p.name(), HostTensor.ofInts(local, Arrays.copyOfRange(all, d * count, (d + 1) * count)));
      } else {
        float[] all = s.floats();
        for (int d = 0; d < n; d++) perDevice.get(d).put(p.name(), HostTensor.ofFloats(local, Arrays.copyOfRange(all, d * count, (d + 1) * count)));
      }
    }
    return new SpmdResult(assembled, stackedOut, perDevice);
  }

  @Override
  public void close() {
    closed = true;
    program.close();
  }

  private static IllegalStateException closedException(String call) {
    return new IllegalStateException("cannot " + call + ": this SpmdProgram is closed; load the module again to run it");
  }

  // ---- load ----

  /** The signature names and types {@code main}'s ports, in order. */
  private static void requireMatches(HloModule spmd, ModuleSignature sig) {
    List<String> problems = new ArrayList<>();
    ports("argument", sig.inputs(), spmd.main().args().stream().map(v -> v.type()).toList(), spmd.argNames(), problems);
    ports("result", sig.outputs(), spmd.main().returns().stream().map(v -> v.type()).toList(), spmd.resultNames(), problems);
    if (!problems.isEmpty())
      throw new IllegalArgumentException("the signature does not match SPMD module @" + spmd.name() + ":\n  - " + String.join("\n  - ", problems));
  }

  private static void ports(String kind, List<Port> ports, List<HloType> types, List<String> names, List<String> problems) {
    if (ports.size() != types.size()) {
      problems.add("main has " + types.size() + " " + kind + "s, the signature " + ports.size());
      return;
    }
    for (int i = 0; i < ports.size(); i++) {
      Port p = ports.get(i);
      if (i < names.size() && !names.get(i).equals(p.name()))
        problems.add(kind + " " + i + " is '" + names.get(i) + "' in the module, '" + p.name() + "' in the signature");
      HloType t = new HloType(p.type().dtype(), p.type().shape().dims().stream().map(Dim::size).toList());
      if (!t.equals(types.get(i)))
        problems.add(kind + " " + i + " ('" + p.name() + "') is " + Dims.spell(types.get(i)) + " in the module, " + p.type() + " in the signature");
    }
  }

  private static List<ShardedArrays> layouts(List<Port> ports, List<HloSharding> shardings, int devices) {
    List<ShardedArrays> out = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++)
      out.add(ShardedArrays.of(ports.get(i).type().shape().dims().stream().map(Dim::size).toList(), shardings.get(i), devices));
    return out;
  }

  /** {@code [device=N, local...]}; the device dim is named "device" unless the port already has such a dim. */
  private static List<Port> stackedPorts(List<Port> ports, List<ShardedArrays> layouts, List<String> deviceDims) {
    List<Port> out = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      Port p = ports.get(i);
      String name = "device";
      while (p.type().shape().has(name)) name += "_";
      deviceDims.add(name);
      out.add(new Port(p.name(), layouts.get(i).stackedType(p.type(), name)));
    }
    return out;
  }

  // ---- run ----

  /** Every problem with the caller's inputs, before any native call. */
  private void checkInputs(Map<String, HostTensor> given) {
    if (given == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to global tensor)");
    List<String> problems = new ArrayList<>();
    Set<String> known = new LinkedHashSet<>();
    for (Port p : global.inputs()) {
      known.add(p.name());
      if (!given.containsKey(p.name())) {
        problems.add("missing input '" + p.name() + "' (expected global " + p.type() + ")");
        continue;
      }
      HostTensor t = given.get(p.name());
      if (t == null) problems.add("input '" + p.name() + "' is null (expected global " + p.type() + ")");
      else if (!t.type().equals(p.type()))
        problems.add("input '" + p.name() + "': expected global " + p.type() + ", got " + t.type()
            + (t.dtype() == p.type().dtype() && t.shape().sameDimsAs(p.type().shape())
                ? " (same dimensions in another order; lay the data out in the expected order)" : ""));
    }
    for (String name : given.keySet()) if (!known.contains(name)) problems.add("unexpected input '" + name + "' (the inputs are " + known + ")");
    if (!problems.isEmpty())
      throw new RuntimeInputException("SpmdProgram.run rejected its inputs; nothing was run:\n  - " + String.join("\n  - ", problems));
  }
}
