package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Provenance;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.DType;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Defaults and range checks of a model definition, shared by the DSL, spec files and presets.
 * Collects every problem before failing; each names the field, the value and a fix.
 */
final class ModelValidator {
  private ModelValidator() {}

  private static final List<ModelField> REQUIRED = List.of(ModelField.D_MODEL, ModelField.D_FF, ModelField.HEADS, ModelField.BATCH,
      ModelField.SEQ);

  /** The value of an unset field (T5 v1.0 and the Switch paper's defaults). */
  static Object defaultValue(ModelField f, Map<ModelField, Object> values) {
    return switch (f) {
      case ARCHITECTURE -> Architecture.ENCODER_DECODER;
      case VOCAB -> 32128L;
      case D_KV -> 64L;
      case FFN -> Activation.RELU;
      case EXPERTS -> 0L;
      case SWITCH_EVERY, TOP_K -> 1L;
      case DEC_SEQ -> values.get(ModelField.SEQ);
      case GROUP_SIZE -> values.get(ModelField.SEQ) instanceof Long seq ? Math.min(seq, (Long) or(values, ModelField.DEC_SEQ, seq)) : null;
      case TRAIN_CAPACITY_FACTOR -> new BigDecimal("1.25");
      case EVAL_CAPACITY_FACTOR -> new BigDecimal("2.0");
      case MIN_CAPACITY -> 4L;
      case ROUTER_AUX_LOSS_COEF -> new BigDecimal("0.01");
      case ROUTER_Z_LOSS_COEF, ROUTER_JITTER, DROPOUT, EXPERT_DROPOUT -> BigDecimal.ZERO;
      case RELATIVE_BUCKETS -> 32L;
      case RELATIVE_MAX_DISTANCE -> 128L;
      case TIED_EMBEDDINGS -> Boolean.TRUE;
      case ACTIVATION_DTYPE -> DType.F32;
      case DISPATCH -> Dispatch.GATHER;
      case INIT_SCALE -> new BigDecimal("0.1");
      default -> null;
    };
  }

  private static Object or(Map<ModelField, Object> values, ModelField f, Object dflt) {
    Object v = values.get(f);
    return v != null ? v : dflt;
  }

  /** {@code rejected}: fields written with a value that could not be converted, with why. */
  static void validate(Map<ModelField, Object> values, Map<ModelField, Diagnostic> rejected, Provenance where) {
    List<Diagnostic> errors = new ArrayList<>();
    for (Diagnostic d : rejected.values()) if (!errors.contains(d)) errors.add(d);
    Architecture arch = (Architecture) or(values, ModelField.ARCHITECTURE, Architecture.ENCODER_DECODER);
    List<ModelField> required = new ArrayList<>(REQUIRED);
    if (!values.containsKey(ModelField.LAYERS) && !rejected.containsKey(ModelField.LAYERS)) {
      if (arch == Architecture.ENCODER_DECODER) required.add(ModelField.ENCODER_LAYERS);
      required.add(ModelField.DECODER_LAYERS);
    }
    for (ModelField f : required)
      if (!values.containsKey(f) && !rejected.containsKey(f))
        errors.add(new Diagnostic(where.block(), "model is missing the required field '" + f.specName() + "'; add '" + f.specName()
            + " = N' (" + f.expected() + ")" + (f == ModelField.ENCODER_LAYERS || f == ModelField.DECODER_LAYERS ? ", or 'layers = N' for both stacks" : "")));
    for (ModelField f : ModelField.values()) {
      Object v = values.get(f);
      SourceLoc at = where.of(f.specName());
      if (v == null) {
        if (values.containsKey(f)) errors.add(new Diagnostic(at, f.specName() + " must be a finite number"));
        continue;
      }
      String fix = range(f, v);
      if (f == ModelField.EVAL_CAPACITY_FACTOR && at.equals(where.of(ModelField.TRAIN_CAPACITY_FACTOR.specName()))) fix = null; // one capacity_factor line
      if (fix != null) errors.add(new Diagnostic(at, written(f, at, v) + ": " + fix));
    }
    if (arch == Architecture.DECODER_ONLY) {
      for (ModelField f : List.of(ModelField.ENCODER_LAYERS, ModelField.DEC_SEQ))
        if (values.containsKey(f))
          errors.add(new Diagnostic(where.of(f.specName()), written(f, where.of(f.specName()), values.get(f)) + ": a decoder_only model has "
              + (f == ModelField.DEC_SEQ ? "one length, seq" : "no encoder") + "; remove it, or set architecture = encoder_decoder"));
    }
    if (errors.isEmpty()) crossFieldRules(values, where, arch, errors);
    if (!errors.isEmpty()) throw new CompileError(errors);
  }

