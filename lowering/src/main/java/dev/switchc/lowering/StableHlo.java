package dev.switchc.lowering;

import dev.switchc.ir.Func;

/** Entry point of the lowering: a verified IR function to StableHLO text plus its signature. */
public final class StableHlo {
  private StableHlo() {}

  public static CompiledModule compile(Func f) {
    return new CompiledModule(StableHloPrinter.print(Lower.run(f)), Lower.signature(f));
  }
}
