package dev.switchc.frontend.model;

import dev.switchc.frontend.Field;
import dev.switchc.frontend.Program;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.Activation;
import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.Dispatch;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.frontend.spec.SpecFile;
import dev.switchc.ir.DType;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.SourceLoc;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Valid {@code model} definitions: presets, spec files, {@code --set}/{@code --mesh}/{@code --layout}, and the DSL. */
class ModelSpecTest {
  /** A small encoder-decoder, one field a line: line N + 1 of the text holds the N-th field. */
  static final String MODEL = """
      model {
        d_model = 64
        d_ff = 128
        heads = 4
        layers = 2
        batch = 4
        seq = 16
        dec_seq = 8
        experts = 4
        switch_every = 2
        group_size = 8
      }
      """;

  private static Program load(String text, List<String> sets, Optional<String> mesh, List<String> layouts) {
    return (Program) Overrides.load("m.swc", text, sets, mesh, layouts);
  }

  private static ModelSpec spec(String text, String... sets) {
    return load(text, List.of(sets), Optional.empty(), List.of()).spec(ModelSpec.class);
  }

  @Test
  void everyPresetLoads() {
    for (String name : Presets.NAMES) {
      Program p = Presets.load(name);
      ModelSpec s = p.spec(ModelSpec.class);
      assertEquals(Presets.fileName(name), p.definition(ModelSpec.class).where().block().file(), name);
      assertEquals(ModelSpec.KIND.dimensions(), List.copyOf(p.layout().rules().keySet()), name + ": a rule for every model dimension");
      assertTrue(s.decoderLayers() > 0, name);
      assertEquals(name.startsWith("t5-") || name.equals("tiny-dense"), s.experts() == 0, name + ": dense iff a T5 baseline");
      // Evaluation builds every preset's IR (the big ones too: the IR is shapes, not tensors).
      assertEquals(s.encoderDecoder() ? "switch_transformer" : "switch_lm", ModelIr.build(p.definition(ModelSpec.class), Mode.EVAL).name(), name);
    }
  }

  @Test
  void switchBase128() {
    ModelSpec s = Presets.load("switch-base-128").spec(ModelSpec.class);
    assertEquals(Architecture.ENCODER_DECODER, s.architecture());
    assertEquals(32128, s.vocab());
    assertEquals(768, s.dModel());
    assertEquals(3072, s.dFf());
    assertEquals(64, s.dKv());
    assertEquals(12, s.heads());
    assertEquals(12, s.encoderLayers());
    assertEquals(12, s.decoderLayers());
    assertEquals(Activation.RELU, s.ffn());
    assertEquals(128, s.experts());
    assertEquals(2, s.switchEvery());
    assertEquals(1, s.topK());
    assertEquals(2048, s.batch());
    assertEquals(512, s.seq());
    assertEquals(128, s.decSeq());
    assertEquals(512, s.groupSize());
    assertEquals(new BigDecimal("1.25"), s.trainCapacityFactor());
    assertEquals(new BigDecimal("2"), s.evalCapacityFactor());
    assertEquals(32, s.relativeBuckets());
    assertEquals(128, s.relativeMaxDistance());
    assertTrue(s.tiedEmbeddings());
    assertEquals(DType.BF16, s.activationDtype());
    assertFalse(s.isSwitch(0));
    assertTrue(s.isSwitch(1));
    assertEquals(Mesh.of(new MeshAxis("expert", 32)), Presets.load("switch-base-128").mesh().value());
  }

  @Test
  void switchC() {
    ModelSpec s = Presets.load("switch-c").spec(ModelSpec.class);
    assertEquals(2080, s.dModel());
    assertEquals(6144, s.dFf());
    assertEquals(32, s.heads());
    assertEquals(15, s.encoderLayers());
    assertEquals(15, s.decoderLayers());
    assertEquals(2048, s.experts());
    assertEquals(1, s.switchEvery());
    assertEquals(128, s.groupSize());
    assertEquals(1, s.minCapacity());
    assertTrue(s.isSwitch(0));
  }

  @Test
  void switchXxl() {
    ModelSpec s = Presets.load("switch-xxl").spec(ModelSpec.class);
    assertEquals(Activation.GEGLU, s.ffn());
    assertEquals(4096, s.dModel());
    assertEquals(10240, s.dFf());
    assertEquals(128, s.heads());
    assertEquals(24, s.encoderLayers());
    assertEquals(24, s.decoderLayers());
    assertEquals(64, s.experts());
    assertEquals(1, s.switchEvery());
  }

