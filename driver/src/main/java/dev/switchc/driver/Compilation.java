package dev.switchc.driver;

import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.ProgramSpec;
import dev.switchc.ir.Binding;
import dev.switchc.ir.Func;
import dev.switchc.ir.Shard;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.optim.Optimizer;
import dev.switchc.ir.optim.TrainStepFunc;
import dev.switchc.ir.plan.Plan;
import dev.switchc.ir.plan.PlanBuilder;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.StableHlo;
import dev.switchc.lowering.hlo.HloModule;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One program through the compiler, whatever its kind: its IR in a mode, sharded over its mesh,
 * the plan, and the StableHLO for one device or for the whole mesh. Everything is computed once,
 * here; what differs between kinds comes from the program's {@link ProgramSpec}.
 */
public record Compilation(Program program, Mode mode, Func global, ShardedFunc sharded, Plan plan) {
  public static Compilation of(Program program, Mode mode) {
    ProgramSpec spec = program.spec();
    Func global = spec.ir(program.where(), mode);
    ShardedFunc sharded = Shard.run(global, program.mesh().value(), program.layout());
    Plan plan = PlanBuilder.build(sharded, names(dataInputs(spec, global)), spec.planFacts(mode, program.mesh().value(), program.layout()));
    return new Compilation(program, mode, global, sharded, plan);
  }

  /**
   * The gradient program of this training-mode program, without the optimizer (what {@code plan
   * --train} shows; {@link #trainStep} adds the optimizer's update): the forward and the gradient of
   * its loss with respect to every float parameter ({@link GradientProgram}), sharded by the same
   * pass, mesh and rules; its plan counts the cotangents of a layer's output among the data inputs.
   */
  public Compilation gradientStep() {
    if (mode != Mode.TRAIN) throw new IllegalStateException("a training step differentiates the training-mode program, not the " + mode + " one");
    GradientProgram step = GradientProgram.of(global, spec().mainOutput());
    ShardedFunc shardedStep = Shard.run(step.func(), program.mesh().value(), program.layout());
    Set<String> inputs = names(dataInputs(spec(), global));
    inputs.addAll(step.cotangents());
    Plan stepPlan = PlanBuilder.build(shardedStep, inputs, spec().planFacts(mode, program.mesh().value(), program.layout()));
    return new Compilation(program, mode, step.func(), shardedStep, stepPlan);
  }

  /**
   * The whole training step of this training-mode program as one program: forward, gradient of
   * {@code loss} and {@code optimizer}'s update ({@link TrainStepFunc}), sharded by the same pass,
   * mesh and rules. An optimizer slot's dimensions are named after its parameter's (a factored
   * Adafactor statistic drops one of them), so the layout splits it as it splits the parameter;
   * the step number and the metrics are scalars, whole on every device. A layer, which has no
   * loss of its own, trains on {@link GradientProgram}'s: the cotangent of its output is one more
   * data input. The plan counts the step number and that cotangent among the data inputs:
   * parameters and optimizer state are what the step keeps.
   */
  public Compilation trainStep(String loss, Optimizer optimizer) {
    if (mode != Mode.TRAIN) throw new IllegalStateException("a training step differentiates the training-mode program, not the " + mode + " one");
    List<String> trained = ParameterInit.of(global, dataInputNames()).stream().map(ParameterInit.ParamSpec::name).toList();
    Func forward = GradientProgram.withLoss(global, spec().mainOutput());
    Func step = TrainStepFunc.build(forward, loss, trained, optimizer);
    ShardedFunc shardedStep = Shard.run(step, program.mesh().value(), program.layout());
    Set<String> inputs = names(dataInputs(spec(), global));
    inputs.add(TrainStepFunc.STEP);
    for (Binding p : forward.params()) if (p.name().startsWith(GradientProgram.COTANGENT)) inputs.add(p.name());
    Plan stepPlan = PlanBuilder.build(shardedStep, inputs, spec().planFacts(mode, program.mesh().value(), program.layout()));
    return new Compilation(program, mode, step, shardedStep, stepPlan);
  }

  public ProgramSpec spec() {
    return program.spec();
  }

  /** The function's parameters that are data (not trained tensors), in the spec's order. */
  public List<DataInput> dataInputs() {
    return dataInputs(spec(), global);
  }

  private static List<DataInput> dataInputs(ProgramSpec spec, Func global) {
    return spec.dataInputs().stream().filter(d -> global.params().stream().anyMatch(p -> p.name().equals(d.name()))).toList();
  }

  private static Set<String> names(List<DataInput> inputs) {
    Set<String> s = new LinkedHashSet<>();
    for (DataInput d : inputs) s.add(d.name());
    return s;
  }

  /** The names of {@link #dataInputs()}. */
  public Set<String> dataInputNames() {
    return names(dataInputs());
  }

  /** The function's parameter named {@code name}, which must exist. */
  public Binding param(String name) {
    return global.param(name);
  }

  public boolean multiDevice() {
    return program.mesh().value().devices() > 1;
  }

  /** The program for one device holding every tensor whole. */
  public CompiledModule singleDevice() {
    return StableHlo.compile(global);
  }

  /** The SPMD program for the mesh, structured; print it with {@link #spmdText()}. */
  public HloModule spmd() {
    return StableHlo.lowerSpmd(sharded);
  }

  public CompiledModule spmdText() {
    return StableHlo.compileSpmd(sharded);
  }
}
