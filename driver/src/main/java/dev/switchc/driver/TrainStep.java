package dev.switchc.driver;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.ir.optim.TrainStepFunc;
import dev.switchc.lowering.StableHlo;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.cpu.CpuProgram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's training step compiled into one XLA program on one CPU device: the train-mode
 * forward, its gradient w.r.t. every trained parameter, and the optimizer's update
 * ({@link TrainStepFunc}).
 *
 * <p>Residency: {@link CpuProgram#keep} holds inputs that do not change between runs, and the
 * parameters and optimizer state change every step, so they are not kept. Each step feeds the
 * previous step's outputs back as inputs: the runtime copies them out of XLA into host arrays and
 * back in again every step. Nothing stays on the device between steps with this runtime API (it
 * has no buffer donation or device-resident outputs); for the CPU backend that is a host memcpy
 * per tensor per step.
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
  private final CpuProgram program;

  private TrainStep(Func func, List<String> trained, List<String> metrics, CpuProgram program) {
    this.func = func;
    this.trained = trained;
    this.metrics = metrics;
    this.program = program;
  }

  /** Compiles {@code c}'s train-mode program, its loss differentiated w.r.t. every trained parameter, with {@code optimizer}. */
  public static TrainStep compile(Compilation c, String loss, Optimizer optimizer) {
    if (c.mode() != Mode.TRAIN) throw new IllegalArgumentException("a training step needs the train-mode program, got " + c.mode());
    List<String> trained = ParameterInit.of(c.global(), c.dataInputNames()).stream().map(ParameterInit.ParamSpec::name).toList();
    Func f = TrainStepFunc.build(c.global(), loss, trained, optimizer);
    List<String> metrics = c.global().results().stream().filter(TrainStepFunc::isMetric).map(Binding::name).toList();
    return new TrainStep(f, trained, metrics, CpuProgram.load(StableHlo.compile(f)));
  }

  public Func func() {
    return func;
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
    in.put(TrainStepFunc.STEP, HostTensor.ofInts(func.param(TrainStepFunc.STEP).value().type(), new int[] {step}));
    Map<String, HostTensor> out = program.run(in);
    Map<String, HostTensor> p = new LinkedHashMap<>(), s = new LinkedHashMap<>();
    for (String name : trained) p.put(name, out.get(TrainStepFunc.NEW_PARAM + name));
    for (String name : state.optimizer().keySet()) s.put(name, out.get(TrainStepFunc.NEW_STATE + name.substring(TrainStepFunc.STATE.length())));
    return new Result(new State(p, s, step), metrics(metrics, out));
  }

  /** The metrics named {@code names} among a step's outputs: scalars by name, vectors element by element. */
  static Map<String, Double> metrics(List<String> names, Map<String, HostTensor> out) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String name : names) {
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

  /** A loop starting from {@code state}. */
  public Loop start(State state) {
    return new Loop() {
      State current = state;

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
    };
  }

  @Override
  public void close() {
    program.close();
  }
}