  @Test
  void defaults() {
    ModelSpec s = spec("model { d_model = 64 d_ff = 128 heads = 4 layers = 2 batch = 4 seq = 16 }");
    assertEquals(new ModelSpec(Architecture.ENCODER_DECODER, 32128, 64, 128, 64, 4, 2, 2, Activation.RELU, 0, 1, 1, 4, 16, 16, 16,
        new BigDecimal("1.25"), new BigDecimal("2.0"), 4, 0.01, 0, 0, 0, 0, 32, 128, true, DType.F32, DType.F32, Dispatch.GATHER, 0.1), s);
    assertFalse(s.isSwitch(0), "experts = 0 is a dense model");
  }

  @Test
  void specFileEqualsDsl() {
    Located<ModelSpec> file = ((Program) SpecFile.parse("m.swc", """
        model {
          architecture = encoder_decoder
          vocab = 100
          d_model = 64
          d_ff = 128
          d_kv = 16
          heads = 4
          encoder_layers = 3
          decoder_layers = 2
          ffn = geglu
          experts = 4
          switch_every = 2
          top_k = 2
          batch = 4
          seq = 16
          dec_seq = 8
          group_size = 8
          train_capacity_factor = 1.5
          eval_capacity_factor = 3
          min_capacity = 2
          router_aux_loss_coef = 0.02
          router_z_loss_coef = 0.001
          router_jitter = 0.01
          dropout = 0.1
          expert_dropout = 0.4
          relative_buckets = 16
          relative_max_distance = 64
          tied_embeddings = false
          activation_dtype = bf16
          dispatch = einsum
          init_scale = 1.0
        }
        """)).definition(ModelSpec.class);
    Located<ModelSpec> dsl = SwitchModel.builder()
        .architecture(Architecture.ENCODER_DECODER).vocab(100).dModel(64).dFf(128).dKv(16).heads(4)
        .encoderLayers(3).decoderLayers(2).ffn(Activation.GEGLU).experts(4).switchEvery(2).topK(2)
        .batch(4).seq(16).decSeq(8).groupSize(8).trainCapacityFactor(1.5).evalCapacityFactor(3).minCapacity(2)
        .routerAuxLossCoef(0.02).routerZLossCoef(0.001).routerJitter(0.01).dropout(0.1).expertDropout(0.4)
        .relativeBuckets(16).relativeMaxDistance(64).tiedEmbeddings(false).activationDtype(DType.BF16)
        .dispatch(Dispatch.EINSUM).initScale(1.0)
        .build();
    assertEquals(file.value(), dsl.value());
    assertEquals(new SourceLoc("m.swc", 8, 20, "encoder_layers = 3"), file.where().of(Field.ENCODER_LAYERS));
  }

  @Test
  void specFileEqualsDslWithLayersAndCapacityFactor() {
    ModelSpec file = spec(MODEL, "capacity_factor=1.5");
    Located<ModelSpec> dsl = SwitchModel.builder().dModel(64).dFf(128).heads(4).layers(2).batch(4).seq(16).decSeq(8)
        .experts(4).switchEvery(2).groupSize(8).capacityFactor(1.5).build();
    assertEquals(file, dsl.value());
    assertEquals(new BigDecimal("1.5"), dsl.value().trainCapacityFactor());
    assertEquals(new BigDecimal("1.5"), dsl.value().evalCapacityFactor());
  }

  @Test
  void layersSetsBothStacks() {
    ModelSpec s = spec(MODEL);
    assertEquals(2, s.encoderLayers());
    assertEquals(2, s.decoderLayers());
    assertFalse(s.isSwitch(0));
    assertTrue(s.isSwitch(1));
  }

  @Test
  void aStackOverridesLayersAndLayersReplacesBothStacks() {
    ModelSpec s = spec(MODEL, "encoder_layers=0");
    assertEquals(0, s.encoderLayers(), "encoder_layers = 0: no encoder layers, only the embedding and final norm");
    assertEquals(2, s.decoderLayers());
    String stacks = MODEL.replace("  layers = 2\n", "  encoder_layers = 3\n  decoder_layers = 5\n");
    ModelSpec both = spec(stacks, "layers=4");
    assertEquals(4, both.encoderLayers(), "--set layers replaces the file's encoder_layers");
    assertEquals(4, both.decoderLayers(), "--set layers replaces the file's decoder_layers");
    Located<ModelSpec> later = SwitchModel.builder().dModel(64).dFf(128).heads(4).batch(4).seq(16)
        .encoderLayers(1).layers(3).decoderLayers(6).build();
    assertEquals(3, later.value().encoderLayers(), "the later call wins");
    assertEquals(6, later.value().decoderLayers());
  }