  /** Why {@code v} is out of range for {@code f}, with the fix, or null. */
  private static String range(ModelField f, Object v) {
    if (v instanceof Long n) {
      boolean zeroOk = f == ModelField.EXPERTS || f == ModelField.LAYERS || f == ModelField.ENCODER_LAYERS;
      if (n < (zeroOk ? 0 : 1)) return "must be at least " + (zeroOk ? 0 : 1) + "; expected " + f.expected();
      if (n > Integer.MAX_VALUE) return "must be at most " + Integer.MAX_VALUE;
      if (f == ModelField.TOP_K && n > 2) return "top_k must be 1 (Switch routing) or 2 (the MoE baseline's top-2 routing)";
      if (f == ModelField.RELATIVE_BUCKETS && (n < 4 || n % 2 != 0))
        return "must be an even number of at least 4 (half of them per direction in the encoder), e.g. 32";
    }
    if (v instanceof BigDecimal d) {
      boolean zeroOk = f != ModelField.TRAIN_CAPACITY_FACTOR && f != ModelField.EVAL_CAPACITY_FACTOR && f != ModelField.CAPACITY_FACTOR
          && f != ModelField.INIT_SCALE;
      if (zeroOk ? d.signum() < 0 : d.signum() <= 0) return (zeroOk ? "must be >= 0" : "must be > 0") + "; expected " + f.expected();
      boolean fraction = f == ModelField.ROUTER_JITTER || f == ModelField.DROPOUT || f == ModelField.EXPERT_DROPOUT;
      if (fraction && d.compareTo(BigDecimal.ONE) >= 0) return "must be below 1 (a fraction); e.g. 0.1";
    }
    return null;
  }

  private static void crossFieldRules(Map<ModelField, Object> values, Provenance where, Architecture arch, List<Diagnostic> errors) {
    long batch = (Long) values.get(ModelField.BATCH), seq = (Long) values.get(ModelField.SEQ);
    long decSeq = (Long) or(values, ModelField.DEC_SEQ, seq);
    long experts = (Long) or(values, ModelField.EXPERTS, 0L);
    long topK = (Long) or(values, ModelField.TOP_K, 1L);
    if (topK == 2 && experts < 2)
      errors.add(new Diagnostic(where.of("top_k"), "top_k = 2 needs at least 2 experts, but experts = " + experts + "; use top_k = 1 or more experts"));
    long buckets = (Long) or(values, ModelField.RELATIVE_BUCKETS, 32L), maxDistance = (Long) or(values, ModelField.RELATIVE_MAX_DISTANCE, 128L);
    if (maxDistance <= buckets / 2)
      errors.add(new Diagnostic(where.of("relative_max_distance"), "relative_max_distance = " + maxDistance + " must exceed relative_buckets / 2 = "
          + buckets / 2 + " (the decoder's exact-distance buckets); e.g. 128 with 32 buckets"));
    if (experts == 0) return;
    long group = (Long) or(values, ModelField.GROUP_SIZE, Math.min(seq, decSeq));
    List<long[]> stacks = new ArrayList<>();
    stacks.add(new long[] {seq});
    if (arch == Architecture.ENCODER_DECODER && decSeq != seq) stacks.add(new long[] {decSeq});
    for (long[] len : stacks) {
      long tokens;
      try {
        tokens = Math.multiplyExact(batch, len[0]);
      } catch (ArithmeticException e) {
        errors.add(new Diagnostic(where.of("batch"), "batch * length = " + batch + " * " + len[0] + " overflows 64 bits"));
        return;
      }
      String name = len[0] == seq ? "seq" : "dec_seq";
      if (tokens % group != 0)
        errors.add(new Diagnostic(where.of("group_size"), "group_size = " + group + " does not divide batch * " + name + " = " + batch
            + " * " + len[0] + " = " + tokens + "; every routing group must be full: use a common divisor of the stacks' token"
            + " counts such as " + gcd(batch * seq, batch * decSeq)));
    }
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  private static String written(ModelField f, SourceLoc at, Object v) {
    return at.what().isEmpty() || at.what().endsWith("(default)") ? f.specName() + " = " + show(v) : at.what();
  }

  private static String show(Object v) {
    return v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v).toLowerCase(java.util.Locale.ROOT);
  }
}
