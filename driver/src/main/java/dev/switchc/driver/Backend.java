package dev.switchc.driver;

import dev.switchc.lowering.Lower;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.cpu.CpuProgram;
import dev.switchc.runtime.cpu.spmd.SpmdProgram;

/** Where a compiled program runs; each gives an {@link Executable} of the program's global signature. */
public enum Backend {
  /** XLA CPU through TensorFlow Java; a mesh of several devices through the CPU emulation of the mesh. */
  DEFAULT {
    @Override
    Executable load(Compilation c) {
      return c.multiDevice() ? EMULATION.load(c) : CpuProgram.load(c.singleDevice());
    }
  },
  /** The SPMD module run by the CPU emulation of its mesh (an independent oracle for XLA's partitioner). */
  EMULATION {
    @Override
    Executable load(Compilation c) {
      return SpmdProgram.load(c.spmd(), Lower.signature(c.global()));
    }
  };

  abstract Executable load(Compilation c);
}
