package dev.switchc.frontend.model;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Field;
import dev.switchc.frontend.FieldValues;
import dev.switchc.frontend.KindBase;
import dev.switchc.frontend.Provenance;
import dev.switchc.frontend.SpecValidator;
import dev.switchc.ir.DType;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code model} definition: a whole T5 / Switch Transformer ({@link ModelSpec}); defaults are T5 v1.0's and the Switch paper's. */
final class ModelKind extends KindBase<ModelSpec> {
  private ModelKind() {
    super("model", "model", "a model block (see examples/presets)", FIELDS, DIMENSIONS);
  }

  static final long MAX_LAYERS = 1024;

  private static final List<Field> FIELDS = List.of(Field.ARCHITECTURE, Field.VOCAB, Field.D_MODEL, Field.D_FF, Field.D_KV, Field.HEADS,
      Field.LAYERS, Field.ENCODER_LAYERS, Field.DECODER_LAYERS, Field.FFN, Field.EXPERTS, Field.SWITCH_EVERY, Field.TOP_K, Field.BATCH, Field.SEQ,
      Field.DEC_SEQ, Field.GROUP_SIZE, Field.CAPACITY_FACTOR, Field.TRAIN_CAPACITY_FACTOR, Field.EVAL_CAPACITY_FACTOR, Field.MIN_CAPACITY,
      Field.ROUTER_AUX_LOSS_COEF, Field.ROUTER_Z_LOSS_COEF, Field.ROUTER_JITTER, Field.DROPOUT, Field.EXPERT_DROPOUT, Field.RELATIVE_BUCKETS,
      Field.RELATIVE_MAX_DISTANCE, Field.TIED_EMBEDDINGS, Field.ACTIVATION_DTYPE, Field.ROUTER_DTYPE, Field.DISPATCH, Field.INIT_SCALE);

  /**
   * The IR dimension names of a whole model ({@link ModelIr}): the layer's, plus the decoder length,
   * attention keys, heads, vocabulary and relative-position buckets.
   */
  static final List<String> DIMENSIONS = List.of("batch", "seq", "dec_seq", "key_seq", "dec_key_seq", "vocab", "d_model", "heads", "d_kv", "d_ff",
      "rel_bucket", "experts", "group", "token", "expert_capacity", "experts_unsplit", "group_unsplit");

  /** Made after the tables above, which its constructor reads. */
  static final ModelKind INSTANCE = new ModelKind();

  @Override
  public String expected(Field f) {
    return switch (f) {
      case EXPERTS -> "an integer >= 0 (0: a dense model)";
      case ENCODER_LAYERS -> "an integer >= 0 (0: no encoder layers)";
      case TOP_K -> "1 (Switch routing) or 2 (top-2 routing)";
      case RELATIVE_BUCKETS -> "an even integer of at least 4 (half of the buckets per direction in the encoder), e.g. 32";
      case ROUTER_JITTER, DROPOUT, EXPERT_DROPOUT -> "a fraction in [0, 1) such as 0.1";
      default -> f.kind().expected();
    };
  }

  /** The value of an unset field (T5 v1.0 and the Switch paper's defaults). */
  @Override
  public Object defaultValue(Field f, Map<Field, Object> values) {
    return switch (f) {
      case ARCHITECTURE -> Architecture.ENCODER_DECODER;
      case VOCAB -> 32128L;
      case D_KV -> 64L;
      case FFN -> Activation.RELU;
      case EXPERTS -> 0L;
      case SWITCH_EVERY, TOP_K -> 1L;
      case DEC_SEQ -> values.get(Field.SEQ);
      case GROUP_SIZE -> values.get(Field.SEQ) instanceof Long seq ? Math.min(seq, (Long) or(values, Field.DEC_SEQ, seq)) : null;
      case TRAIN_CAPACITY_FACTOR -> new BigDecimal("1.25");
      case EVAL_CAPACITY_FACTOR -> new BigDecimal("2.0");
      case MIN_CAPACITY -> 4L;
      case ROUTER_AUX_LOSS_COEF -> new BigDecimal("0.01");
      case ROUTER_Z_LOSS_COEF, ROUTER_JITTER, DROPOUT, EXPERT_DROPOUT -> BigDecimal.ZERO;
      case RELATIVE_BUCKETS -> 32L;
      case RELATIVE_MAX_DISTANCE -> 128L;
      case TIED_EMBEDDINGS -> Boolean.TRUE;
      case ACTIVATION_DTYPE, ROUTER_DTYPE -> DType.F32;
      case DISPATCH -> Dispatch.GATHER;
      case INIT_SCALE -> new BigDecimal("0.1");
      default -> null;
    };
  }

  private static Object or(Map<Field, Object> values, Field f, Object dflt) {
    Object v = values.get(f);
    return v != null ? v : dflt;
  }

