package dev.switchc.runtime.tpu;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import dev.switchc.lowering.StableHloPrinter;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.InputCheck;
import dev.switchc.runtime.RuntimeInputException;
import dev.switchc.runtime.ShardedArrays;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An SPMD program compiled by XLA (its SPMD partitioner, one partition per mesh device) and run on
 * the devices of a {@link DeviceClient}: global host arrays in, global host arrays out.
 *
 * <p>Each run cuts every global input into the shard each device holds under the module's argument
 * sharding ({@link ShardedArrays}), copies the shards to their devices, runs, copies every
 * device's results back and assembles each global output from them by the result sharding; the
 * replicas of a result (devices holding the same tile) must agree bit for bit, or the run fails.
 * Inputs kept with {@link #keep} stay on the devices between runs; {@link #runCarrying} also keeps
 * outputs there, as the kept inputs of the next run (a training step's parameters and optimizer
 * state), and {@link #read} copies kept inputs out on demand. {@link #traffic()} counts the bytes
 * moved each way.
 *
 * <p>Errors: {@link RuntimeInputException} for the caller's inputs, before any native call;
 * {@link XlaException} with XLA's or the plugin's message when compiling or running fails;
 * {@link IllegalStateException} when replicas disagree.
 *
 * <p>Thread-safety: every method may be called from any thread, and runs from several threads
 * proceed at once (each copies its own shards in), giving the same results bit for bit as the same
 * runs one after another. Executions are serialized per client, from the launch until every result
 * has been copied out: XLA's CPU client executes asynchronously, and two executions in flight at
 * once can deadlock inside XLA's in-process collectives (each holds some devices' threads in an
 * all-reduce that waits for peers the other's devices hold; seen on 2 cores with 4 devices). Holding
 * the lock only for the launch, as the bridge's own lock does, is not enough. {@link #close} (and closing kept inputs)
 * waits for the runs in progress before it frees native buffers and the executable, so no run
 * uses a freed handle; a call that starts after close fails with an {@link IllegalStateException}
 * saying the program is closed. Kept inputs that {@link #runCarrying} replaces are guarded by a
 * lock of their own: runs that only read them proceed at once, a carrying run excludes every other
 * run and read of the same kept inputs while it swaps their buffers. A client this program does
 * not own must outlive it.
 */
public final class PjrtProgram implements Executable {
  private final DeviceClient client;
  private final boolean ownsClient;
  private final DeviceClient.Compiled compiled;
  private final ModuleSignature global;
  private final List<ShardedArrays> inputs, outputs;
  private final long[] devices;
  /**
   * Direct buffers for copying shards, one set per run in progress: taken at the start of a run
   * and put back at its end, so there are never more sets than concurrent runs (allocating them
   * per run would grow native memory until a GC).
   */
  private final Queue<Map<String, ByteBuffer>> stagingSets = new ConcurrentLinkedQueue<>();
  /**
   * Runs and keep hold the read side, so any number proceed at once; close and closing kept inputs
   * hold the write side, so they wait until no run uses the handles they free.
   */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Lock using = lock.readLock(), freeing = lock.writeLock();
  private final Set<Kept> kept = ConcurrentHashMap.newKeySet(); // added to holding using, removed holding freeing
  private boolean closed; // written holding freeing, read holding using
  /** Bytes copied to and from the devices, for {@link #traffic()}. */
  private final AtomicLong uploaded = new AtomicLong(), downloaded = new AtomicLong();

  private PjrtProgram(DeviceClient client, boolean ownsClient, DeviceClient.Compiled compiled, ModuleSignature global, HloModule spmd) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.compiled = compiled;
    this.global = global;
    int n = spmd.numPartitions();
    this.inputs = layouts(global.inputs(), spmd.argShardings(), n);
    this.outputs = layouts(global.outputs(), spmd.resultShardings(), n);
    this.devices = compiled.devices();
    if (devices.length != n)
      throw new IllegalStateException("the executable runs on " + devices.length + " devices, the module has " + n + " partitions");
  }

  /**
   * Compiles {@code spmd} (printed as {@code text}) for its {@code mhlo.num_partitions} devices of
   * {@code client}: one replica, SPMD partitioning, partition p on the client's device p.
   * {@code ownsClient}: close the client with the program.
   */
  public static PjrtProgram compile(DeviceClient client, boolean ownsClient, HloModule spmd, String text, ModuleSignature global) {
    DeviceClient.Compiled compiled = client.compile(text, compileOptions(client, spmd.numPartitions()));
    try {
      return new PjrtProgram(client, ownsClient, compiled, global, spmd);
    } catch (RuntimeException e) {
      compiled.close();
      throw e;
    }
  }

  /** {@link #compile(DeviceClient, boolean, HloModule, String, ModuleSignature)} of {@code spmd} as StableHloPrinter prints it. */
  public static PjrtProgram compile(DeviceClient client, boolean ownsClient, HloModule spmd, ModuleSignature global) {
    return compile(client, ownsClient, spmd, StableHloPrinter.print(spmd), global);
  }

  /** A program from a serialized executable of {@code spmd} (see {@link #serialize()}), without compiling again. */
  public static PjrtProgram deserialize(DeviceClient client, boolean ownsClient, byte[] executable, HloModule spmd, ModuleSignature global) {
    DeviceClient.Compiled compiled = client.deserialize(executable);
    try {
      return new PjrtProgram(client, ownsClient, compiled, global, spmd);
    } catch (RuntimeException e) {
      compiled.close();
      throw e;
    }
  }

  /** CompileOptionsProto for {@code partitions} partitions on the client's devices in mesh order ({@link MeshDevices}). */
  static byte[] compileOptions(DeviceClient client, int partitions) {
    return PjrtCompileOptions.spmd(MeshDevices.ids(client.devices(), partitions, "the " + client.platform() + " client"));
  }

  private static List<ShardedArrays> layouts(List<Port> ports, List<HloSharding> shardings, int devices) {
    if (shardings.size() != ports.size())
      throw new IllegalArgumentException("the module has " + shardings.size() + " shardings for " + ports.size() + " ports");
    List<ShardedArrays> out = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++)
      out.add(ShardedArrays.of(ports.get(i).type().shape().dims().stream().map(Dim::size).toList(), shardings.get(i), devices));
    return List.copyOf(out);
  }

  @Override
  public ModuleSignature signature() {
    return global;
  }

  /** The platform's serialized executable, for {@link #deserialize}. */
  public byte[] serialize() {
    return compiled.serialize();
  }

  /** XLA's program after partitioning and optimization (HLO text); see {@link DeviceClient.Compiled#optimizedHlo()}. */
  public String optimizedHlo() {
    return compiled.optimizedHlo();
  }

  @Override
  public Map<String, HostTensor> run(Map<String, HostTensor> in) {
    List<HostTensor> ordered = InputCheck.byName(global.inputs(), in, "PjrtProgram.run");
    using.lock();
    Map<String, ByteBuffer> staging = takeStaging();
    long[][] buffers = new long[global.inputs().size()][];
    try {
      requireOpen("run");
      for (int i = 0; i < ordered.size(); i++) buffers[i] = upload(i, ordered.get(i), staging);
      return execute(buffers, staging, new long[global.outputs().size()][]);
    } finally {
      try {
        freeAll(buffers);
      } finally {
        stagingSets.add(staging);
        using.unlock();
      }
    }
  }

  @Override
  public Resident keep(Map<String, HostTensor> in) {
    if (in == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to tensor)");
    for (String name : in.keySet())
      if (global.inputs().stream().noneMatch(p -> p.name().equals(name)))
        throw new RuntimeInputException("cannot keep '" + name + "': the inputs are " + global.inputs().stream().map(Port::name).toList());
    List<Port> ports = global.inputs().stream().filter(p -> in.containsKey(p.name())).toList();
    List<HostTensor> ordered = InputCheck.byName(ports, in, "PjrtProgram.keep");
    using.lock();
    Map<String, ByteBuffer> staging = takeStaging();
    try {
      requireOpen("keep");
      Map<String, long[]> held = new LinkedHashMap<>();
      try {
        for (int k = 0; k < ports.size(); k++)
          held.put(ports.get(k).name(), upload(global.inputs().indexOf(ports.get(k)), ordered.get(k), staging));
      } catch (RuntimeException | Error e) {
        freeAll(held.values().toArray(long[][]::new));
        throw e;
      }
      Kept k = new Kept(held);
      kept.add(k);
      return k;
    } finally {
      stagingSets.add(staging);
      using.unlock();
    }
  }

  /**
   * Inputs held on the devices: each a buffer per device. A carrying run replaces buffers holding
   * {@code swap}'s write side; runs and reads use them holding its read side.
   */
  private final class Kept implements Resident {
    private final Map<String, long[]> buffers;
    private final Set<String> names;
    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private boolean released; // written holding freeing, read holding using

    Kept(Map<String, long[]> buffers) {
      this.buffers = buffers;
      this.names = Set.copyOf(buffers.keySet());
    }

    @Override
    public Set<String> names() {
      return names;
    }

    PjrtProgram program() {
      return PjrtProgram.this;
    }

    @Override
    public void close() {
      freeing.lock();
      try {
        if (released) return;
        released = true;
        kept.remove(this);
        freeAll(buffers.values().toArray(long[][]::new));
      } finally {
        freeing.unlock();
      }
    }
  }

  @Override
  public Map<String, HostTensor> run(Resident resident, Map<String, HostTensor> rest) {
    return runCarrying(resident, Map.of(), rest);
  }

  /**
   * Runs with {@code resident}'s inputs and {@code rest} (exactly the other inputs), like {@link
   * #run(Resident, Map)}, except that each output named in {@code carry} (output name to the name
   * of one of {@code resident}'s inputs) is not copied out: it stays on the devices and replaces
   * that input in {@code resident} for the next run, whose old buffers are freed. Returns the other
   * outputs. A carried output must have its input's type and be split over the devices as that
   * input is (checked before any native call), so each device's result is its shard of the next
   * run's input. On failure {@code resident} keeps the inputs it had.
   *
   * @throws RuntimeInputException if {@code carry} names an output or kept input that does not exist, one input twice, or an output that does not fit its input
   */
  public Map<String, HostTensor> runCarrying(Resident resident, Map<String, String> carry, Map<String, HostTensor> rest) {
    Kept k = own(resident);
    if (rest == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to tensor)");
    for (String name : rest.keySet())
      if (k.names.contains(name)) throw new RuntimeInputException("input '" + name + "' is both kept and given; give it once");
    CarriedOutputs carriedInto = CarriedOutputs.of(carry, global, inputs, outputs, k.names, devices.length);
    List<Port> others = global.inputs().stream().filter(p -> !k.names.contains(p.name())).toList();
    List<HostTensor> ordered = InputCheck.byName(others, rest, "PjrtProgram.run");
    Lock swapLock = carriedInto.isEmpty() ? k.swap.readLock() : k.swap.writeLock();
    using.lock();
    swapLock.lock();
    Map<String, ByteBuffer> staging = takeStaging();
    long[][] buffers = new long[global.inputs().size()][];
    long[][] fresh = new long[others.size()][];
    long[][] carried = new long[global.outputs().size()][];
    for (int j = 0; j < carried.length; j++) if (carriedInto.carried(j)) carried[j] = new long[0]; // marks it for execute
    try {
      requireOpen("run");
      if (k.released) throw new IllegalStateException("these kept inputs are closed; keep them again with keep()");
      for (int i = 0, j = 0; i < buffers.length; i++) {
        long[] held = k.buffers.get(global.inputs().get(i).name());
        buffers[i] = held != null ? held : (fresh[j] = upload(i, ordered.get(j++), staging));
      }
      Map<String, HostTensor> out = execute(buffers, staging, carried);
      // The run has finished on every device (execute waited), so the old buffers are unused.
      for (int j = 0; j < carried.length; j++) {
        if (carried[j] == null) continue;
        String input = global.inputs().get(carriedInto.input(j)).name();
        fresh = append(fresh, k.buffers.put(input, carried[j]));
        carried[j] = null;
      }
      return out;
    } finally {
      try {
        freeAll(carried);
      } finally {
        try {
          freeAll(fresh);
        } finally {
          stagingSets.add(staging);
          swapLock.unlock();
          using.unlock();
        }
      }
    }
  }

  /**
   * Copies {@code names} (inputs held by {@code resident}) out of the devices, as global arrays.
   *
   * @throws RuntimeInputException if a name is not one of {@code resident}'s inputs
   */
  public Map<String, HostTensor> read(Resident resident, Collection<String> names) {
    Kept k = own(resident);
    for (String name : names)
      if (!k.names.contains(name)) throw new RuntimeInputException("cannot read '" + name + "': the kept inputs are " + k.names);
    using.lock();
    k.swap.readLock().lock();
    Map<String, ByteBuffer> staging = takeStaging();
    try {
      requireOpen("read");
      if (k.released) throw new IllegalStateException("these kept inputs are closed; keep them again with keep()");
      Map<String, HostTensor> out = new LinkedHashMap<>();
      for (String name : names) {
        int i = CarriedOutputs.index(global.inputs(), name, "input");
        out.put(name, download(global.inputs().get(i), inputs.get(i), k.buffers.get(name), staging, "in" + i));
      }
      return out;
    } finally {
      stagingSets.add(staging);
      k.swap.readLock().unlock();
      using.unlock();
    }
  }

  /** Bytes copied to the devices and from them since this program was made (kept inputs included). */
  public record Traffic(long uploaded, long downloaded) {}

  public Traffic traffic() {
    return new Traffic(uploaded.get(), downloaded.get());
  }

  private Kept own(Resident resident) {
    if (!(resident instanceof Kept k) || k.program() != this)
      throw new IllegalStateException("these kept inputs belong to another program; keep them with this program's keep()");
    return k;
  }

  private static long[][] append(long[][] a, long[] b) {
    long[][] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  @Override
  public void close() {
    freeing.lock();
    try {
      if (closed) return;
      closed = true;
      for (Kept k : List.copyOf(kept)) k.close();
      try {
        compiled.close();
      } finally {
        if (ownsClient) client.close();
      }
    } finally {
      freeing.unlock();
    }
  }

  private void requireOpen(String call) {
    if (closed) throw new IllegalStateException("cannot " + call + ": this PjrtProgram is closed; compile or deserialize it again to run it");
  }

  /** A staging set no other run is using: a free one, or a new one when every set is in use. */
  private Map<String, ByteBuffer> takeStaging() {
    Map<String, ByteBuffer> set = stagingSets.poll();
    return set != null ? set : new HashMap<>();
  }

  /** Input {@code i}'s shards, one buffer per device (in argument-list order). */
  private long[] upload(int i, HostTensor value, Map<String, ByteBuffer> staging) {
    ShardedArrays layout = inputs.get(i);
    TensorType type = global.inputs().get(i).type();
    int count = Math.toIntExact(layout.localDims().stream().reduce(1L, Math::multiplyExact));
    ByteBuffer shard = staging(staging, "in" + i, (long) count * type.dtype().bytes());
    long[] dims = layout.localDims().stream().mapToLong(Long::longValue).toArray();
    long[] out = new long[devices.length];
    float[] floats = type.dtype().isFloat() ? layout.shard(value.floatBuffer()) : null;
    int[] ints = floats == null ? layout.shard(value.intBuffer()) : null;
    try {
      for (int d = 0; d < devices.length; d++) {
        shard.clear();
        if (floats != null) putFloats(shard, type.dtype(), floats, d * count, count);
        else for (int e = 0; e < count; e++) shard.putInt(ints[d * count + e]);
        shard.flip();
        out[d] = client.upload(devices[d], type.dtype(), dims, shard);
        uploaded.addAndGet(shard.limit());
      }
    } catch (RuntimeException | Error e) {
      freeAll(new long[][] {out});
      throw e;
    }
    return out;
  }

  /**
   * Runs with {@code args[input][device]}; downloads every result but those whose {@code carried}
   * entry is non-null on entry, which are moved there instead ({@code carried[output][device]},
   * freed by the caller), and assembles the global outputs; frees the rest of the results. Returns
   * only once every device has finished: see the class comment.
   */
  private Map<String, HostTensor> execute(long[][] args, Map<String, ByteBuffer> staging, long[][] carried) {
    long[][] perDevice = new long[devices.length][args.length];
    for (int d = 0; d < devices.length; d++) for (int i = 0; i < args.length; i++) perDevice[d][i] = args[i][d];
    synchronized (client) { // one execution in flight per client, until its results are out: see the class comment
      long[][] results = compiled.execute(perDevice);
      try {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        boolean waited = false;
        for (int j = 0; j < global.outputs().size(); j++) {
          if (carried[j] != null) continue;
          out.put(global.outputs().get(j).name(), download(global.outputs().get(j), outputs.get(j), column(results, j), staging, "out" + j));
          waited = true;
        }
        if (!waited) awaitDevices(results, staging);
        for (int j = 0; j < carried.length; j++) {
          if (carried[j] == null) continue;
          carried[j] = column(results, j);
          for (long[] r : results) r[j] = 0;
        }
        return out;
      } finally {
        freeAll(results);
      }
    }
  }

  /**
   * Waits until every device has finished a run whose outputs all stay on the devices, by copying
   * the smallest output out of each: a device's results all become ready when its run ends (one
   * event per execution in XLA's CPU client and in PJRT plugins), and the next launch must not
   * start before then (see the class comment).
   */
  private void awaitDevices(long[][] results, Map<String, ByteBuffer> staging) {
    int smallest = 0;
    for (int j = 1; j < global.outputs().size(); j++)
      if (global.outputs().get(j).type().bytes() < global.outputs().get(smallest).type().bytes()) smallest = j;
    download(global.outputs().get(smallest), outputs.get(smallest), column(results, smallest), staging, "out" + smallest);
  }

  private static long[] column(long[][] results, int j) {
    long[] c = new long[results.length];
    for (int d = 0; d < results.length; d++) c[d] = results[d][j];
    return c;
  }

  /** The global array of {@code port} from its shard on each device ({@code perDevice[d]}), copied through staging buffer {@code key}. */
  private HostTensor download(Port port, ShardedArrays layout, long[] perDevice, Map<String, ByteBuffer> staging, String key) {
    DType dtype = port.type().dtype();
    int count = Math.toIntExact(layout.localDims().stream().reduce(1L, Math::multiplyExact));
    ByteBuffer shard = staging(staging, key, (long) count * dtype.bytes());
    float[] floats = dtype.isFloat() ? new float[devices.length * count] : null;
    int[] ints = floats == null ? new int[devices.length * count] : null;
    for (int d = 0; d < devices.length; d++) {
      shard.clear();
      client.download(perDevice[d], shard);
      downloaded.addAndGet(shard.capacity());
      shard.rewind();
      if (floats != null) getFloats(shard, dtype, floats, d * count, count);
      else for (int e = 0; e < count; e++) ints[d * count + e] = shard.getInt();
    }
    return floats != null ? HostTensor.adoptFloats(port.type(), layout.assemble(floats, port.name()))
        : HostTensor.adoptInts(port.type(), layout.assemble(ints, port.name()));
  }

  /** A direct buffer of exactly {@code bytes} from {@code staging}, kept there for the next run. */
  private static ByteBuffer staging(Map<String, ByteBuffer> staging, String key, long bytes) {
    ByteBuffer b = staging.get(key);
    if (b == null || b.capacity() != bytes) {
      b = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
      staging.put(key, b);
    }
    return b;
  }

  /** f32 as is; bf16 as the upper half of each value's f32 bits (exact: a HostTensor's bf16 values are bf16 numbers). */
  private static void putFloats(ByteBuffer b, DType dtype, float[] v, int from, int count) {
    if (dtype == DType.BF16) for (int e = 0; e < count; e++) b.putShort((short) (Float.floatToRawIntBits(v[from + e]) >>> 16));
    else for (int e = 0; e < count; e++) b.putFloat(v[from + e]);
  }

  private static void getFloats(ByteBuffer b, DType dtype, float[] v, int from, int count) {
    if (dtype == DType.BF16) for (int e = 0; e < count; e++) v[from + e] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
    else for (int e = 0; e < count; e++) v[from + e] = b.getFloat();
  }

  private void freeAll(long[][] buffers) {
    RuntimeException first = null;
    for (long[] perDevice : buffers) {
      if (perDevice == null) continue;
      for (long b : perDevice) {
        if (b == 0) continue;
        try {
          client.free(b);
        } catch (RuntimeException e) {
          if (first == null) first = e;
        }
      }
    }
    if (first != null) throw first;
  }
}
