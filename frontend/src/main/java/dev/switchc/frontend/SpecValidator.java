package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validation of a definition of any kind, shared by the DSL, spec files and presets: values that
 * could not be read, missing required fields, each field's range (the kind's
 * {@link ProgramKind#rangeProblem}), and the kind's rules between fields. Collects every problem
 * before failing; each names the field, the value and a fix.
 */
public final class SpecValidator {
  private SpecValidator() {}

  /** {@code rejected}: fields written with a value that could not be converted, with why. */
  static void validate(ProgramKind<?> kind, Map<Field, Object> values, Map<Field, Diagnostic> rejected, Provenance where) {
    List<Diagnostic> errors = new ArrayList<>();
    for (Diagnostic d : rejected.values()) if (!errors.contains(d)) errors.add(d);
    Set<Field> written = new HashSet<>(values.keySet());
    written.addAll(rejected.keySet());
    for (Field f : kind.required(values, written))
      if (!written.contains(f))
        errors.add(new Diagnostic(where.block(), kind.block() + " is missing the required field '" + f.specName() + "'; add '" + f.specName()
            + " = N' (" + kind.expected(f) + ")" + kind.missingHint(f, values)));
    for (Field f : kind.fields()) {
      if (!values.containsKey(f)) continue;
      Object v = values.get(f);
      SourceLoc at = where.of(f);
      // One capacity_factor line sets both factors: report it once.
      if (f == Field.EVAL_CAPACITY_FACTOR && at.equals(where.of(Field.TRAIN_CAPACITY_FACTOR))) continue;
      String fix = v == null ? (f.kind() == FieldKind.DECIMAL ? "must be a finite number" : "must not be null") + "; expected " + kind.expected(f)
          : kind.rangeProblem(f, v);
      if (fix != null) errors.add(new Diagnostic(at, written(f, at, v) + ": " + fix));
    }
    kind.structuralRules(values, where, errors);
    if (errors.isEmpty()) kind.crossFieldRules(values, where, errors);
    if (!errors.isEmpty()) throw new CompileError(errors);
  }

  /**
   * What the user wrote, as they wrote it: {@code capacity_factor = 0} in a spec file,
   * {@code capacityFactor(0.0)} in the DSL, {@code capacity_factor=0} in a --set.
   */
  public static String written(Field f, SourceLoc at, Object v) {
    return at.what().isEmpty() || at.what().endsWith("(default)") ? f.specName() + " = " + show(v) : at.what();
  }

  private static String show(Object v) {
    return v instanceof BigDecimal d ? Decimals.brief(d) : String.valueOf(v).toLowerCase(Locale.ROOT);
  }

  // ---- range rules the kinds share ----

  private static final BigDecimal FLOAT_MAX = new BigDecimal(Float.MAX_VALUE), FLOAT_MIN_NORMAL = new BigDecimal(Float.MIN_NORMAL);

  /** An integer of at least {@code min} (and at most {@code max}); the fix names what is {@code expected}. */
  public static String integerRange(long n, long min, long max, String expected) {
    if (n < min) return "must be at least " + min + "; expected " + expected;
    if (n > max) return "must be at most " + max + "; expected " + expected;
    return null;
  }

  /** A decimal above 0 (or at least 0 when {@code zeroOk}), and below 1 for a {@code fraction}. */
  public static String decimalRange(BigDecimal d, boolean zeroOk, boolean fraction, String expected) {
    // Every decimal field becomes a float32 constant or factor in the program: one that float32
    // cannot hold would turn into infinity or zero there (and a loss into Infinity or NaN).
    if (d.abs().compareTo(FLOAT_MAX) > 0) return "is beyond float32's range (at most 3.4e38); expected " + expected;
    if (d.signum() != 0 && d.abs().compareTo(FLOAT_MIN_NORMAL) < 0) return "is too small for float32 (it would be 0; the least is 1.2e-38); expected " + expected;
    if (zeroOk ? d.signum() < 0 : d.signum() <= 0) return (zeroOk ? "must be >= 0" : "must be > 0") + "; expected " + expected;
    if (fraction && d.compareTo(BigDecimal.ONE) >= 0) return "must be below 1; expected " + expected;
    return null;
  }

  /** For a suggestion: the largest divisor of {@code n} at most {@code bound}, searched near the bound only (huge sizes stay fast). */
  public static long divisorAtMost(long n, long bound) {
    long lowest = Math.max(1, Math.min(n, bound) - (1 << 20));
    for (long d = Math.min(n, bound); d > lowest; d--) if (n % d == 0) return d;
    return lowest == 1 ? n : gcd(n, bound);
  }

  public static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
