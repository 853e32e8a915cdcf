package dev.switchc.lowering.hlo;

import java.util.List;

/**
 * A StableHLO module. {@code argNames}/{@code resultNames} name {@code main}'s ports; the printer
 * writes them as comments so that a person can read the signature.
 */
public record HloModule(String name, HloFunc main, List<String> argNames, List<String> resultNames, int numPartitions) {
  public HloModule {
    argNames = List.copyOf(argNames);
    resultNames = List.copyOf(resultNames);
  }
}
