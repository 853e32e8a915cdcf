package dev.switchc.cli;

import dev.switchc.lowering.Lower;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.cpu.HostTensor;
import dev.switchc.runtime.cpu.spmd.SpmdProgram;
import java.util.Map;
import java.util.function.Function;

/**
 * A compiled program loaded on XLA CPU: the single-device module, or on a mesh of several devices
 * the SPMD module through the CPU emulation of the mesh (global inputs in, global outputs out).
 * Holds the compiled program, so repeated runs reuse XLA's compilation.
 */
final class ProgramRunner implements AutoCloseable {
  private final ModuleSignature signature;
  private final AutoCloseable program;
  private final CpuProgram single; // null on a mesh
  private final Function<Map<String, HostTensor>, Map<String, HostTensor>> runner;

  ProgramRunner(Compilation c) {
    MemoryBudget.check(c.sharded());
    this.signature = Lower.signature(c.global());
    if (c.multiDevice()) {
      SpmdProgram p = SpmdProgram.load(c.spmd(), signature);
      this.program = p;
      this.single = null;
      this.runner = inputs -> p.run(inputs).global();
    } else {
      CpuProgram p = CpuProgram.load(c.singleDevice());
      this.program = p;
      this.single = p;
      this.runner = p::run;
    }
  }

  ModuleSignature signature() {
    return signature;
  }

  Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
    return runner.apply(inputs);
  }

  /** Inputs fixed across runs (the parameters): on one device held in native memory, so runs copy only the rest. */
  interface Resident extends AutoCloseable {
    Map<String, HostTensor> run(Map<String, HostTensor> rest);

    @Override
    void close();
  }

  Resident keep(Map<String, HostTensor> fixed) {
    if (single != null) {
      CpuProgram.Kept kept = single.keep(fixed);
      return new Resident() {
        public Map<String, HostTensor> run(Map<String, HostTensor> rest) {
          return single.run(kept, rest);
        }

        public void close() {
          kept.close();
        }
      };
    }
    Map<String, HostTensor> held = Map.copyOf(fixed);
    return new Resident() { // the emulation takes whole global arrays per run anyway
      public Map<String, HostTensor> run(Map<String, HostTensor> rest) {
        Map<String, HostTensor> all = new java.util.HashMap<>(held);
        all.putAll(rest);
        return runner.apply(all);
      }

      public void close() {}
    };
  }

  @Override
  public void close() {
    try {
      program.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the program failed", e);
    }
  }
}
