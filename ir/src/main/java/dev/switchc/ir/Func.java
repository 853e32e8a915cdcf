package dev.switchc.ir;

import java.util.List;

/** A flat function, like a jaxpr: named parameters, a list of ops in definition order, named results. */
public record Func(String name, List<Binding> params, List<Op> body, List<Binding> results) {
  public Func {
    params = List.copyOf(params);
    body = List.copyOf(body);
    results = List.copyOf(results);
  }

  public Binding param(String paramName) {
    return params.stream().filter(b -> b.name().equals(paramName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no parameter '" + paramName + "' in " + name));
  }
}
