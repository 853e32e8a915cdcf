package dev.switchc.lowering;

import dev.switchc.ir.Func;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.lowering.hlo.HloModule;

/** Entry point of the lowering: verified IR to StableHLO text plus its signature. */
public final class StableHlo {
  private StableHlo() {}

  /** A single-device module. */
  public static CompiledModule compile(Func f) {
    return new CompiledModule(StableHloPrinter.print(Lower.run(f)), Lower.signature(f));
  }

  /** The SPMD module of a sharded function, structured (for the CPU emulation) and printable. */
  public static HloModule lowerSpmd(ShardedFunc s) {
    return SpmdLower.run(s);
  }

  /** The SPMD module's text; its signature is the global one, as {@code main} takes global arrays. */
  public static CompiledModule compileSpmd(ShardedFunc s) {
    return new CompiledModule(StableHloPrinter.print(SpmdLower.run(s)), Lower.signature(s.global()));
  }
}
