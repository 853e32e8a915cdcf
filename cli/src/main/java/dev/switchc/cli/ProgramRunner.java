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
  private final Function<Map<String, HostTensor>, Map<String, HostTensor>> runner;

  ProgramRunner(Compilation c) {
    MemoryBudget.check(c.sharded());
    this.signature = Lower.signature(c.global());
    if (c.multiDevice()) {
      SpmdProgram p = SpmdProgram.load(c.spmd(), signature);
      this.program = p;
      this.runner = inputs -> p.run(inputs).global();
    } else {
      CpuProgram p = CpuProgram.load(c.singleDevice());
      this.program = p;
      this.runner = p::run;
    }
  }

  ModuleSignature signature() {
    return signature;
  }

  Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
    return runner.apply(inputs);
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
