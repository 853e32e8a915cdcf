package dev.switchc.frontend.model;

import dev.switchc.frontend.Program;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.frontend.spec.SpecFile;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Malformed model definitions (spec files, --set, the DSL), one per rule they break, with the exact lines the user sees. */
class ModelSpecErrorsTest {
  private static final String FILE = "ModelSpecErrorsTest.java";
  private static final String KNOWN_FIELDS = "known fields: architecture, vocab, d_model, d_ff, d_kv, heads, layers, encoder_layers,"
      + " decoder_layers, ffn, experts, switch_every, top_k, batch, seq, dec_seq, group_size, capacity_factor, train_capacity_factor,"
      + " eval_capacity_factor, min_capacity, router_aux_loss_coef, router_z_loss_coef, router_jitter, dropout, expert_dropout,"
      + " relative_buckets, relative_max_distance, tied_embeddings, activation_dtype, router_dtype, dispatch, init_scale";
  private static final String MODEL_DIMENSIONS = "the model's dimensions: batch, seq, dec_seq, key_seq, dec_key_seq, vocab, d_model,"
      + " heads, d_kv, d_ff, rel_bucket, experts, group, token, expert_capacity, experts_unsplit, group_unsplit";

  /** The required fields of a small model on lines 2-7; a test adds its own lines from line 8 on. */
  private static final String HEAD = """
      model {
        d_model = 64
        d_ff = 128
        heads = 4
        layers = 2
        batch = 4
        seq = 16
      """;

  /** Parses {@code text} as {@code bad.swc} and expects exactly {@code lines}, in order. */
  private static void assertErrors(String text, String... lines) {
    assertRendered(() -> SpecFile.parse("bad.swc", text), lines);
  }

  /** {@link #HEAD}, then {@code rest} (lines 8 on), then the closing brace. */
  private static void assertModelErrors(String rest, String... lines) {
    assertErrors(HEAD + rest + "}\n", lines);
  }

  private static void assertRendered(Executable parse, String... lines) {
    CompileError e = assertThrows(CompileError.class, parse);
    assertEquals(List.of(lines), e.diagnostics().stream().map(Diagnostic::render).toList());
    assertEquals(String.join("\n", lines), e.getMessage());
  }

