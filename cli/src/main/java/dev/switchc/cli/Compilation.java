package dev.switchc.cli;

import dev.switchc.frontend.LayerPlanFacts;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelPlanFacts;
import dev.switchc.frontend.model.ModelProgram;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.SwitchProgram;
import dev.switchc.ir.Func;
import dev.switchc.ir.Shard;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.plan.Plan;
import dev.switchc.ir.plan.PlanBuilder;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.StableHlo;
import dev.switchc.lowering.hlo.HloModule;
import java.util.Set;

/**
 * One program through the compiler: the layer or model as IR, sharded over its mesh, the plan,
 * and the StableHLO for one device or for the whole mesh. Everything is computed once, here.
 */
public record Compilation(Program program, Mode mode, Func global, ShardedFunc sharded, Plan plan) {
  public static Compilation of(Program program, Mode mode) {
    if (program instanceof ModelProgram m) {
      Func global = ModelIr.build(m.model(), mode);
      ShardedFunc sharded = Shard.run(global, m.mesh().value(), m.layout());
      Plan plan = PlanBuilder.build(sharded, ModelIr.DATA_INPUTS, ModelPlanFacts.of(m.model().value(), mode, m.mesh().value(), m.layout()));
      return new Compilation(program, mode, global, sharded, plan);
    }
    SwitchProgram layer = (SwitchProgram) program;
    Func global = SwitchLayerIr.build(layer.layer(), mode);
    ShardedFunc sharded = Shard.run(global, layer.mesh().value(), layer.layout());
    Plan plan = PlanBuilder.build(sharded, Set.of(SwitchLayerIr.X),
        LayerPlanFacts.of(layer.layer().value(), mode, layer.mesh().value(), layer.layout()));
    return new Compilation(program, mode, global, sharded, plan);
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
