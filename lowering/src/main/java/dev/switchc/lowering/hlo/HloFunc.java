package dev.switchc.lowering.hlo;

import java.util.List;

/** A {@code func.func}: arguments, body in order, returned values. */
public record HloFunc(String name, List<HloValue> args, List<HloOp> body, List<HloValue> returns) {
  public HloFunc {
    args = List.copyOf(args);
    body = List.copyOf(body);
    returns = List.copyOf(returns);
  }
}