  /** The line after the caller's, where the DSL call under test is written. */
  private static int nextLine() {
    return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow()).getLineNumber() + 1;
  }

  /** How a diagnostic at a DSL call on {@code line} of this file renders its place. */
  private static String at(int line) {
    return new SourceLoc(FILE, line, 0, "").toString();
  }

  // ---- fields -------------------------------------------------------------------------------------

  @Test
  void unknownFieldWithSuggestion() {
    assertModelErrors("  expretrs = 8\n",
        "bad.swc:8:3: error: expretrs = 8: unknown field 'expretrs' in model; did you mean 'experts'? " + KNOWN_FIELDS);
  }

  @Test
  void unknownFieldWithoutSuggestion() {
    assertModelErrors("  learning_rate = 0.01\n",
        "bad.swc:8:3: error: learning_rate = 0.01: unknown field 'learning_rate' in model; " + KNOWN_FIELDS);
  }

  @Test
  void aSwitchLayerFieldIsNotAModelField() {
    assertModelErrors("  activation = gelu\n",
        "bad.swc:8:3: error: activation = gelu: unknown field 'activation' in model; " + KNOWN_FIELDS);
  }

  @Test
  void duplicateField() {
    assertModelErrors("  heads = 8\n",
        "bad.swc:8:3: error: heads = 8: duplicate field 'heads', first set at 4:3 (heads = 4); remove one of them");
  }

  @Test
  void missingEveryRequiredField() {
    String missing = "bad.swc:1:1: error: model is missing the required field ";
    assertErrors("model { }\n",
        missing + "'d_model'; add 'd_model = N' (a positive integer)",
        missing + "'d_ff'; add 'd_ff = N' (a positive integer)",
        missing + "'heads'; add 'heads = N' (a positive integer)",
        missing + "'batch'; add 'batch = N' (a positive integer)",
        missing + "'seq'; add 'seq = N' (a positive integer)",
        missing + "'layers'; add 'layers = N' (a positive integer) for both stacks, or encoder_layers and decoder_layers");
  }

  @Test
  void missingOneField() {
    assertErrors("""
        # no heads
        model {
          d_model = 64
          d_ff = 128
          layers = 2
          batch = 4
          seq = 16
        }
        """,
        "bad.swc:2:1: error: model is missing the required field 'heads'; add 'heads = N' (a positive integer)");
  }

  @Test
  void missingLayersOfOneStack() {
    assertErrors("model { d_model = 64 d_ff = 128 heads = 4 encoder_layers = 2 batch = 4 seq = 16 }\n",
        "bad.swc:1:1: error: model is missing the required field 'decoder_layers'; add 'decoder_layers = N' (a positive integer)");
    assertErrors("model { d_model = 64 d_ff = 128 heads = 4 decoder_layers = 2 batch = 4 seq = 16 }\n",
        "bad.swc:1:1: error: model is missing the required field 'encoder_layers'; add 'encoder_layers = N' (an integer >= 0 (0: no"
            + " encoder layers))");
  }

  @Test
  void missingLayersOfADecoderOnlyModel() {
    assertErrors("model { architecture = decoder_only d_model = 64 d_ff = 128 heads = 4 batch = 4 seq = 16 }\n",
        "bad.swc:1:1: error: model is missing the required field 'layers'; add 'layers = N' (a positive integer)");
  }

  @Test
  void aRejectedValueIsNotAlsoMissing() {
    assertErrors("""
        model {
          d_model = x
          d_ff = 128
          heads = 4
          layers = 2.5
          batch = 4
          seq = 16
        }
        """,
        "bad.swc:2:13: error: d_model = x: 'x' is not a number; expected a positive integer",
        "bad.swc:5:12: error: layers = 2.5: '2.5' is not an integer; expected a positive integer");
  }

  @Test
  void layersConflictsWithAStack() {
    assertModelErrors("  encoder_layers = 3\n",
        "bad.swc:8:3: error: encoder_layers = 3: conflicts with 'layers = 2' at 5:3; layers sets both encoder_layers and"
            + " decoder_layers, so write either layers or encoder_layers/decoder_layers, not both");
  }

  // ---- sizes and ranges ---------------------------------------------------------------------------

  @Test
  void zeroAndNegativeSizes() {
    assertErrors("""
        model {
          d_model = 0
          d_ff = -128
          heads = 0
          layers = 0
          batch = -4
          seq = 0
          vocab = 0
          d_kv = -1
        }
        """,
        "bad.swc:2:13: error: d_model = 0: must be at least 1; expected a positive integer",
        "bad.swc:3:10: error: d_ff = -128: must be at least 1; expected a positive integer",
        "bad.swc:4:11: error: heads = 0: must be at least 1; expected a positive integer",
        "bad.swc:5:12: error: layers = 0: must be at least 1; expected a positive integer",
        "bad.swc:6:11: error: batch = -4: must be at least 1; expected a positive integer",
        "bad.swc:7:9: error: seq = 0: must be at least 1; expected a positive integer",
        "bad.swc:8:11: error: vocab = 0: must be at least 1; expected a positive integer",
        "bad.swc:9:10: error: d_kv = -1: must be at least 1; expected a positive integer");
  }

  @Test
  void negativeStackDepths() {
    assertErrors("model { d_model = 64 d_ff = 128 heads = 4 encoder_layers = -1 decoder_layers = 0 batch = 4 seq = 16 }\n",
        "bad.swc:1:60: error: encoder_layers = -1: must be at least 0; expected an integer >= 0 (0: no encoder layers)",
        "bad.swc:1:80: error: decoder_layers = 0: must be at least 1; expected a positive integer");
  }

  @Test
  void negativeExperts() {
    assertModelErrors("  experts = -1\n",
        "bad.swc:8:13: error: experts = -1: must be at least 0; expected an integer >= 0 (0: a dense model)");
  }

  @Test
  void expertsNotANumberSaysWhatExpertsTakes() {
    assertModelErrors("  experts = many\n",
        "bad.swc:8:13: error: experts = many: 'many' is not a number; expected an integer >= 0 (0: a dense model)");
  }

  @Test
  void sizeBeyondInt() {
    assertErrors("model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 99999999999 seq = 99999999999 experts = 4 }\n",
        "bad.swc:1:62: error: batch = 99999999999: must be at most 2147483647; expected a positive integer",
        "bad.swc:1:80: error: seq = 99999999999: must be at most 2147483647; expected a positive integer");
    assertModelErrors("  vocab = 99999999999999999999\n",
        "bad.swc:8:11: error: vocab = 99999999999999999999: '99999999999999999999' is too large; expected a positive integer");
  }

  @Test
  void largestSizesDoNotOverflow() {
    assertErrors("model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 2147483647 seq = 2147483647 dec_seq = 2147483646"
            + " experts = 4 }\n",
        "bad.swc:1:1: error: group_size = 2147483646 (the default, min(seq, dec_seq)) does not divide batch * seq = 2147483647 *"
            + " 2147483647 = 4611686014132420609; every routing group must be full: use a common divisor of batch * seq ="
            + " 4611686014132420609 and batch * dec_seq = 4611686011984936962 such as 1");
  }

  @Test
  void topKThree() {
    assertModelErrors("  experts = 8\n  top_k = 3\n",
        "bad.swc:9:11: error: top_k = 3: must be 1 (Switch routing) or 2 (top-2 routing)");
  }

  @Test
  void topKZero() {
    assertModelErrors("  experts = 8\n  top_k = 0\n",
        "bad.swc:9:11: error: top_k = 0: must be 1 (Switch routing) or 2 (top-2 routing)");
  }

  @Test
  void topTwoWithOneExpert() {
    assertModelErrors("  experts = 1\n  top_k = 2\n",
        "bad.swc:9:11: error: top_k = 2: top-2 routing needs at least 2 experts, but experts = 1; use top_k = 1 or experts >= 2");
  }

  @Test
  void topTwoInADenseModel() {
    assertModelErrors("  top_k = 2\n",
        "bad.swc:8:11: error: top_k = 2: top-2 routing needs at least 2 experts, but experts = 0 (the default: a dense model);"
            + " use top_k = 1 or experts >= 2");
  }

  @Test
  void capacityFactorZero() {
    assertModelErrors("  experts = 8\n  capacity_factor = 0\n",
        "bad.swc:9:21: error: capacity_factor = 0: must be > 0; expected a decimal number such as 1.25");
  }

  @Test
  void evalCapacityFactorNegative() {
    assertModelErrors("  experts = 8\n  eval_capacity_factor = -2\n",
        "bad.swc:9:26: error: eval_capacity_factor = -2: must be > 0; expected a decimal number such as 1.25");
  }

  @Test
  void capacityFactorConflictsWithTrainCapacityFactor() {
    assertModelErrors("  experts = 8\n  capacity_factor = 1.25\n  train_capacity_factor = 1.5\n",
        "bad.swc:10:3: error: train_capacity_factor = 1.5: conflicts with 'capacity_factor = 1.25' at 9:3; capacity_factor sets"
            + " both train_capacity_factor and eval_capacity_factor, so write either capacity_factor or"
            + " train_capacity_factor/eval_capacity_factor, not both");
  }

  @Test
  void capacityFactorAfterEvalCapacityFactor() {
    assertModelErrors("  eval_capacity_factor = 2\n  capacity_factor = 1.25\n",
        "bad.swc:9:3: error: capacity_factor = 1.25: conflicts with 'eval_capacity_factor = 2' at 8:3; capacity_factor sets"
            + " both train_capacity_factor and eval_capacity_factor, so write either capacity_factor or"
            + " train_capacity_factor/eval_capacity_factor, not both");
  }

  @Test
  void dropoutAndJitterAreFractions() {
    assertModelErrors("  dropout = 1.5\n  expert_dropout = -0.1\n  router_jitter = 1\n",
        "bad.swc:8:13: error: dropout = 1.5: must be below 1; expected a fraction in [0, 1) such as 0.1",
        "bad.swc:9:20: error: expert_dropout = -0.1: must be >= 0; expected a fraction in [0, 1) such as 0.1",
        "bad.swc:10:19: error: router_jitter = 1: must be below 1; expected a fraction in [0, 1) such as 0.1");
  }

  @Test
  void otherDecimalsOutOfRange() {
    assertModelErrors("  router_aux_loss_coef = -0.01\n  router_z_loss_coef = -1\n  init_scale = 0\n  min_capacity = 0\n",
        "bad.swc:8:26: error: router_aux_loss_coef = -0.01: must be >= 0; expected a decimal number such as 1.25",
        "bad.swc:9:24: error: router_z_loss_coef = -1: must be >= 0; expected a decimal number such as 1.25",
        "bad.swc:10:16: error: init_scale = 0: must be > 0; expected a decimal number such as 1.25",
        "bad.swc:11:18: error: min_capacity = 0: must be at least 1; expected a positive integer");
  }

  @Test
  void relativeBucketsOdd() {
    assertModelErrors("  relative_buckets = 31\n",
        "bad.swc:8:22: error: relative_buckets = 31: must be an even integer of at least 4 (half of the buckets per direction in"
            + " the encoder), e.g. 32");
  }

  @Test
  void relativeBucketsBelowFour() {
    assertModelErrors("  relative_buckets = 2\n",
        "bad.swc:8:22: error: relative_buckets = 2: must be an even integer of at least 4 (half of the buckets per direction in"
            + " the encoder), e.g. 32");
  }

  @Test
  void relativeMaxDistanceNotBeyondHalfTheBuckets() {
    assertModelErrors("  relative_buckets = 32\n  relative_max_distance = 16\n",
        "bad.swc:9:27: error: relative_max_distance = 16: must exceed relative_buckets / 2 = 16 (the decoder's exact-distance"
            + " buckets); e.g. relative_max_distance = 128 with 32 buckets");
  }

  @Test
  void relativeBucketsBeyondTheDefaultMaxDistance() {
    assertModelErrors("  relative_buckets = 256\n",
        "bad.swc:8:22: error: relative_buckets = 256: relative_max_distance = 128 (the default) must exceed relative_buckets / 2 ="
            + " 128 (the decoder's exact-distance buckets); e.g. relative_max_distance = 128 with 32 buckets");
  }

  @Test
  void switchEveryBeyondTheLayers() {
    assertModelErrors("  experts = 8\n  switch_every = 3\n",
        "bad.swc:9:18: error: switch_every = 3: no layer would have a Switch FFN: the deepest stack has 2 layer(s), and layer i is"
            + " sparse iff (i + 1) % 3 == 0; use switch_every <= 2, or experts = 0 for a dense model");
  }

  // ---- group size ---------------------------------------------------------------------------------

  @Test
  void groupSizeNotDividingBatchTimesSeq() {
    assertModelErrors("  experts = 8\n  group_size = 7\n",
        "bad.swc:9:16: error: group_size = 7 does not divide batch * seq = 4 * 16 = 64; every routing group must be full:"
            + " use a divisor of 64 such as 4");
  }

  @Test
  void groupSizeNotDividingBatchTimesDecSeq() {
    assertModelErrors("  dec_seq = 12\n  experts = 8\n  group_size = 32\n",
        "bad.swc:10:16: error: group_size = 32 does not divide batch * dec_seq = 4 * 12 = 48; every routing group must be full:"
            + " use a common divisor of batch * seq = 64 and batch * dec_seq = 48 such as 16");
  }

  @Test
  void groupSizeNotDividingEitherStack() {
    assertModelErrors("  dec_seq = 12\n  experts = 8\n  group_size = 40\n",
        "bad.swc:10:16: error: group_size = 40 does not divide batch * seq = 4 * 16 = 64 or batch * dec_seq = 4 * 12 = 48; every"
            + " routing group must be full: use a common divisor of batch * seq = 64 and batch * dec_seq = 48 such as 16");
  }

  @Test
  void defaultGroupSizeNotDividingTheEncoder() {
    assertErrors("model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 1 seq = 16 dec_seq = 12 experts = 8 }\n",
        "bad.swc:1:1: error: group_size = 12 (the default, min(seq, dec_seq)) does not divide batch * seq = 1 * 16 = 16; every"
            + " routing group must be full: use a common divisor of batch * seq = 16 and batch * dec_seq = 12 such as 4");
  }

  @Test
  void groupSizeIsIgnoredInADenseModel() {
    // Not an error: with experts = 0 there are no routing groups (covered here so that it stays deliberate).
    SpecFile.parse("ok.swc", HEAD + "  group_size = 7\n}\n");
  }

  // ---- architecture -------------------------------------------------------------------------------

  @Test
  void decoderOnlyWithEncoderFields() {
    assertErrors("""
        model {
          architecture = decoder_only
          d_model = 64
          d_ff = 128
          heads = 4
          encoder_layers = 2
          decoder_layers = 2
          batch = 4
          seq = 16
          dec_seq = 8
        }
        """,
        "bad.swc:6:20: error: encoder_layers = 2: a decoder_only model has no encoder; remove it, or set architecture ="
            + " encoder_decoder",
        "bad.swc:10:13: error: dec_seq = 8: a decoder_only model has one length, seq; remove it, or set architecture ="
            + " encoder_decoder");
  }

  @Test
  void unknownArchitecture() {
    assertModelErrors("  architecture = encoder\n",
        "bad.swc:8:18: error: architecture = encoder: 'encoder' is not a valid value; expected one of encoder_decoder, decoder_only");
  }

  @Test
  void unknownFfn() {
    assertModelErrors("  ffn = swish\n",
        "bad.swc:8:9: error: ffn = swish: 'swish' is not a valid value; expected one of relu, gelu, geglu");
  }

  @Test
  void tiedEmbeddingsNotABoolean() {
    assertModelErrors("  tied_embeddings = maybe\n",
        "bad.swc:8:21: error: tied_embeddings = maybe: 'maybe' is not a boolean; expected true or false");
  }

  @Test
  void otherEnumsNotValid() {
    assertModelErrors("  activation_dtype = fp16\n  dispatch = fast\n",
        "bad.swc:8:22: error: activation_dtype = fp16: 'fp16' is not a supported activation dtype; expected one of f32, bf16",
        "bad.swc:9:14: error: dispatch = fast: 'fast' is not a valid value; expected one of gather, einsum");
  }

  @Test
  void quotedValues() {
    assertModelErrors("  ffn = \"gelu\"\n  experts = \"8\"\n  architecture = \"lm\"\n",
        "bad.swc:8:9: error: ffn = \"gelu\": ffn does not take a quoted string; expected one of relu, gelu, geglu; remove the quotes",
        "bad.swc:9:13: error: experts = \"8\": experts does not take a quoted string; expected an integer >= 0 (0: a dense model);"
            + " remove the quotes",
        "bad.swc:10:18: error: architecture = \"lm\": architecture does not take a quoted string; expected one of"
            + " encoder_decoder, decoder_only");
  }

  @Test
  void tupleValue() {
    assertModelErrors("  experts = (8)\n",
        "bad.swc:8:13: error: experts = (8): '(8)' is not a number; expected an integer >= 0 (0: a dense model)");
  }

  // ---- blocks -------------------------------------------------------------------------------------

  @Test
  void modelNextToSwitchLayer() {
    assertErrors("""
        switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }
        model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 4 seq = 16 }
        """,
        "bad.swc:2:1: error: a model block next to the switch_layer block at 1:1; a spec file describes one layer or one model:"
            + " remove one of them");
  }

  @Test
  void switchLayerAfterModel() {
    assertErrors("""
        model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 4 seq = 16 }
        switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }
        """,
        "bad.swc:2:1: error: a switch_layer block next to the model block at 1:1; a spec file describes one layer or one model:"
            + " remove one of them");
  }

  @Test
  void twoModelBlocks() {
    assertErrors("""
        model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 4 seq = 16 }

        model { experts = 8 }
        """,
        "bad.swc:3:1: error: second model block; the first is at 1:1 and a spec file has one; merge the two blocks");
  }

  @Test
  void misspelledBlockNextToAModel() {
    assertErrors("""
        model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 4 seq = 16 }
        layuot { heads = model }
        """,
        "bad.swc:2:1: error: unknown block 'layuot'; did you mean 'layout'? known blocks: switch_layer, model, mesh, layout");
  }

  @Test
  void modelWhereALayerIsExpected() {
    dev.switchc.frontend.Program p = SpecFile.parse("m.swc", HEAD + "}\n");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> p.definition(dev.switchc.frontend.SwitchLayerSpec.class));
    org.junit.jupiter.api.Assertions.assertEquals("this program is a model, not a SwitchLayerSpec", e.getMessage());
  }

  @Test
  void severalErrorsAtOnceAreAllReportedInSourceOrder() {
    assertErrors("""
        model {
          d_modle = 64
          d_ff = 128
          heads = 0
          layers = 2
          batch = 4
          seq = 16
          ffn = tanh
          experts = -8
          heads = 4
        }
        mesh { data = 0 }
        """,
        "bad.swc:1:1: error: model is missing the required field 'd_model'; add 'd_model = N' (a positive integer)",
        "bad.swc:2:3: error: d_modle = 64: unknown field 'd_modle' in model; did you mean 'd_model'? " + KNOWN_FIELDS,
        "bad.swc:4:11: error: heads = 0: must be at least 1; expected a positive integer",
        "bad.swc:8:9: error: ffn = tanh: 'tanh' is not a valid value; expected one of relu, gelu, geglu",
        "bad.swc:9:13: error: experts = -8: must be at least 0; expected an integer >= 0 (0: a dense model)",
        "bad.swc:10:3: error: heads = 4: duplicate field 'heads', first set at 4:3 (heads = 0); remove one of them",
        "bad.swc:12:15: error: data = 0: must be at least 1; expected a positive integer, the number of devices along 'data'");
  }

  // ---- --set, --mesh, --layout --------------------------------------------------------------------

  private static void assertOverrideErrors(List<String> sets, Optional<String> mesh, List<String> layouts, String... lines) {
    assertRendered(() -> Overrides.load("m.swc", HEAD + "  experts = 8\n}\n", sets, mesh, layouts), lines);
  }

  @Test
  void badSetsOnAModel() {
    assertOverrideErrors(List.of("expert=16", "top_k=3", "heads=", "dropout=1"), Optional.empty(), List.of(),
        "--set expert=16: error: expert = 16: unknown field 'expert' in model; did you mean 'experts'? " + KNOWN_FIELDS,
        "--set heads=: error: heads = : the value is missing; write --set heads=<value> (a positive integer)",
        "--set top_k=3: error: top_k=3: must be 1 (Switch routing) or 2 (top-2 routing)",
        "--set dropout=1: error: dropout=1: must be below 1; expected a fraction in [0, 1) such as 0.1");
  }

  @Test
  void setCreatesAConflictTheFileDidNotHave() {
    assertOverrideErrors(List.of("group_size=7"), Optional.empty(), List.of(),
        "--set group_size=7: error: group_size = 7 does not divide batch * seq = 4 * 16 = 64; every routing group must be full:"
            + " use a divisor of 64 such as 4");
  }

  @Test
  void layoutOfAnUnknownDimensionListsTheModelsDimensions() {
    assertOverrideErrors(List.of(), Optional.of("model=2"), List.of("head=model"),
        "--layout head=model: error: head=model: unknown dimension 'head' in layout; did you mean 'heads'? " + MODEL_DIMENSIONS);
    assertErrors(HEAD + "}\nmesh { model = 2 }\nlayout { d_fff = model }\n",
        "bad.swc:10:10: error: d_fff = model: unknown dimension 'd_fff' in layout; did you mean 'd_ff'? " + MODEL_DIMENSIONS);
  }

  @Test
  void layoutAxisNotInTheMesh() {
    assertOverrideErrors(List.of(), Optional.of("data=2"), List.of("heads=model"),
        "--layout heads=model: error: heads=model: the mesh has no axis 'model'; mesh axes: data (--mesh data=2);"
            + " use one of them or add model=N to --mesh");
  }

  // ---- DSL ----------------------------------------------------------------------------------------

  @Test
  void dslErrorsAtTheCall() {
    int line = nextLine();
    Runnable build = () -> SwitchModel.builder().dModel(64).dFf(128).heads(0).layers(2).batch(4).seq(16)
        .experts(-1).topK(3).dropout(1.5).capacityFactor(0)
        .build();
    assertRendered(build::run,
        at(line) + ": error: heads(0): must be at least 1; expected a positive integer",
        at(line + 1) + ": error: experts(-1): must be at least 0; expected an integer >= 0 (0: a dense model)",
        at(line + 1) + ": error: topK(3): must be 1 (Switch routing) or 2 (top-2 routing)",
        at(line + 1) + ": error: capacityFactor(0.0): must be > 0; expected a decimal number such as 1.25",
        at(line + 1) + ": error: dropout(1.5): must be below 1; expected a fraction in [0, 1) such as 0.1");
  }

  @Test
  void dslMissingFieldsAtTheBuilderCall() {
    int line = nextLine();
    Runnable build = () -> SwitchModel.builder().dModel(64).dFf(128).heads(4).batch(4)
        .build();
    assertRendered(build::run,
        at(line) + ": error: model is missing the required field 'seq'; add 'seq = N' (a positive integer)",
        at(line) + ": error: model is missing the required field 'layers'; add 'layers = N' (a positive integer) for both"
            + " stacks, or encoder_layers and decoder_layers");
  }

  @Test
  void dslCrossFieldErrorsAtTheCall() {
    int line = nextLine();
    Runnable build = () -> SwitchModel.builder().dModel(64).dFf(128).heads(4).layers(2).batch(4).seq(16).decSeq(12)
        .experts(1).topK(2).groupSize(32).relativeMaxDistance(8)
        .build();
    assertRendered(build::run,
        at(line + 1) + ": error: topK(2): top-2 routing needs at least 2 experts, but experts = 1; use top_k = 1 or experts >= 2",
        at(line + 1) + ": error: relativeMaxDistance(8): must exceed relative_buckets / 2 = 16 (the decoder's exact-distance"
            + " buckets); e.g. relative_max_distance = 128 with 32 buckets",
        at(line + 1) + ": error: group_size = 32 does not divide batch * dec_seq = 4 * 12 = 48; every routing group must be full:"
            + " use a common divisor of batch * seq = 64 and batch * dec_seq = 48 such as 16");
  }

  @Test
  void dslNonFiniteAndNullValues() {
    int line = nextLine();
    Runnable build = () -> SwitchModel.builder().dModel(64).dFf(128).heads(4).layers(2).batch(4).seq(16)
        .capacityFactor(Double.NaN).initScale(Double.POSITIVE_INFINITY).ffn(null).architecture(null)
        .build();
    assertRendered(build::run,
        at(line + 1) + ": error: architecture(null): must not be null; expected one of encoder_decoder, decoder_only",
        at(line + 1) + ": error: ffn(null): must not be null; expected one of relu, gelu, geglu",
        at(line + 1) + ": error: capacityFactor(NaN): must be a finite number; expected a decimal number such as 1.25",
        at(line + 1) + ": error: initScale(Infinity): must be a finite number; expected a decimal number such as 1.25");
  }

  @Test
  void dslDecoderOnlyWithEncoderFields() {
    int line = nextLine();
    Runnable build = () -> SwitchModel.builder().architecture(Architecture.DECODER_ONLY).dModel(64).dFf(128).heads(4)
        .layers(2).encoderLayers(2).batch(4).seq(16).decSeq(8).ffn(Activation.RELU)
        .build();
    assertRendered(build::run,
        at(line + 1) + ": error: encoderLayers(2): a decoder_only model has no encoder; remove it, or set architecture ="
            + " encoder_decoder",
        at(line + 1) + ": error: decSeq(8): a decoder_only model has one length, seq; remove it, or set architecture ="
            + " encoder_decoder");
  }

  // ---- training mode ------------------------------------------------------------------------------

  @Test
  void trainingModeNoiseTakesASeedInputAndEvaluationDoesNot() {
    Located<ModelSpec> model = ((Program) SpecFile.parse("m.swc", HEAD + """
          experts = 8
          dropout = 0.1
          expert_dropout = 0.4
          router_jitter = 0.01
        }
        """)).definition(ModelSpec.class);
    java.util.function.Function<Mode, java.util.List<String>> params =
        mode -> ModelIr.build(model, mode).params().stream().map(dev.switchc.ir.Binding::name).filter(java.util.Set.of("inputs", "targets", "seed")::contains).toList();
    org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("inputs", "targets", "seed"), params.apply(Mode.TRAIN));
    org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("inputs", "targets"), params.apply(Mode.EVAL));
  }

  @Test
  void jitterAloneAlsoTakesASeedFromTheDsl() {
    Located<ModelSpec> model = SwitchModel.builder().dModel(64).dFf(128).heads(4).layers(2).batch(4).seq(16).experts(4).routerJitter(0.5)
        .build();
    org.junit.jupiter.api.Assertions.assertTrue(ModelIr.build(model, Mode.TRAIN).params().stream().anyMatch(p -> p.name().equals(ModelIr.SEED)));
    org.junit.jupiter.api.Assertions.assertTrue(ModelIr.build(model, Mode.EVAL).params().stream().noneMatch(p -> p.name().equals(ModelIr.SEED)));
  }
}
