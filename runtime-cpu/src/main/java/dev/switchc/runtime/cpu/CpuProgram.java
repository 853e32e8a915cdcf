package dev.switchc.runtime.cpu;

import dev.switchc.ir.DType;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.InputCheck;
import dev.switchc.runtime.RuntimeInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.family.TType;

/**
 * A compiled StableHLO module ready to run on the CPU through TensorFlow's {@code XlaCallModule} op.
 *
 * <p>{@link #load} builds the graph once (a placeholder per input, the call op with {@code Tin},
 * {@code Tout} and {@code Sout} taken from the module's {@link ModuleSignature}) and opens one
 * session for the program's whole life: XLA compiles on the first {@link #run} and caches the
 * executable per session, so later runs only move data.
 *
 * <p>Thread-safety: every method may be called from any thread, and runs from several threads
 * proceed at once, each with its own inputs and results, giving the same results bit for bit as
 * the same runs one after another. A TensorFlow session is made for concurrent runs, and XLA's
 * compiled executable holds no state between runs; overlapping runs hides each run's fixed cost
 * (copies, TensorFlow's executor), while one large run already uses every core. {@link #close}
 * (and {@link Kept#close}) waits for the runs in progress, then frees the native session and
 * tensors: a run never sees them freed under it. A run, {@link #keep} or run with kept inputs
 * that starts after close fails with an {@link IllegalStateException} saying the program is closed.
 *
 * <p>Errors: {@link RuntimeInputException} for the caller's inputs (raised before any native
 * call), {@link XlaCompileException} when XLA rejects the module, {@link IllegalStateException}
 * when the module and its signature disagree, {@link XlaExecutionException} for other native
 * failures.
 */
public final class CpuProgram implements Executable {
  /** XlaCallModule serialization version; 4..9 are accepted by this TensorFlow, 10 is not. */
  private static final long XLA_CALL_MODULE_VERSION = 9L;

  private final CompiledModule module;
  private final Graph graph;
  private final Session session;
  private final List<Output<?>> feeds;
  private final Operation call;
  /**
   * Runs and {@link #keep} hold the read side, so any number proceed at once; {@link #close} and
   * {@link Kept#close} hold the write side, so they wait until no run uses native memory they free.
   */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Lock using = lock.readLock(), freeing = lock.writeLock();
  private boolean closed; // written holding freeing, read holding using
  private final Set<Kept> kept = ConcurrentHashMap.newKeySet(); // added to holding using, removed holding freeing

  private CpuProgram(CompiledModule module, Graph graph, Session session, List<Output<?>> feeds, Operation call) {
    this.module = module;
    this.graph = graph;
    this.session = session;
    this.feeds = feeds;
    this.call = call;
  }

  public static CpuProgram load(CompiledModule module) {
    return load(module, CpuOptions.DEFAULTS);
  }

  /** Builds the graph and opens the session; nothing is compiled until the first run. */
  public static CpuProgram load(CompiledModule module, CpuOptions options) {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(options, "options");
    ModuleSignature sig = module.signature();
    checkSignature(sig);
    Graph graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      List<Output<?>> feeds = new ArrayList<>();
      for (int i = 0; i < sig.inputs().size(); i++) feeds.add(placeholder(tf, "in_" + i, sig.inputs().get(i)));
      Operation call = callOp(graph, tf, module.text(), sig, feeds);
      Session session = new Session(graph, sessionConfig(options));
      return new CpuProgram(module, graph, session, List.copyOf(feeds), call);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  @Override
  public ModuleSignature signature() {
    return module.signature();
  }

  /**
   * Runs the program. {@code inputs} must hold exactly the signature's input names, each with the
   * port's dtype and named shape. Returns the outputs by name, in signature order.
   */
  @Override
  public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
    List<HostTensor> ordered = InputCheck.byName(signature().inputs(), inputs, "CpuProgram.run");
    List<HostTensor> results = runChecked(ordered);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (int i = 0; i < results.size(); i++) out.put(signature().outputs().get(i).name(), results.get(i));
    return out;
  }