  /** The sizes, and the depth of each stack: layers, or encoder_layers and decoder_layers as the architecture needs. */
  @Override
  public List<Field> required(Map<Field, Object> values, Set<Field> written) {
    List<Field> required = new ArrayList<>(List.of(Field.D_MODEL, Field.D_FF, Field.HEADS, Field.BATCH, Field.SEQ));
    if (!written.contains(Field.LAYERS)) {
      boolean encoder = written.contains(Field.ENCODER_LAYERS), decoder = written.contains(Field.DECODER_LAYERS);
      boolean decoderOnly = architecture(values) == Architecture.DECODER_ONLY;
      if (!decoder && (decoderOnly || !encoder)) required.add(Field.LAYERS);
      else if (!decoder) required.add(Field.DECODER_LAYERS);
      else if (!decoderOnly && !encoder) required.add(Field.ENCODER_LAYERS);
    }
    return required;
  }

  private static Architecture architecture(Map<Field, Object> values) {
    return (Architecture) or(values, Field.ARCHITECTURE, Architecture.ENCODER_DECODER);
  }

  @Override
  public String missingHint(Field f, Map<Field, Object> values) {
    return f == Field.LAYERS && architecture(values) == Architecture.ENCODER_DECODER ? " for both stacks, or encoder_layers and decoder_layers" : "";
  }

  /** Why {@code v} is out of range for {@code f}, with the fix, or null. */
  @Override
  public String rangeProblem(Field f, Object v) {
    if (v instanceof Long n) {
      if (f == Field.TOP_K && n != 1 && n != 2) return "must be " + expected(f);
      if (f == Field.RELATIVE_BUCKETS && (n < 4 || n % 2 != 0)) return "must be " + expected(f);
      boolean zeroOk = f == Field.EXPERTS || f == Field.ENCODER_LAYERS;
      String problem = SpecValidator.integerRange(n, zeroOk ? 0 : 1, Integer.MAX_VALUE, expected(f));
      if (problem != null) return problem;
      boolean depth = f == Field.LAYERS || f == Field.ENCODER_LAYERS || f == Field.DECODER_LAYERS;
      if (depth && n > MAX_LAYERS) // the IR holds every layer's ops: beyond this the compiler's own memory is the limit
        return "must be at most " + MAX_LAYERS + " layers per stack (the deepest published T5/Switch stacks have 24 to 48)";
    }
    if (v instanceof BigDecimal d) {
      boolean zeroOk = f != Field.TRAIN_CAPACITY_FACTOR && f != Field.EVAL_CAPACITY_FACTOR && f != Field.CAPACITY_FACTOR && f != Field.INIT_SCALE;
      boolean fraction = f == Field.ROUTER_JITTER || f == Field.DROPOUT || f == Field.EXPERT_DROPOUT;
      return SpecValidator.decimalRange(d, zeroOk, fraction, expected(f));
    }
    return null;
  }

  /** A decoder-only model has one stack and one length. */
  @Override
  public void structuralRules(Map<Field, Object> values, Provenance where, List<Diagnostic> errors) {
    if (architecture(values) != Architecture.DECODER_ONLY) return;
    for (Field f : List.of(Field.ENCODER_LAYERS, Field.DEC_SEQ))
      if (values.containsKey(f))
        errors.add(new Diagnostic(where.of(f), SpecValidator.written(f, where.of(f), values.get(f)) + ": a decoder_only model has "
            + (f == Field.DEC_SEQ ? "one length, seq" : "no encoder") + "; remove it, or set architecture = encoder_decoder"));
  }

