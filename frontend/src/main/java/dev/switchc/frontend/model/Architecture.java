package dev.switchc.frontend.model;

/** The two Transformer shapes a model can take (README "Model semantics"). */
public enum Architecture {
  /** T5: an encoder over {@code inputs}, a decoder over {@code shift_right(targets)} attending to it. */
  ENCODER_DECODER,
  /** A language model: one causal decoder over {@code shift_right(inputs)}, predicting {@code inputs}. */
  DECODER_ONLY;

  public String specName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