  /**
   * Copies {@code inputs} (some of the signature's inputs, typically the parameters) into native
   * tensors once, for any number of {@link #run(Kept, Map)} calls: what changes per call (the
   * tokens) is then the only data moved. Close the result when done; closing the program closes it too.
   *
   * @throws RuntimeInputException if a name is not an input or a tensor does not match its port
   */
  @Override
  public Kept keep(Map<String, HostTensor> inputs) {
    if (inputs == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to tensor)");
    List<Port> ports = signature().inputs().stream().filter(p -> inputs.containsKey(p.name())).toList();
    Set<String> known = new HashSet<>();
    for (Port p : signature().inputs()) known.add(p.name());
    for (String name : inputs.keySet())
      if (!known.contains(name)) throw new RuntimeInputException("cannot keep '" + name + "': the inputs are " + known);
    List<HostTensor> ordered = InputCheck.byName(ports, inputs, "CpuProgram.keep");
    using.lock();
    try {
      requireOpen("keep");
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      try {
        for (int i = 0; i < ports.size(); i++) tensors.put(ports.get(i).name(), TensorIo.toNative(ordered.get(i)));
      } catch (RuntimeException | Error e) {
        closeAll(new ArrayList<>(tensors.values()));
        throw e;
      }
      Kept k = new Kept(tensors);
      kept.add(k);
      return k;
    } finally {
      using.unlock();
    }
  }

  /** Inputs held in native memory by {@link #keep}; fed to every run without a copy. */
  public final class Kept implements Resident {
    private final Map<String, Tensor> tensors;
    private boolean released; // written holding freeing, read holding using

    private Kept(Map<String, Tensor> tensors) {
      this.tensors = tensors;
    }

    @Override
    public Set<String> names() {
      return tensors.keySet();
    }

    @Override
    public void close() {
      freeing.lock();
      try {
        if (released) return;
        released = true;
        kept.remove(this);
        closeAll(new ArrayList<>(tensors.values()));
      } finally {
        freeing.unlock();
      }
    }
  }

  /**
   * Runs the program with {@code kept}'s inputs and {@code rest}, which must hold exactly the other
   * inputs. Returns the outputs by name, in signature order.
   */
  @Override
  public Map<String, HostTensor> run(Resident resident, Map<String, HostTensor> rest) {
    Objects.requireNonNull(resident, "kept");
    if (!(resident instanceof Kept kept)) throw new IllegalStateException("these kept inputs belong to another program");
    if (rest == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to tensor)");
    for (String name : rest.keySet())
      if (kept.tensors.containsKey(name)) throw new RuntimeInputException("input '" + name + "' is both kept and given; give it once");
    List<Port> others = signature().inputs().stream().filter(p -> !kept.tensors.containsKey(p.name())).toList();
    List<HostTensor> ordered = InputCheck.byName(others, rest, "CpuProgram.run");
    using.lock();
    try {
      requireOpen("run");
      if (kept.released || !this.kept.contains(kept))
        throw new IllegalStateException("these kept inputs are closed or belong to another program; keep them again with keep()");
      List<Tensor> fed = new ArrayList<>(ordered.size());
      try {
        Session.Runner runner = session.runner();
        List<Port> ins = signature().inputs();
        for (int i = 0, j = 0; i < ins.size(); i++) {
          Tensor t = kept.tensors.get(ins.get(i).name());
          if (t == null) {
            t = TensorIo.toNative(ordered.get(j++));
            fed.add(t);
          }
          runner.feed(feeds.get(i), t);
        }
        return fetch(runner);
      } finally {
        closeAll(fed);
      }
    } finally {
      using.unlock();
    }
  }

  /** Runs the program with inputs in signature order; returns the outputs in signature order. */
  public List<HostTensor> run(List<HostTensor> inputs) {
    return runChecked(InputCheck.byPosition(signature().inputs(), inputs, "CpuProgram.run"));
  }

  @Override
  public void close() {
    freeing.lock();
    try {
      if (closed) return;
      closed = true;
      for (Kept k : List.copyOf(kept)) k.close();
      try {
        session.close();
      } finally {
        graph.close();
      }
    } finally {
      freeing.unlock();
    }
  }

  private void requireOpen(String call) {
    if (closed)
      throw new IllegalStateException("cannot " + call + ": this CpuProgram is closed; load the module again to run it");
  }