  /** Runs only when every written value is in range: each size is then at most 2^31 - 1, so products of two fit in a long. */
  @Override
  public void crossFieldRules(Map<Field, Object> values, Provenance where, List<Diagnostic> errors) {
    Architecture arch = architecture(values);
    long batch = (Long) values.get(Field.BATCH), seq = (Long) values.get(Field.SEQ);
    long decSeq = (Long) or(values, Field.DEC_SEQ, seq);
    long experts = (Long) or(values, Field.EXPERTS, 0L);
    long topK = (Long) or(values, Field.TOP_K, 1L);
    if (topK == 2 && experts < 2) {
      SourceLoc at = where.of(Field.TOP_K);
      errors.add(new Diagnostic(at, SpecValidator.written(Field.TOP_K, at, topK) + ": top-2 routing needs at least 2 experts, but experts = " + experts
          + (values.containsKey(Field.EXPERTS) ? "" : " (the default: a dense model)") + "; use top_k = 1 or experts >= 2"));
    }
    long buckets = (Long) or(values, Field.RELATIVE_BUCKETS, 32L), maxDistance = (Long) or(values, Field.RELATIVE_MAX_DISTANCE, 128L);
    if (maxDistance <= buckets / 2) {
      // Blame the field the user wrote: the distance, or the buckets that outgrew the default distance.
      boolean distanceWritten = values.containsKey(Field.RELATIVE_MAX_DISTANCE);
      Field blame = distanceWritten ? Field.RELATIVE_MAX_DISTANCE : Field.RELATIVE_BUCKETS;
      SourceLoc at = where.of(blame);
      errors.add(new Diagnostic(at, SpecValidator.written(blame, at, values.get(blame)) + ": "
          + (distanceWritten ? "" : "relative_max_distance = " + maxDistance + " (the default) ") + "must exceed relative_buckets / 2 = " + buckets / 2
          + " (the decoder's exact-distance buckets); e.g. relative_max_distance = 128 with 32 buckets"));
    }
    long layers = (Long) or(values, Field.LAYERS, 0L);
    long encoderLayers = arch == Architecture.ENCODER_DECODER ? (Long) or(values, Field.ENCODER_LAYERS, layers) : 0L;
    long depth = Math.max(encoderLayers, (Long) or(values, Field.DECODER_LAYERS, layers));
    long every = (Long) or(values, Field.SWITCH_EVERY, 1L);
    if (experts > 0 && every > depth) {
      SourceLoc at = where.of(Field.SWITCH_EVERY);
      errors.add(new Diagnostic(at, SpecValidator.written(Field.SWITCH_EVERY, at, every) + ": no layer would have a Switch FFN: the deepest stack has "
          + depth + " layer(s), and layer i is sparse iff (i + 1) % " + every + " == 0; use switch_every <= " + depth
          + ", or experts = 0 for a dense model"));
    }
    if (experts == 0) return;
    boolean defaultGroup = !values.containsKey(Field.GROUP_SIZE);
    long group = defaultGroup ? Math.min(seq, decSeq) : (Long) values.get(Field.GROUP_SIZE);
    boolean twoLengths = arch == Architecture.ENCODER_DECODER && decSeq != seq;
    long tokens = batch * seq, decTokens = batch * decSeq;
    List<String> undivided = new ArrayList<>();
    if (tokens % group != 0) undivided.add("batch * seq = " + batch + " * " + seq + " = " + tokens);
    if (twoLengths && decTokens % group != 0) undivided.add("batch * dec_seq = " + batch + " * " + decSeq + " = " + decTokens);
    if (!undivided.isEmpty()) {
      long common = twoLengths ? SpecValidator.gcd(tokens, decTokens) : tokens;
      errors.add(new Diagnostic(where.of(Field.GROUP_SIZE), "group_size = " + group + (defaultGroup ? " (the default, min(seq, dec_seq))" : "")
          + " does not divide " + String.join(" or ", undivided) + "; every routing group must be full: use "
          + (twoLengths ? "a common divisor of batch * seq = " + tokens + " and batch * dec_seq = " + decTokens : "a divisor of " + tokens)
          + " such as " + SpecValidator.divisorAtMost(common, group)));
    }
  }

  /** The model from validated values: layers sets both stacks unless encoder_layers or decoder_layers says otherwise. */
  @Override
  public ModelSpec create(Map<Field, Object> written) {
    FieldValues v = new FieldValues(this, written);
    Architecture arch = v.get(Field.ARCHITECTURE, Architecture.class);
    boolean encDec = arch == Architecture.ENCODER_DECODER;
    long layers = v.isWritten(Field.LAYERS) ? v.integer(Field.LAYERS) : 0;
    long encoderLayers = !encDec ? 0 : v.isWritten(Field.ENCODER_LAYERS) ? v.integer(Field.ENCODER_LAYERS) : layers;
    long decoderLayers = v.isWritten(Field.DECODER_LAYERS) ? v.integer(Field.DECODER_LAYERS) : layers;
    return new ModelSpec(arch, v.integer(Field.VOCAB), v.integer(Field.D_MODEL), v.integer(Field.D_FF), v.integer(Field.D_KV), v.integer(Field.HEADS),
        encoderLayers, decoderLayers, v.get(Field.FFN, Activation.class), v.integer(Field.EXPERTS), v.integer(Field.SWITCH_EVERY),
        v.integer(Field.TOP_K), v.integer(Field.BATCH), v.integer(Field.SEQ), encDec ? v.integer(Field.DEC_SEQ) : v.integer(Field.SEQ),
        v.integer(Field.GROUP_SIZE), v.decimal(Field.TRAIN_CAPACITY_FACTOR), v.decimal(Field.EVAL_CAPACITY_FACTOR), v.integer(Field.MIN_CAPACITY),
        v.real(Field.ROUTER_AUX_LOSS_COEF), v.real(Field.ROUTER_Z_LOSS_COEF), v.real(Field.ROUTER_JITTER), v.real(Field.DROPOUT),
        v.real(Field.EXPERT_DROPOUT), v.integer(Field.RELATIVE_BUCKETS), v.integer(Field.RELATIVE_MAX_DISTANCE),
        v.get(Field.TIED_EMBEDDINGS, Boolean.class), v.get(Field.ACTIVATION_DTYPE, DType.class), v.get(Field.ROUTER_DTYPE, DType.class), v.get(Field.DISPATCH, Dispatch.class),
        v.real(Field.INIT_SCALE));
  }
}
