package dev.switchc.ir;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a function is well formed: SSA (each value defined once, before use) and each op's
 * typing rules ({@link OpRules}). Every rule is a {@link Rule}; a broken one is a {@link Violation}.
 * A violation is a compiler bug, not a user mistake: the error prints the function around the
 * offending op.
 */
public final class Verifier {
  private Verifier() {}

  /** Where a violation is: the op's index in the body, or -1 for the function's signature. */
  public record Finding(Violation violation, int opIndex) {}

  /** Returns {@code f} unchanged if it is valid; throws {@link IrVerificationError} otherwise. */
  public static Func verify(Func f) {
    Optional<Finding> found = firstViolation(f);
    if (found.isPresent()) throw new IrVerificationError(found.get().violation(), f, found.get().opIndex());
    return f;
  }

  /** The first rule {@code f} breaks, in program order (the signature's rules last), or empty. */
  public static Optional<Finding> firstViolation(Func f) {
    Set<Integer> defined = new HashSet<>();
    for (Binding p : f.params())
      if (!defined.add(p.value().id())) return found(Rule.SSA_DEFINED_ONCE, p.value() + " is defined twice", -1);
    for (int i = 0; i < f.body().size(); i++) {
      Op op = f.body().get(i);
      for (Value in : op.inputs())
        if (!defined.contains(in.id())) return found(Rule.SSA_DEFINED_BEFORE_USE, in + " is used before it is defined", i);
      Optional<Violation> broken = OpRules.check(op);
      if (broken.isPresent()) return Optional.of(new Finding(broken.get(), i));
      if (!defined.add(op.out().id())) return found(Rule.SSA_DEFINED_ONCE, op.out() + " is defined twice", i);
    }
    Set<String> names = new HashSet<>();
    for (Binding r : f.results()) {
      if (!defined.contains(r.value().id())) return found(Rule.SSA_RESULT_DEFINED, "result '" + r.name() + "' is " + r.value() + ", which is never defined", -1);
      if (!names.add(r.name())) return found(Rule.FUNC_RESULT_NAMES_UNIQUE, "result name '" + r.name() + "' is used twice", -1);
    }
    names.clear();
    for (Binding p : f.params())
      if (!names.add(p.name())) return found(Rule.FUNC_PARAM_NAMES_UNIQUE, "parameter name '" + p.name() + "' is used twice", -1);
    return Optional.empty();
  }

  private static Optional<Finding> found(Rule rule, String detail, int opIndex) {
    return Optional.of(new Finding(rule.violated(detail), opIndex));
  }

  /** Thrown for an ill-formed function; the message shows the function around the bad op. */
  public static final class IrVerificationError extends IllegalStateException {
    private final transient Violation violation;

    public IrVerificationError(Violation violation, Func f, int opIndex) {
      super("IR verification failed: " + violation + (opIndex >= 0 ? " at op " + opIndex + " (" + f.body().get(opIndex).loc() + ")" : "")
          + "\n" + IrPrinter.excerpt(f, opIndex, 3));
      this.violation = violation;
    }

    /** The broken rule and what broke it. */
    public Violation violation() {
      return violation;
    }
  }
}
