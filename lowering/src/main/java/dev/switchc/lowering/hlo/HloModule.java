package dev.switchc.lowering.hlo;

import java.util.List;

/**
 * A StableHLO module: {@code main}, the functions it calls, and the names of {@code main}'s ports
 * (printed as comments, so a person can read the signature). A multi-device module also carries
 * the sharding of every argument and result of {@code main}; a single-device one has none.
 */
public record HloModule(String name, HloFunc main, List<HloFunc> functions, List<String> argNames, List<String> resultNames,
    int numPartitions, List<HloSharding> argShardings, List<HloSharding> resultShardings) {
  public HloModule {
    functions = List.copyOf(functions);
    argNames = List.copyOf(argNames);
    resultNames = List.copyOf(resultNames);
    argShardings = List.copyOf(argShardings);
    resultShardings = List.copyOf(resultShardings);
  }

  /** A single-device module with no other functions. */
  public static HloModule single(String name, HloFunc main, List<String> argNames, List<String> resultNames) {
    return new HloModule(name, main, List.of(), argNames, resultNames, 1, List.of(), List.of());
  }

  public HloFunc function(String functionName) {
    return functions.stream().filter(f -> f.name().equals(functionName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no function @" + functionName));
  }
}