  private List<HostTensor> runChecked(List<HostTensor> inputs) {
    using.lock();
    try {
      requireOpen("run");
      List<Tensor> fed = new ArrayList<>(inputs.size());
      try {
        Session.Runner runner = session.runner();
        for (int i = 0; i < inputs.size(); i++) {
          Tensor t = TensorIo.toNative(inputs.get(i));
          fed.add(t);
          runner.feed(feeds.get(i), t);
        }
        return List.copyOf(fetch(runner).values());
      } finally {
        closeAll(fed);
      }
    } finally {
      using.unlock();
    }
  }

  /** Fetches every output of a fed runner, by name in signature order. */
  private Map<String, HostTensor> fetch(Session.Runner runner) {
    List<Port> outs = signature().outputs();
    for (int i = 0; i < outs.size(); i++) runner.fetch(call.output(i));
    try (Result result = runNative(runner)) {
      Map<String, HostTensor> values = new LinkedHashMap<>();
      for (int i = 0; i < outs.size(); i++) values.put(outs.get(i).name(), TensorIo.fromNative(result.get(i), outs.get(i)));
      return values;
    }
  }

  private Result runNative(Session.Runner runner) {
    try {
      return runner.run();
    } catch (RuntimeException e) { // TensorFlow's exceptions share no base class; see NativeErrors
      throw NativeErrors.translate(e, module.text());
    }
  }

  private static void closeAll(List<Tensor> tensors) {
    RuntimeException first = null;
    for (Tensor t : tensors) {
      try {
        t.close();
      } catch (RuntimeException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }

  // ---- graph construction ----

  /**
   * Rejects signatures the runtime cannot serve. The signature is otherwise trusted, and must be:
   * if it lists fewer outputs than the module's main returns, TensorFlow fails a native CHECK and
   * aborts the whole JVM; if an output's dtype is wrong, XLA hands back the bits under the claimed
   * dtype. (More outputs, or wrong output shapes, are caught and reported.)
   */
  private static void checkSignature(ModuleSignature sig) {
    if (sig.outputs().isEmpty()) throw new IllegalArgumentException("the module signature has no outputs");
    checkPorts("input", sig.inputs());
    checkPorts("output", sig.outputs());
  }

  private static void checkPorts(String kind, List<Port> ports) {
    Set<String> seen = new HashSet<>();
    for (Port p : ports) {
      if (!seen.add(p.name())) throw new IllegalArgumentException(kind + " name '" + p.name() + "' appears twice in the module signature");
      if (p.type().dtype() == DType.PRED || p.type().dtype() == DType.U32)
        throw new IllegalArgumentException(kind + " '" + p.name() + "' is " + p.type()
            + ": only f32, bf16, f64 and i32 cross the CPU runtime boundary; convert it inside the module");
    }
  }

  private static Output<?> placeholder(Ops tf, String name, Port port) {
    return typedPlaceholder(tf, name, TfTypes.tensorClass(port.type().dtype()), port);
  }

  private static <T extends TType> Output<T> typedPlaceholder(Ops tf, String name, Class<T> type, Port port) {
    return tf.withName(name).placeholder(type, Placeholder.shape(TfTypes.shape(port.type().shape()))).output();
  }

  private static Operation callOp(Graph graph, Ops tf, String text, ModuleSignature sig, List<Output<?>> feeds) {
    OperationBuilder b = graph.opBuilder("XlaCallModule", "call", tf.scope());
    b.addInputList(feeds.toArray(new Output<?>[0]));
    b.setAttr("version", XLA_CALL_MODULE_VERSION);
    b.setAttr("module", text);
    b.setAttr("Tin", sig.inputs().stream().map(p -> TfTypes.dataType(p.type().dtype())).toArray(DataType[]::new));
    b.setAttr("Tout", sig.outputs().stream().map(p -> TfTypes.dataType(p.type().dtype())).toArray(DataType[]::new));
    b.setAttr("Sout", sig.outputs().stream().map(p -> TfTypes.shape(p.type().shape()))
        .toArray(org.tensorflow.ndarray.Shape[]::new));
    b.setAttr("platforms", new String[] {"CPU"});
    b.setAttr("dim_args_spec", new String[0]);
    return b.build();
  }

  private static ConfigProto sessionConfig(CpuOptions options) {
    ConfigProto.Builder c = ConfigProto.newBuilder();
    if (options.intraOpThreads() > 0) c.setIntraOpParallelismThreads(options.intraOpThreads());
    if (options.interOpThreads() > 0) c.setInterOpParallelismThreads(options.interOpThreads());
    return c.build();
  }
}
