package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.FieldKind;
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

  static final long MAX_LAYERS = 1024;

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

  /** Whether {@code f} was written, with a usable value or not. */
  private static boolean written(Map<ModelField, Object> values, Map<ModelField, Diagnostic> rejected, ModelField f) {
    return values.containsKey(f) || rejected.containsKey(f);
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
    if (!written(values, rejected, ModelField.LAYERS)) {
      boolean encoder = written(values, rejected, ModelField.ENCODER_LAYERS), decoder = written(values, rejected, ModelField.DECODER_LAYERS);
      if (!decoder && (arch == Architecture.DECODER_ONLY || !encoder)) required.add(ModelField.LAYERS);
      else if (!decoder) required.add(ModelField.DECODER_LAYERS);
      else if (arch == Architecture.ENCODER_DECODER && !encoder) required.add(ModelField.ENCODER_LAYERS);
    }
    for (ModelField f : required)
      if (!written(values, rejected, f))
        errors.add(new Diagnostic(where.block(), "model is missing the required field '" + f.specName() + "'; add '" + f.specName()
            + " = N' (" + f.expected() + ")" + (f == ModelField.LAYERS && arch == Architecture.ENCODER_DECODER
                ? " for both stacks, or encoder_layers and decoder_layers" : "")));
    for (ModelField f : ModelField.values()) {
      if (!values.containsKey(f)) continue;
      Object v = values.get(f);
      SourceLoc at = where.of(f.specName());
      if (f == ModelField.EVAL_CAPACITY_FACTOR && at.equals(where.of(ModelField.TRAIN_CAPACITY_FACTOR.specName()))) continue; // one capacity_factor line
      String fix = v == null ? (f.kind() == FieldKind.DECIMAL ? "must be a finite number" : "must not be null") + "; expected " + f.expected()
          : range(f, v);
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
      if (f == ModelField.TOP_K && n != 1 && n != 2) return "must be " + f.expected();
      if (f == ModelField.RELATIVE_BUCKETS && (n < 4 || n % 2 != 0)) return "must be " + f.expected();
      boolean zeroOk = f == ModelField.EXPERTS || f == ModelField.ENCODER_LAYERS;
      if (n < (zeroOk ? 0 : 1)) return "must be at least " + (zeroOk ? 0 : 1) + "; expected " + f.expected();
      if (n > Integer.MAX_VALUE) return "must be at most " + Integer.MAX_VALUE + "; expected " + f.expected();
      boolean depth = f == ModelField.LAYERS || f == ModelField.ENCODER_LAYERS || f == ModelField.DECODER_LAYERS;
      if (depth && n > MAX_LAYERS) // the IR holds every layer's ops: beyond this the compiler's own memory is the limit
        return "must be at most " + MAX_LAYERS + " layers per stack (the deepest published T5/Switch stacks have 24 to 48)";
    }
    if (v instanceof BigDecimal d) {
      boolean zeroOk = f != ModelField.TRAIN_CAPACITY_FACTOR && f != ModelField.EVAL_CAPACITY_FACTOR && f != ModelField.CAPACITY_FACTOR
          && f != ModelField.INIT_SCALE;
      if (zeroOk ? d.signum() < 0 : d.signum() <= 0) return (zeroOk ? "must be >= 0" : "must be > 0") + "; expected " + f.expected();
      boolean fraction = f == ModelField.ROUTER_JITTER || f == ModelField.DROPOUT || f == ModelField.EXPERT_DROPOUT;
      if (fraction && d.compareTo(BigDecimal.ONE) >= 0) return "must be below 1; expected " + f.expected();
    }
    return null;
  }

  /** Runs only when every written value is in range: each size is then at most 2^31 - 1, so products of two fit in a long. */
  private static void crossFieldRules(Map<ModelField, Object> values, Provenance where, Architecture arch, List<Diagnostic> errors) {
    long batch = (Long) values.get(ModelField.BATCH), seq = (Long) values.get(ModelField.SEQ);
    long decSeq = (Long) or(values, ModelField.DEC_SEQ, seq);
    long experts = (Long) or(values, ModelField.EXPERTS, 0L);
    long topK = (Long) or(values, ModelField.TOP_K, 1L);
    if (topK == 2 && experts < 2) {
      SourceLoc at = where.of("top_k");
      errors.add(new Diagnostic(at, written(ModelField.TOP_K, at, topK) + ": top-2 routing needs at least 2 experts, but experts = " + experts
          + (values.containsKey(ModelField.EXPERTS) ? "" : " (the default: a dense model)") + "; use top_k = 1 or experts >= 2"));
    }
    long buckets = (Long) or(values, ModelField.RELATIVE_BUCKETS, 32L), maxDistance = (Long) or(values, ModelField.RELATIVE_MAX_DISTANCE, 128L);
    if (maxDistance <= buckets / 2) {
      // Blame the field the user wrote: the distance, or the buckets that outgrew the default distance.
      boolean distanceWritten = values.containsKey(ModelField.RELATIVE_MAX_DISTANCE);
      ModelField blame = distanceWritten ? ModelField.RELATIVE_MAX_DISTANCE : ModelField.RELATIVE_BUCKETS;
      SourceLoc at = where.of(blame.specName());
      errors.add(new Diagnostic(at, written(blame, at, values.get(blame)) + ": "
          + (distanceWritten ? "" : "relative_max_distance = " + maxDistance + " (the default) ") + "must exceed relative_buckets / 2 = " + buckets / 2
          + " (the decoder's exact-distance buckets); e.g. relative_max_distance = 128 with 32 buckets"));
    }
    long layers = (Long) or(values, ModelField.LAYERS, 0L);
    long encoderLayers = arch == Architecture.ENCODER_DECODER ? (Long) or(values, ModelField.ENCODER_LAYERS, layers) : 0L;
    long depth = Math.max(encoderLayers, (Long) or(values, ModelField.DECODER_LAYERS, layers));
    long every = (Long) or(values, ModelField.SWITCH_EVERY, 1L);
    if (experts > 0 && every > depth) {
      SourceLoc at = where.of("switch_every");
      errors.add(new Diagnostic(at, written(ModelField.SWITCH_EVERY, at, every) + ": no layer would have a Switch FFN: the deepest stack has "
          + depth + " layer(s), and layer i is sparse iff (i + 1) % " + every + " == 0; use switch_every <= " + depth
          + ", or experts = 0 for a dense model"));
    }
    if (experts == 0) return;
    boolean defaultGroup = !values.containsKey(ModelField.GROUP_SIZE);
    long group = defaultGroup ? Math.min(seq, decSeq) : (Long) values.get(ModelField.GROUP_SIZE);
    boolean twoLengths = arch == Architecture.ENCODER_DECODER && decSeq != seq;
    long tokens = batch * seq, decTokens = batch * decSeq;
    List<String> undivided = new ArrayList<>();
    if (tokens % group != 0) undivided.add("batch * seq = " + batch + " * " + seq + " = " + tokens);
    if (twoLengths && decTokens % group != 0) undivided.add("batch * dec_seq = " + batch + " * " + decSeq + " = " + decTokens);
    if (!undivided.isEmpty()) {
      long common = twoLengths ? gcd(tokens, decTokens) : tokens;
      errors.add(new Diagnostic(where.of("group_size"), "group_size = " + group + (defaultGroup ? " (the default, min(seq, dec_seq))" : "")
          + " does not divide " + String.join(" or ", undivided) + "; every routing group must be full: use "
          + (twoLengths ? "a common divisor of batch * seq = " + tokens + " and batch * dec_seq = " + decTokens : "a divisor of " + tokens)
          + " such as " + divisorAtMost(common, group)));
    }
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** For a suggestion: the largest divisor of {@code n} at most {@code bound}, searched near the bound only (huge sizes stay fast). */
  private static long divisorAtMost(long n, long bound) {
    long lowest = Math.max(1, Math.min(n, bound) - (1 << 20));
    for (long d = Math.min(n, bound); d > lowest; d--) if (n % d == 0) return d;
    return lowest == 1 ? n : gcd(n, bound);
  }

  private static String written(ModelField f, SourceLoc at, Object v) {
    return at.what().isEmpty() || at.what().endsWith("(default)") ? f.specName() + " = " + show(v) : at.what();
  }

  private static String show(Object v) {
    return v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v).toLowerCase(java.util.Locale.ROOT);
  }
}
