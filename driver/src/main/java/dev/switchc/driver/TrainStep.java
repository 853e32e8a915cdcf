package dev.switchc.driver;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.ir.optim.TrainStepFunc;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.tpu.PjrtProgram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's training step compiled into one program: the train-mode forward, its gradient w.r.t.
 * every trained parameter, and the optimizer's update ({@link TrainStepFunc}), sharded over the
 * program's mesh ({@link Compilation#trainStep}) and run on a {@link Backend}.
 *
 * <p>Residency: {@link #run} makes a host round trip of the parameters and optimizer state each
 * step (any runtime). A {@link Loop} from {@link #start} keeps them on the devices between steps
 * where the runtime can hold buffers there (PJRT: XLA's CPU devices, a plugin's): each step
 * uploads its batch and step number and copies out only the metrics; the updated parameters and
 * state stay on the devices as the next step's inputs ({@link PjrtProgram#runCarrying}). The
 * emulation of the mesh, a test oracle, makes the round trip.
 */
public final class TrainStep implements AutoCloseable {
  /** Parameters and optimizer state after {@code step} updates, by input name. */
  public record State(Map<String, HostTensor> params, Map<String, HostTensor> optimizer, int step) {
    public State {
      params = Map.copyOf(params);
      optimizer = Map.copyOf(optimizer);
    }
  }

  /**
   * The state after a step and that step's metrics, computed before the update: the scalars (loss,
   * cross_entropy, aux_loss, z_loss, dropped_fraction, dropped_fraction/LAYER) by name, and each
   * element of a count vector as NAME/INDEX ({@code tokens_per_expert/decoder/layer_001/3}).
   */
  public record Result(State next, Map<String, Double> metrics) {}

  private final Func func;
  private final List<String> trained;
  private final List<String> metrics;
  private final Executable program;

  private TrainStep(Func func, List<String> trained, List<String> metrics, Executable program) {
    this.func = func;
    this.trained = trained;
    this.metrics = metrics;
    this.program = program;
  }

  /**
   * Compiles {@code c}'s train-mode program, its loss differentiated w.r.t. every trained
   * parameter, with {@code optimizer}, for ONE device whatever {@code c}'s mesh, on XLA's CPU
   * client.
   */
  public static TrainStep compile(Compilation c, String loss, Optimizer optimizer) {
    if (c.mode() != Mode.TRAIN) throw new IllegalArgumentException("a training step needs the train-mode program, got " + c.mode());
    return compile(c.multiDevice() ? Compilation.of(Program.single(c.program().definition()), c.mode()) : c, loss, optimizer, new Backend.Xla());
  }

  /**
   * Compiles {@code c}'s training step sharded over {@code c}'s mesh and loads it on {@code
   * backend}. On {@link Backend.Xla} it runs through PJRT on as many XLA CPU devices as the mesh
   * has, one device included, so that the state can stay resident on every mesh. Like a run, the
   * step is refused before anything is allocated when it cannot fit this machine ({@link RunMemory}:
   * the step's parameters, optimizer state, batch and outputs as host arrays, and per device the
   * step's plan: parameters, state, inputs and its activation peak).
   *
   * @throws UserInputError if the step cannot fit this machine
   */
  public static TrainStep compile(Compilation c, String loss, Optimizer optimizer, Backend backend) {
    if (c.mode() != Mode.TRAIN) throw new IllegalArgumentException("a training step needs the train-mode program, got " + c.mode());
    List<String> trained = ParameterInit.of(c.global(), c.dataInputNames()).stream().map(ParameterInit.ParamSpec::name).toList();
    Compilation step = c.trainStep(loss, optimizer);
    RunMemory.check(step, backend.memory());
    List<String> metrics = step.global().results().stream().map(Binding::name)
        .filter(n -> !n.startsWith(TrainStepFunc.NEW_PARAM) && !n.startsWith(TrainStepFunc.NEW_STATE)).toList(); // the forward's scalars, a layer's loss among them
    Executable e = backend instanceof Backend.Xla ? Backend.onXlaCpuDevices(step) : backend.load(step);
    return new TrainStep(step.global(), trained, metrics, e);
  }

  public Func func() {
    return func;
  }

  /** The loaded program: a {@link PjrtProgram} where the state can stay on the devices. */
  public Executable program() {
    return program;
  }

  /** {@code params} (every trained parameter, row-major f32) with zero optimizer state, before step 1. */
  public State init(Map<String, float[]> params) {
    Map<String, HostTensor> p = new LinkedHashMap<>(), s = new LinkedHashMap<>();
    for (String name : trained) {
      float[] v = params.get(name);
      if (v == null) throw new IllegalArgumentException("no value for parameter '" + name + "'");
      p.put(name, HostTensor.ofFloats(func.param(name).value().type(), v));
    }
    for (Binding b : func.params())
      if (b.name().startsWith(TrainStepFunc.STATE)) s.put(b.name(), HostTensor.zeros(b.value().type()));
    return new State(p, s, 0);
  }

  /** Step {@code state.step() + 1} on {@code batch} (every data input of the model, the noise seed among them if it has one). */
  public Result run(State state, Map<String, HostTensor> batch) {
    Map<String, HostTensor> in = new LinkedHashMap<>(state.params());
    in.putAll(state.optimizer());
    in.putAll(batch);
    int step = state.step() + 1;
    in.put(TrainStepFunc.STEP, stepTensor(step));
    Map<String, HostTensor> out = program.run(in);
    Map<String, HostTensor> p = new LinkedHashMap<>(), s = new LinkedHashMap<>();
    for (String name : trained) p.put(name, out.get(TrainStepFunc.NEW_PARAM + name));
    for (String name : state.optimizer().keySet()) s.put(name, out.get(newStateOf(name)));
    return new Result(new State(p, s, step), metrics(out));
  }

  private HostTensor stepTensor(int step) {
    return HostTensor.ofInts(func.param(TrainStepFunc.STEP).value().type(), new int[] {step});
  }

  /** The result name of optimizer state input {@code name}. */
  private static String newStateOf(String name) {
    return TrainStepFunc.NEW_STATE + name.substring(TrainStepFunc.STATE.length());
  }

  /** The step's metrics among its outputs: scalars by name, count vectors element by element (NAME/INDEX). */
  private Map<String, Double> metrics(Map<String, HostTensor> out) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String name : metrics) {
      HostTensor t = out.get(name);
      if (t.type().shape().rank() == 0) m.put(name, element(t, 0));
      else for (int e = 0; e < t.size(); e++) m.put(name + "/" + e, element(t, e));
    }
    return m;
  }

  private static double element(HostTensor t, int e) {
    return switch (t.dtype()) {
      case F64 -> t.doubleAt(e);
      case F32, BF16 -> t.floatAt(e);
      default -> t.intAt(e);
    };
  }

  /**
   * A run of steps from one state: the parameters and optimizer state belong to the loop between
   * steps; each {@link #step} takes a batch and gives that step's metrics; {@link #state} copies the
   * current state out (for a checkpoint). Where the runtime can hold buffers on its devices, the state
   * stays there between steps; otherwise it makes the host round trip of {@link #run}.
   */
  public interface Loop extends AutoCloseable {
    /** One step on {@code batch}: the metrics of {@link Result#metrics()}. */
    Map<String, Double> step(Map<String, HostTensor> batch);

    /** The state after the steps run so far. */
    State state();

    @Override
    void close();
  }

  /** A loop starting from {@code state}: resident on the devices where the program runs through PJRT. */
  public Loop start(State state) {
    return program instanceof PjrtProgram p ? new ResidentLoop(p, state) : new HostLoop(state);
  }

  /** Each step a host round trip ({@link #run}). */
  private final class HostLoop implements Loop {
    private State current;

    HostLoop(State state) {
      this.current = state;
    }

    @Override
    public Map<String, Double> step(Map<String, HostTensor> batch) {
      Result r = run(current, batch);
      current = r.next();
      return r.metrics();
    }

    @Override
    public State state() {
      return current;
    }

    @Override
    public void close() {}
  }

  /**
   * The parameters and optimizer state kept on the devices ({@link PjrtProgram#keep}); each step
   * carries {@code param'/x} into {@code x} and {@code state'/x/slot} into {@code state/x/slot}.
   * Not for several threads at once: steps are a sequence.
   */
  private final class ResidentLoop implements Loop {
    private final PjrtProgram program;
    private final Executable.Resident kept;
    private final Map<String, String> carry = new LinkedHashMap<>();
    private final List<String> optimizer;
    private int step;

    ResidentLoop(PjrtProgram program, State state) {
      this.program = program;
      Map<String, HostTensor> held = new LinkedHashMap<>(state.params());
      held.putAll(state.optimizer());
      this.kept = program.keep(held);
      this.optimizer = List.copyOf(state.optimizer().keySet());
      for (String name : state.params().keySet()) carry.put(TrainStepFunc.NEW_PARAM + name, name);
      for (String name : optimizer) carry.put(newStateOf(name), name);
      this.step = state.step();
    }

    @Override
    public Map<String, Double> step(Map<String, HostTensor> batch) {
      Map<String, HostTensor> in = new LinkedHashMap<>(batch);
      in.put(TrainStepFunc.STEP, stepTensor(step + 1));
      Map<String, HostTensor> out = program.runCarrying(kept, carry, in);
      step++;
      return metrics(out);
    }

    @Override
    public State state() {
      Map<String, HostTensor> all = program.read(kept, carry.values());
      Map<String, HostTensor> p = new LinkedHashMap<>(), s = new LinkedHashMap<>();
      for (String name : optimizer) s.put(name, all.remove(name));
      p.putAll(all);
      return new State(p, s, step);
    }

    @Override
    public void close() {
      kept.close();
    }
  }

  @Override
  public void close() {
    program.close();
  }
}
