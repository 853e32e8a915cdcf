package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.ProgramRun;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelIr;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.tests.reference.TransformerReference;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forward pass of whole models (logits, cross-entropy, aux loss, z-loss) against
 * {@link TransformerReference}, a plain-Java forward pass written from the README's "Model
 * semantics" that shares no code with the compiler. Inputs and targets end in padding (id 0), so
 * the padding masks and the loss weights matter.
 */
class ModelNumericsTest {
  /** A preset with {@code --set} overrides, on one device. */
  record Case(String name, String preset, List<String> sets) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case("tiny-switch (encoder-decoder, top-1)", "tiny-switch", List.of()),
        new Case("tiny-switch-lm (decoder-only)", "tiny-switch-lm", List.of()),
        new Case("tiny-dense (T5)", "tiny-dense", List.of()),
        new Case("top-1 with capacity overflow", "tiny-switch", List.of("capacity_factor=0.5", "min_capacity=1", "switch_every=1")),
        new Case("top-2", "tiny-switch", List.of("top_k=2", "switch_every=1")),
        new Case("top-2 with second-choice overflow", "tiny-switch", List.of("top_k=2", "capacity_factor=1.0", "min_capacity=2", "switch_every=1")),
        new Case("top-2 decoder-only, einsum dispatch", "tiny-switch-lm", List.of("top_k=2", "capacity_factor=0.75", "min_capacity=1", "dispatch=einsum")),
        new Case("geglu, untied head, gelu experts", "tiny-switch", List.of("ffn=geglu", "tied_embeddings=false", "experts=3", "group_size=4")),
        new Case("gelu, einsum dispatch, no z-loss", "tiny-switch", List.of("ffn=gelu", "dispatch=einsum", "router_z_loss_coef=0")),
        new Case("long sequences: every position bucket", "tiny-switch-lm", List.of("seq=48", "group_size=16", "relative_buckets=8", "relative_max_distance=20")),
        new Case("encoder longer than decoder, odd sizes", "tiny-switch", List.of("seq=12", "dec_seq=6", "group_size=6", "heads=3", "d_kv=5", "batch=2")));
  }

  /** The case on one device (the presets' meshes are tested in ModelShardedRunTest). */
  static Program program(Case c) {
    return Program.single(Presets.load(c.preset(), c.sets(), Optional.empty(), List.of()).definition());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardPassMatchesTheReference(Case c) {
    Program program = program(c);
    ModelSpec s = program.spec(ModelSpec.class);
    try (ProgramRun run = ProgramRun.load(Compilation.of(program, Mode.EVAL))) {
      Data data = Data.of(run, s, 7, 1);
      Map<String, float[]> params = data.params();
      int[] inputs = data.inputs(), targets = data.targets();
      Runs.Model actual = Runs.model(run, params, inputs, targets);
      TransformerReference.Result expected = TransformerReference.forward(config(s), params, inputs, targets);

      // f32 through two layers: about 1e-6 of the logits' scale here; a wrong mask, bucket or gate is off by 1e-2 or more.
      Compare.closeToScale(c + ": logits", actual.logits(), expected.logits(), 2e-5);
      assertEquals(expected.crossEntropy(), actual.crossEntropy(), 1e-5 * Math.abs(expected.crossEntropy()), c + ": cross_entropy");
      assertEquals(expected.auxLoss(), actual.auxLoss(), 1e-6 + 1e-5 * expected.auxLoss(), c + ": aux_loss");
      assertEquals(expected.zLoss(), actual.zLoss(), 1e-6 + 1e-5 * expected.zLoss(), c + ": z_loss");
      assertEquals(expected.loss(), actual.loss(), 1e-5 * Math.abs(expected.loss()), c + ": loss");
      if (c.name().contains("overflow"))
        assertTrue(java.util.Arrays.stream(expected.droppedPerLayer()).sum() > 0 || c.name().contains("second"), c + ": the case must drop tokens");
    }
  }

  /**
   * bf16 activations (the presets' setting): the stacks round every activation to 8 bits of
   * mantissa, so the logits are compared by their RMS error and the loss to 1%; the router and the
   * losses stay f32.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("bf16Cases")
  void bf16ActivationsStayCloseToTheReference(Case c) {
    Program program = program(c);
    ModelSpec s = program.spec(ModelSpec.class);
    try (ProgramRun run = ProgramRun.load(Compilation.of(program, Mode.EVAL))) {
      assertTrue(run.compilation().spmdText().text().contains("bf16"), c + ": the module computes in bf16");
      Data data = Data.of(run, s, 7, 1);
      Map<String, float[]> params = data.params();
      int[] inputs = data.inputs(), targets = data.targets();
      Runs.Model actual = Runs.model(run, params, inputs, targets);
      TransformerReference.Result expected = TransformerReference.forward(config(s), params, inputs, targets);
      // Rounding can flip a near-tie in the router, which changes a few tokens' logits outright, so
      // the measure is the root-mean-square error over the whole tensor (f32 runs are checked elementwise above).
      double err = 0, ref = 0;
      for (int i = 0; i < actual.logits().length; i++) {
        err += Math.pow(actual.logits()[i] - expected.logits()[i], 2);
        ref += Math.pow(expected.logits()[i], 2);
      }
      assertTrue(Math.sqrt(err / ref) < 0.05, c + ": logits' relative RMS error " + Math.sqrt(err / ref));
      assertEquals(expected.crossEntropy(), actual.crossEntropy(), 0.01 * expected.crossEntropy(), c + ": cross_entropy");
    }
  }

  static List<Case> bf16Cases() {
    return List.of(new Case("tiny-switch, bf16", "tiny-switch", List.of("activation_dtype=bf16")),
        new Case("tiny-switch-lm, bf16", "tiny-switch-lm", List.of("activation_dtype=bf16")));
  }

  /** Training mode: dropout at every site, expert dropout and router jitter, from a seed input. */
  static List<Case> trainingCases() {
    List<String> noise = List.of("dropout=0.1", "expert_dropout=0.4", "router_jitter=0.01");
    return List.of(
        new Case("tiny-switch, training noise", "tiny-switch", noise),
        new Case("tiny-switch-lm, training noise, top-2", "tiny-switch-lm", concat(noise, List.of("top_k=2", "train_capacity_factor=1.0", "min_capacity=1"))),
        new Case("tiny-dense, training noise, geglu", "tiny-dense", concat(noise, List.of("ffn=geglu"))),
        new Case("jitter only, overflow", "tiny-switch", List.of("router_jitter=0.5", "train_capacity_factor=0.5", "min_capacity=1", "switch_every=1")));
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trainingCases")
  void trainingModeNoiseMatchesTheReference(Case c) {
    Program program = program(c);
    ModelSpec s = program.spec(ModelSpec.class);
    try (ProgramRun run = ProgramRun.load(Compilation.of(program, Mode.TRAIN))) {
      assertTrue(Runs.takesSeed(run), c + ": a training program with noise takes a seed");
      Data data = Data.of(run, s, 7, 1);
      Map<String, float[]> params = data.params();
      int[] inputs = data.inputs(), targets = data.targets();
      TransformerReference.Config config = config(s, s.trainCapacityFactor());
      for (int seed : new int[] {11, -5}) {
        Runs.Model actual = Runs.model(run, params, inputs, targets, seed);
        TransformerReference.Result expected = TransformerReference.forward(config, params, inputs, targets,
            new TransformerReference.Noise(seed, s.dropout(), s.expertDropout(), s.routerJitter()));
        Compare.closeToScale(c + " seed " + seed + ": logits", actual.logits(), expected.logits(), 2e-5);
        assertEquals(expected.crossEntropy(), actual.crossEntropy(), 1e-5 * Math.abs(expected.crossEntropy()), c + ": cross_entropy");
        assertEquals(expected.auxLoss(), actual.auxLoss(), 1e-6 + 1e-5 * expected.auxLoss(), c + ": aux_loss");
        assertEquals(expected.zLoss(), actual.zLoss(), 1e-6 + 1e-5 * expected.zLoss(), c + ": z_loss");
        assertRouterMetrics(c + " seed " + seed, s, run, params, inputs, targets, seed, expected.droppedPerLayer());
      }
      Runs.Model one = Runs.model(run, params, inputs, targets, 11), other = Runs.model(run, params, inputs, targets, 12);
      assertTrue(one.loss() != other.loss(), c + ": another seed draws other noise");
    }
  }

  /**
   * A training program's router metrics: per Switch layer (encoder first, as the reference counts),
   * the dropped fraction equals the reference's dropped first choices over the layer's tokens, the
   * tokens per expert add up to those tokens, and {@code dropped_fraction} is the layers' mean.
   */
  private static void assertRouterMetrics(String what, ModelSpec s, ProgramRun run, Map<String, float[]> params, int[] inputs, int[] targets,
      int seed, int[] droppedPerLayer) {
    Map<String, dev.switchc.runtime.HostTensor> data = new java.util.LinkedHashMap<>();
    data.put(ModelIr.INPUTS, run.input(ModelIr.INPUTS, inputs));
    if (targets != null) data.put(ModelIr.TARGETS, run.input(ModelIr.TARGETS, targets));
    data.put(ModelIr.SEED, run.input(ModelIr.SEED, new int[] {seed}));
    ProgramRun.Result r = run.run(params, data);
    List<String> layers = r.outputs().keySet().stream().filter(n -> n.startsWith(ModelIr.DROPPED_FRACTION + "/"))
        .map(n -> n.substring(ModelIr.DROPPED_FRACTION.length() + 1)).toList();
    assertEquals(droppedPerLayer.length, layers.size(), what + ": one dropped fraction per Switch layer " + layers);
    double sum = 0;
    for (int i = 0; i < layers.size(); i++) {
      String layer = layers.get(i);
      long tokens = s.batch() * (layer.startsWith("encoder") ? s.seq() : s.decSeq());
      float dropped = r.scalar(ModelIr.DROPPED_FRACTION + "/" + layer);
      assertEquals((double) droppedPerLayer[i] / tokens, dropped, 1e-7, what + ": dropped fraction of " + layer);
      assertEquals(tokens, java.util.Arrays.stream(r.ints(ModelIr.TOKENS_PER_EXPERT + "/" + layer)).sum(), what + ": tokens per expert of " + layer);
      assertEquals(s.experts(), r.ints(ModelIr.TOKENS_PER_EXPERT + "/" + layer).length);
      sum += dropped;
    }
    if (!layers.isEmpty()) assertEquals(sum / layers.size(), r.scalar(ModelIr.DROPPED_FRACTION), 1e-6, what + ": mean dropped fraction");
  }

  /** Parameters drawn from {@code paramSeed} and padded token ids from {@code idSeed} for {@code run}'s model. */
  record Data(Map<String, float[]> params, int[] inputs, int[] targets) {
    static Data of(ProgramRun run, ModelSpec s, long paramSeed, long idSeed) {
      Map<String, float[]> params = run.initialParameters(paramSeed);
      int[] inputs = padded(ParameterInit.tokenIds(idSeed, "inputs", s.batch() * s.seq(), s.vocab()), (int) s.batch(), (int) s.seq());
      int[] targets = s.encoderDecoder()
          ? padded(ParameterInit.tokenIds(idSeed, "targets", s.batch() * s.decSeq(), s.vocab()), (int) s.batch(), (int) s.decSeq()) : null;
      return new Data(params, inputs, targets);
    }
  }

  /**
   * Sequence b ends in b padding ids (0), so each sequence has a different amount of padding, and
   * the last sequence of a batch of three or more is padding throughout (its queries see no key).
   */
  static int[] padded(int[] ids, int batch, int length) {
    for (int b = 0; b < batch; b++) {
      int from = b == batch - 1 && batch >= 3 ? 0 : Math.max(1, length - b);
      for (int i = from; i < length; i++) ids[b * length + i] = 0;
    }
    return ids;
  }

  static TransformerReference.Config config(ModelSpec s) {
    return config(s, s.evalCapacityFactor());
  }

  static TransformerReference.Config config(ModelSpec s, java.math.BigDecimal capacityFactor) {
    TransformerReference.Ffn ffn = switch (s.ffn()) {
      case RELU -> TransformerReference.Ffn.RELU;
      case GELU -> TransformerReference.Ffn.GELU;
      case GEGLU -> TransformerReference.Ffn.GEGLU;
    };
    return new TransformerReference.Config(s.encoderDecoder(), (int) s.vocab(), (int) s.dModel(), (int) s.dFf(), (int) s.dKv(), (int) s.heads(),
        (int) s.encoderLayers(), (int) s.decoderLayers(), ffn, (int) s.experts(), (int) s.switchEvery(), (int) s.topK(), (int) s.groupSize(),
        capacityFactor, s.minCapacity(), s.routerAuxLossCoef(), s.routerZLossCoef(), (int) s.relativeBuckets(),
        (int) s.relativeMaxDistance(), s.tiedEmbeddings(), (int) s.batch(), (int) s.seq(), (int) s.decSeq());
  }
}