  @Test
  void decoderOnly() {
    Program p = Presets.load("tiny-switch-lm");
    ModelSpec s = p.spec(ModelSpec.class);
    assertEquals(Architecture.DECODER_ONLY, s.architecture());
    assertFalse(s.encoderDecoder());
    assertEquals(0, s.encoderLayers());
    assertEquals(2, s.decoderLayers());
    assertEquals(s.seq(), s.decSeq());
    assertEquals(s.seq(), s.decoderLength());
    ModelSpec lm = spec("model { architecture = decoder_only d_model = 64 d_ff = 128 heads = 4 layers = 3 batch = 2 seq = 24 experts = 2 }");
    assertEquals(0, lm.encoderLayers());
    assertEquals(3, lm.decoderLayers());
    assertEquals(24, lm.decSeq());
    assertEquals(24, lm.groupSize(), "the default group is one sequence");
  }

  @Test
  void defaultGroupSizeIsTheShorterLength() {
    assertEquals(8, spec(MODEL.replace("  group_size = 8\n", "")).groupSize());
  }

  @Test
  void setOnAModel() {
    Program p = load(MODEL, List.of("experts=16", "ffn=gelu", "capacity_factor=1.1"), Optional.empty(), List.of());
    ModelSpec s = p.spec(ModelSpec.class);
    assertEquals(16, s.experts());
    assertEquals(Activation.GELU, s.ffn());
    assertEquals(new BigDecimal("1.1"), s.trainCapacityFactor());
    assertEquals(new BigDecimal("1.1"), s.evalCapacityFactor());
    assertEquals(new SourceLoc("--set experts=16", 0, 0, "experts=16"), p.definition(ModelSpec.class).where().of(Field.EXPERTS));
    assertEquals(new SourceLoc("m.swc", 3, 10, "d_ff = 128"), p.definition(ModelSpec.class).where().of(Field.D_FF));
    assertEquals(16, ((Program) Overrides.load("m.swc", MODEL, List.of("experts=16"), Optional.empty(), List.of()))
        .spec(ModelSpec.class).experts());
    assertEquals(8, ((Program) Presets.load("tiny-switch", List.of("experts=8"), Optional.empty(), List.of())).spec(ModelSpec.class).experts());
  }

  @Test
  void meshAndLayoutOnAModel() {
    Program p = load(MODEL, List.of(), Optional.of("data=2,model=2"), List.of("heads=model,d_ff=model,vocab="));
    assertEquals(Mesh.of(new MeshAxis("data", 2), new MeshAxis("model", 2)), p.mesh().value());
    assertEquals(List.of("model"), p.layout().axes("heads"));
    assertEquals(List.of("model"), p.layout().axes("d_ff"));
    assertEquals(List.of(), p.layout().axes("vocab"));
    assertEquals(List.of("data"), p.layout().axes("batch"));
    assertEquals(new SourceLoc("--layout heads=model,d_ff=model,vocab=", 0, 0, "heads=model"), p.layout().whereOf("heads"));
    assertEquals(p.definition(ModelSpec.class), load(MODEL, List.of(), Optional.empty(), List.of()).definition(ModelSpec.class), "sharding leaves the model alone");
  }

  @Test
  void meshAndLayoutBlocksInAModelFile() {
    Program p = load(MODEL + """
        mesh { data = 2  model = 2 }
        layout {
          heads = model
          d_ff = model
          batch = data
        }
        """, List.of(), Optional.empty(), List.of());
    String rules = p.layout().rules().entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .map(e -> DefaultLayout.text(e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
    assertTrue(rules.startsWith("batch = data, "), rules);
    assertTrue(rules.contains("heads = model"), rules);
    assertTrue(rules.contains("d_ff = model"), rules);
    assertEquals(new SourceLoc("m.swc", 15, 3, "heads = model"), p.layout().whereOf("heads"));
  }

  @Test
  void evalBuildsWithNoiseAndTrainWithout() {
    Program tiny = Presets.load("tiny-switch");
    ModelIr.build(tiny.definition(ModelSpec.class), Mode.TRAIN);
    ModelIr.build(tiny.definition(ModelSpec.class), Mode.EVAL);
    Located<ModelSpec> noisy = load(MODEL, List.of("dropout=0.1", "expert_dropout=0.4", "router_jitter=0.01"), Optional.empty(), List.of())
        .definition(ModelSpec.class);
    ModelIr.build(noisy, Mode.EVAL);
  }
}
