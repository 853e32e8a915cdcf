package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.DType;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Defaults and range checks of a layer definition, shared by the DSL and the spec file. Collects
 * every problem before failing; each names the field, the value, and a fix.
 */
final class LayerValidator {
  private LayerValidator() {}

  private static final List<LayerField> REQUIRED = List.of(LayerField.BATCH, LayerField.SEQ, LayerField.D_MODEL, LayerField.D_FF, LayerField.EXPERTS);

  /** The value of an unset field; {@code group_size} defaults to one group per sequence. */
  static Object defaultValue(LayerField f, Map<LayerField, Object> values) {
    return switch (f) {
      case GROUP_SIZE -> values.get(LayerField.SEQ);
      case MIN_CAPACITY -> 4L;
      case TRAIN_CAPACITY_FACTOR -> new BigDecimal("1.25");
      case EVAL_CAPACITY_FACTOR -> new BigDecimal("2.0");
      case ACTIVATION -> Activation.RELU;
      case ACTIVATION_DTYPE -> DType.F32;
      case ROUTER_AUX_LOSS_COEF -> new BigDecimal("0.01");
      case INIT_SCALE -> new BigDecimal("0.1");
      case DISPATCH -> Dispatch.GATHER;
      default -> null;
    };
  }

  /** {@code rejected}: fields written with a value that could not be converted, with why. */
  static void validate(Map<LayerField, Object> values, Map<LayerField, Diagnostic> rejected, Provenance where) {
    List<Diagnostic> errors = new ArrayList<>();
    for (Diagnostic d : rejected.values()) if (!errors.contains(d)) errors.add(d);
    for (LayerField f : REQUIRED)
      if (!values.containsKey(f) && !rejected.containsKey(f))
        errors.add(new Diagnostic(where.block(), "switch_layer is missing the required field '" + f.specName() + "'; add '"
            + f.specName() + " = N' (" + f.expected() + ")"));
    for (LayerField f : LayerField.values()) {
      Object v = values.get(f);
      if (v == null) continue;
      SourceLoc at = where.of(f.specName());
      String fix = null;
      if (v instanceof Long n && n < 1) fix = "must be at least 1";
      else if (v instanceof BigDecimal d) {
        boolean zeroOk = f == LayerField.ROUTER_AUX_LOSS_COEF;
        if (zeroOk ? d.signum() < 0 : d.signum() <= 0) fix = zeroOk ? "must be >= 0" : "must be > 0";
      }
      if (f == LayerField.TRAIN_CAPACITY_FACTOR || f == LayerField.EVAL_CAPACITY_FACTOR) {
        // Reported once when both came from one capacity_factor line.
        if (f == LayerField.EVAL_CAPACITY_FACTOR && at.equals(where.of(LayerField.TRAIN_CAPACITY_FACTOR.specName()))) continue;
      }
      if (fix != null) errors.add(new Diagnostic(at, written(f, at, v) + ": " + fix + "; expected " + f.expected()));
    }
    for (LayerField f : List.of(LayerField.TRAIN_CAPACITY_FACTOR, LayerField.EVAL_CAPACITY_FACTOR, LayerField.ROUTER_AUX_LOSS_COEF, LayerField.INIT_SCALE))
      if (values.containsKey(f) && values.get(f) == null)
        errors.add(new Diagnostic(where.of(f.specName()), f.specName() + " must be a finite number"));
    if (errors.isEmpty()) { // cross-field rules need every size to be valid
      long batch = (Long) values.get(LayerField.BATCH), seq = (Long) values.get(LayerField.SEQ);
      long group = (Long) (values.containsKey(LayerField.GROUP_SIZE) ? values.get(LayerField.GROUP_SIZE) : seq);
      long tokens;
      try {
        tokens = Math.multiplyExact(batch, seq);
      } catch (ArithmeticException e) {
        tokens = -1;
        errors.add(new Diagnostic(where.of("seq"), "batch * seq = " + batch + " * " + seq + " overflows 64 bits"));
      }
      if (tokens > 0 && tokens % group != 0)
        errors.add(new Diagnostic(where.of("group_size"), "group_size = " + group + " does not divide batch * seq = "
            + batch + " * " + seq + " = " + tokens + "; every group must be full: use a divisor of " + tokens
            + " such as " + largestDivisorAtMost(tokens, group)));
    }
    if (!errors.isEmpty()) throw new CompileError(errors);
  }

  /**
   * What the user wrote, as they wrote it: {@code capacity_factor = 0} in a spec file,
   * {@code capacityFactor(0.0)} in the DSL, {@code capacity_factor=0} in a --set.
   */
  private static String written(LayerField f, SourceLoc at, Object v) {
    return at.what().isEmpty() ? f.specName() + " = " + show(v) : at.what();
  }

  private static String show(Object v) {
    return v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v);
  }

  private static long largestDivisorAtMost(long n, long bound) {
    for (long d = Math.min(n, bound); d > 1; d--) if (n % d == 0) return d;
    return n;
  }
}
