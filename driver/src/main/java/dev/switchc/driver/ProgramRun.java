package dev.switchc.driver;

import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.Outputs;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.RunReport;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled program loaded on a runtime, ready to run any number of times: the pipeline behind
 * {@code switchc run}, for every kind of program. Runs take the trained parameters (as named float
 * arrays, from {@link #initialParameters} or a file) and the data inputs, and return the outputs;
 * {@link #bind} keeps the parameters resident so that each run moves only its data.
 */
public final class ProgramRun implements AutoCloseable {
  private final Compilation compilation;
  private final Executable program;
  private final List<ParamSpec> parameters;

  private ProgramRun(Compilation compilation, Executable program) {
    this.compilation = compilation;
    this.program = program;
    this.parameters = ParameterInit.of(compilation.global(), compilation.dataInputNames());
  }

  /**
   * {@code c} on {@code runtime}; the memory the run needs is checked first.
   *
   * @throws UserInputError if the program cannot fit on this machine
   */
  public static ProgramRun load(Compilation c, Backend runtime) {
    RunMemory.check(c, runtime.memory());
    return new ProgramRun(c, runtime.load(c));
  }

  /** {@code c} on XLA ({@link Backend.Xla}). */
  public static ProgramRun load(Compilation c) {
    return load(c, new Backend.Xla());
  }

  /** {@code program} in {@code mode}, compiled and loaded on the default runtime. */
  public static ProgramRun load(Program program, dev.switchc.frontend.Mode mode) {
    return load(Compilation.of(program, mode));
  }

  public Compilation compilation() {
    return compilation;
  }

  /** The global ports: parameters and data inputs, then outputs. */
  public ModuleSignature signature() {
    return program.signature();
  }

  /** The trained parameters, in argument order. */
  public List<ParamSpec> parameters() {
    return parameters;
  }

  /** The seeded initial value of every parameter (paper section 2.4's reduced initialisation). */
  public Map<String, float[]> initialParameters(long seed) {
    return ParameterInit.init(parameters, compilation.spec().initScale(), seed);
  }

  /** The data inputs this program takes (its mode's function's). */
  public List<DataInput> dataInputs() {
    return compilation.dataInputs();
  }

  /** The type of input {@code name}. */
  public TensorType inputType(String name) {
    return signature().inputs().stream().filter(p -> p.name().equals(name)).findFirst().map(Port::type)
        .orElseThrow(() -> new IllegalArgumentException("no input '" + name + "'; the inputs are " + signature().inputs().stream().map(Port::name).toList()));
  }

  /** Input {@code name} holding {@code values} (row-major, of the port's type: f32 or bf16). */
  public HostTensor input(String name, float[] values) {
    return HostTensor.ofFloats(inputType(name), values);
  }

  /** Input {@code name} holding {@code values} (row-major, i32). */
  public HostTensor input(String name, int[] values) {
    return HostTensor.ofInts(inputType(name), values);
  }

  /** The default of every data input, drawn from {@code seed} (the noise seed is {@code seed} itself). */
  public Map<String, HostTensor> defaultData(long seed) {
    Map<String, HostTensor> data = new LinkedHashMap<>();
    for (DataInput d : dataInputs()) data.put(d.name(), DataInputs.defaultValue(d, inputType(d.name()), seed));
    return data;
  }

  /**
   * One run with {@code params} (every parameter, by name) and {@code data} (every data input).
   *
   * @throws UserInputError if a data input holds a value the program does not allow (a token id outside the vocabulary)
   */
  public Result run(Map<String, float[]> params, Map<String, HostTensor> data) {
    checkData(data);
    Map<String, HostTensor> inputs = new LinkedHashMap<>(tensors(params));
    inputs.putAll(data);
    return new Result(program.run(inputs));
  }

  /** {@code params} kept resident in the runtime for any number of {@link Bound#run} calls; close it before this run. */
  public Bound bind(Map<String, float[]> params) {
    return new Bound(program.keep(tensors(params)));
  }

  /** A program with its parameters in place. */
  public final class Bound implements AutoCloseable {
    private final Executable.Resident resident;

    private Bound(Executable.Resident resident) {
      this.resident = resident;
    }

    /** One run with {@code data} (every data input). */
    public Result run(Map<String, HostTensor> data) {
      checkData(data);
      return new Result(program.run(resident, data));
    }

    @Override
    public void close() {
      resident.close();
    }
  }

  /** What a run produced, for the person who ran it ({@link dev.switchc.frontend.ProgramSpec#report}). */
  public RunReport report(Result result) {
    return compilation.spec().report(compilation.mode(), compilation.plan(), result);
  }

  private void checkData(Map<String, HostTensor> data) {
    for (DataInput d : dataInputs()) {
      HostTensor t = data == null ? null : data.get(d.name());
      if (t != null && t.type().equals(inputType(d.name()))) DataInputs.check(d, t, "");
    }
  }

  private Map<String, HostTensor> tensors(Map<String, float[]> params) {
    Map<String, HostTensor> t = new LinkedHashMap<>();
    for (ParamSpec p : parameters) {
      float[] values = params.get(p.name());
      if (values == null) throw new IllegalArgumentException("no value for parameter " + p.name());
      t.put(p.name(), HostTensor.ofFloats(inputType(p.name()), values));
    }
    for (String name : params.keySet())
      if (parameters.stream().noneMatch(p -> p.name().equals(name))) throw new IllegalArgumentException("'" + name + "' is not a parameter");
    return t;
  }

  @Override
  public void close() {
    program.close();
  }

  /** A run's outputs by name, in signature order. */
  public record Result(Map<String, HostTensor> outputs) implements Outputs {
    public Result {
      outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    public HostTensor get(String name) {
      HostTensor t = outputs.get(name);
      if (t == null) throw new IllegalArgumentException("no output '" + name + "'; the outputs are " + outputs.keySet());
      return t;
    }

    @Override
    public float[] floats(String name) {
      return get(name).floats();
    }

    @Override
    public int[] ints(String name) {
      return get(name).ints();
    }

    /** The value of a one-element float output (a loss). */
    public float scalar(String name) {
      return get(name).floatAt(0);
    }
  }
}
