package dev.switchc.ir;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a function is well formed: SSA (each value defined once, before use) and each op's
 * typing rule. Rules are named {@code op_cN} after the constraint they check, as in the StableHLO
 * spec. A violation is a compiler bug, not a user mistake: the error prints the function around
 * the offending op.
 */
public final class Verifier {
  private Verifier() {}

  /** Returns {@code f} unchanged if it is valid; throws {@link IrVerificationError} otherwise. */
  public static Func verify(Func f) {
    Set<Integer> defined = new HashSet<>();
    for (Binding p : f.params()) define(f, -1, p.value(), defined);
    for (int i = 0; i < f.body().size(); i++) {
      Op op = f.body().get(i);
      for (Value in : op.inputs())
        if (!defined.contains(in.id())) fail(f, i, "ssa_c1: " + in + " is used before it is defined");
      String problem = OpRules.check(op);
      if (problem != null) fail(f, i, problem);
      define(f, i, op.out(), defined);
    }
    Set<String> names = new HashSet<>();
    for (Binding r : f.results()) {
      if (!defined.contains(r.value().id())) fail(f, -1, "ssa_c2: result '" + r.name() + "' is " + r.value() + ", which is never defined");
      if (!names.add(r.name())) fail(f, -1, "func_c1: result name '" + r.name() + "' is used twice");
    }
    names.clear();
    for (Binding p : f.params())
      if (!names.add(p.name())) fail(f, -1, "func_c2: parameter name '" + p.name() + "' is used twice");
    return f;
  }

  private static void define(Func f, int at, Value v, Set<Integer> defined) {
    if (!defined.add(v.id())) fail(f, at, "ssa_c3: " + v + " is defined twice");
  }

  private static void fail(Func f, int opIndex, String message) {
    throw new IrVerificationError(message, f, opIndex);
  }

  /** Thrown for an ill-formed function; the message shows the function around the bad op. */
  public static final class IrVerificationError extends IllegalStateException {
    public IrVerificationError(String rule, Func f, int opIndex) {
      super("IR verification failed: " + rule + (opIndex >= 0 ? " at op " + opIndex + " (" + f.body().get(opIndex).loc() + ")" : "")
          + "\n" + IrPrinter.excerpt(f, opIndex, 3));
    }
  }
}
