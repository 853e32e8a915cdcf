package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.io.Json;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whether one training step of each preset fits its device count on TPU v3 (16 GiB HBM per core)
 * and on TPU v4 (32 GiB per chip), as the README's Training section states; the figures there are these.
 *
 * <p>The parameters, gradients and optimizer state per device are computed here in closed form
 * from the architecture (T5 v1.0 encoder-decoder; the sizes are the paper's tables 5, 8 to 10,
 * written below, not read from the code), and the preset's mesh: experts are split over the expert
 * axis, heads and d_ff over the model axis, everything else is whole on every device, in f32. The
 * activation peak has no closed form (it is the liveness peak of the sharded step's program); the
 * part of it kept from the forward is checked against an independent lower bound, the attention
 * probabilities that the backward must read: one [sequences per device, heads per device, query,
 * key] tensor per attention layer, at 2 bytes (bf16) each, live together at the end of the forward. Where the closed-form weights plus
 * that lower bound already exceed a device, "does not fit" holds whatever the estimate.
 */
class PresetMemoryTest {
  static final long GIB = 1L << 30, V3 = 16 * GIB, V4 = 32 * GIB, F32 = 4;

  /**
   * A preset's sizes and mesh, written from the paper (and the preset files' comments for the
   * mesh), and the verdicts the README states.
   *
   * @param ffnInputs 1 for a ReLU FFN (wi), 2 for GEGLU (wi_0, wi_1)
   * @param switchEvery every how many layers an FFN is a Switch layer (0 experts: none is)
   */
  record Preset(String name, long vocab, long dModel, long dFf, long dKv, long heads, long layers, long ffnInputs, long experts, long switchEvery,
      long data, long expert, long model, long batch, long seq, long decSeq, boolean decoderOnly, boolean fitsV3, boolean fitsV4) {
    /** Whether the closed-form lower bound alone exceeds a v3 core (see the class comment). */
    boolean refusedByTheLowerBoundOnV3() {
      return List.of("t5-large", "switch-large-128", "switch-xxl").contains(name);
    }

    long devices() {
      return data * expert * model;
    }

    long switchLayersPerStack() {
      return experts == 0 ? 0 : layers / switchEvery;
    }

    long attentionBlocks() {
      return decoderOnly ? layers : 3 * layers; // encoder self; decoder self and cross
    }

    long stacks() {
      return decoderOnly ? 1 : 2;
    }

    long ffnLayers() {
      return stacks() * layers;
    }

    long sequencesPerDevice() {
      return batch / (data * expert);
    }

    /** Parameters on one device (elements). */
    long parametersPerDevice() {
      long h = heads / model, f = dFf / model, e = experts / expert;
      long attention = dModel + 4 * dModel * h * dKv; // its norm, q, k, v, o
      long dense = dModel + (ffnInputs + 1) * dModel * f;
      long sparse = dModel + dModel * experts + e * (ffnInputs + 1) * dModel * f; // norm, router (whole), this device's experts
      long switchLayers = stacks() * switchLayersPerStack();
      return vocab * dModel + stacks() * (32 * h + dModel) + attentionBlocks() * attention + switchLayers * sparse + (ffnLayers() - switchLayers) * dense;
    }

    /**
     * Adafactor's state on one device (elements): for a matrix or larger, the parameter's
     * per-device shape without its last dim plus without its second-to-last; for a vector, itself.
     */
    long adafactorPerDevice() {
      long h = heads / model, f = dFf / model, e = experts / expert;
      long attention = dModel + 3 * (dModel * h + dModel * dKv) + (h * dKv + h * dModel);
      long dense = dModel + ffnInputs * (dModel + f) + (f + dModel);
      long sparse = dModel + (dModel + experts) + ffnInputs * (e * dModel + e * f) + (e * f + e * dModel);
      long switchLayers = stacks() * switchLayersPerStack();
      return (vocab + dModel) + stacks() * ((32 + h) + dModel) + attentionBlocks() * attention + switchLayers * sparse
          + (ffnLayers() - switchLayers) * dense;
    }

    /** The attention probabilities the backward reads, at 2 bytes each: a lower bound of the step's activation peak. */
    long attentionProbabilityBytes() {
      long h = heads / model, queriesTimesKeys = decoderOnly ? layers * seq * seq : layers * (seq * seq + decSeq * decSeq + decSeq * seq);
      return 2 * sequencesPerDevice() * h * queriesTimesKeys;
    }
  }

  /**
   * The presets at their meshes. Device counts: 32 cores for T5-Base, T5-Large and the Switch-Base
   * and Switch-Large models, as the paper's speed and quality comparisons (section 2.5, table 1,
   * figure 5: "32 TPU cores"); the paper gives no device count for Switch-XXL and Switch-C (section
   * 5.6 names the kinds of parallelism only), so the presets choose 512 (64 expert x 8 model) and
   * 2048 (one expert per core). The batch is 2^20 tokens: 2048 sequences of 512 (targets 128).
   */
  static Stream<Preset> presets() {
    return Stream.of(
        new Preset("t5-base", 32128, 768, 3072, 64, 12, 12, 1, 0, 1, 32, 1, 1, 2048, 512, 128, false, false, true),
        new Preset("t5-large", 32128, 1024, 4096, 64, 16, 24, 1, 0, 1, 32, 1, 1, 2048, 512, 128, false, false, false),
        new Preset("switch-base-8", 32128, 768, 3072, 64, 12, 12, 1, 8, 2, 4, 8, 1, 2048, 512, 128, false, false, true),
        new Preset("switch-base-16", 32128, 768, 3072, 64, 12, 12, 1, 16, 2, 2, 16, 1, 2048, 512, 128, false, false, true),
        new Preset("switch-base-32", 32128, 768, 3072, 64, 12, 12, 1, 32, 2, 1, 32, 1, 2048, 512, 128, false, false, true),
        new Preset("switch-base-64", 32128, 768, 3072, 64, 12, 12, 1, 64, 2, 1, 32, 1, 2048, 512, 128, false, false, true),
        new Preset("switch-base-128", 32128, 768, 3072, 64, 12, 12, 1, 128, 2, 1, 32, 1, 2048, 512, 128, false, false, true),
        new Preset("switch-base-256", 32128, 768, 3072, 64, 12, 12, 1, 256, 2, 1, 32, 1, 2048, 512, 128, false, false, false),
        new Preset("switch-large-128", 32128, 1024, 4096, 64, 16, 24, 1, 128, 2, 1, 32, 1, 2048, 512, 128, false, false, false),
        new Preset("switch-xxl", 32128, 4096, 10240, 64, 128, 24, 2, 64, 1, 1, 64, 8, 2048, 512, 128, false, false, false),
        new Preset("switch-c", 32128, 2080, 6144, 64, 32, 15, 1, 2048, 1, 1, 2048, 1, 2048, 512, 128, false, false, true),
        new Preset("tiny-switch", 64, 32, 64, 8, 4, 2, 1, 4, 2, 2, 2, 1, 4, 16, 8, false, true, true),
        new Preset("tiny-dense", 64, 32, 64, 8, 4, 2, 1, 0, 1, 2, 1, 1, 4, 16, 8, false, true, true),
        new Preset("tiny-switch-lm", 64, 32, 64, 8, 4, 2, 1, 4, 1, 2, 2, 1, 4, 16, 16, true, true, true));
  }

  static long num(Map<?, ?> m, String key) {
    assertTrue(m.containsKey(key), key + " in " + m);
    return ((Number) m.get(key)).longValue();
  }

  static Map<?, ?> memory(String preset, String optimizer) {
    ModelCliTest.Outcome o = ModelCliTest.cli("plan", "--preset", preset, "--train", "--optimizer", optimizer, "--format", "json");
    assertEquals(0, o.status(), o.err());
    return (Map<?, ?>) Json.parse(o.out());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void oneTrainingStepFitsOrNot(Preset p) {
    Map<?, ?> json = memory(p.name(), "adafactor");
    assertEquals(p.devices(), num((Map<?, ?>) json.get("mesh"), "devices"), "the preset's device count");
    Map<?, ?> m = (Map<?, ?>) json.get("memory_per_device");
    long params = p.parametersPerDevice() * F32;
    assertEquals(params, num(m, "parameter_bytes"), "parameters per device");
    assertEquals(params, num(m, "gradient_bytes"), "gradients per device: one per parameter, laid out as it");
    assertEquals(p.adafactorPerDevice() * F32, num(m, "optimizer_state_bytes"), "adafactor's state per device");
    long activations = num(m, "activation_peak_bytes"), kept = num(m, "activations_kept_for_backward_bytes");
    // The probabilities are made by the forward and read by the backward: kept across, within the peak.
    assertTrue(kept >= p.attentionProbabilityBytes(), p.name() + ": activations kept for the backward " + kept + " below the attention probabilities "
        + p.attentionProbabilityBytes());
    assertTrue(kept <= activations, p.name() + ": kept " + kept + " within the peak " + activations);
    long total = num(m, "total_bytes");
    assertEquals(2 * params + p.adafactorPerDevice() * F32 + activations + num(m, "input_bytes"), total, "the total is the sum of the parts");
    assertEquals(p.fitsV3(), total <= V3, p.name() + " on v3: " + total + " B per device");
    assertEquals(p.fitsV4(), total <= V4, p.name() + " on v4: " + total + " B per device");
    // Where the closed-form part alone (weights, their gradients and state, and the attention
    // probabilities) exceeds a device, the verdict does not rest on the activation estimate.
    long lowerBound = 2 * params + p.adafactorPerDevice() * F32 + p.attentionProbabilityBytes();
    assertEquals(p.refusedByTheLowerBoundOnV3(), lowerBound > V3, p.name() + ": closed-form lower bound " + lowerBound + " B against v3");
    assertTrue(lowerBound <= V4, p.name() + ": no preset's closed-form lower bound exceeds v4; the v4 verdicts rest on the estimate");
  }

  /** AdamW keeps two slots the size of each parameter, split as it is: twice the parameters per device. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("someSparseAndDense")
  void adamwStateIsTwiceTheParameters(Preset p) {
    Map<?, ?> m = (Map<?, ?>) memory(p.name(), "adamw").get("memory_per_device");
    assertEquals(2 * p.parametersPerDevice() * F32, num(m, "optimizer_state_bytes"));
  }

  static Stream<Preset> someSparseAndDense() {
    return presets().filter(p -> List.of("t5-base", "switch-base-8", "switch-xxl", "switch-c", "tiny-switch").contains(p.name()));
  }
}
