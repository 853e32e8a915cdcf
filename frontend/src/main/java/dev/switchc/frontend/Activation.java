package dev.switchc.frontend;

/**
 * The FFN kind of the experts (and of a model's dense layers): {@code relu(x·wi)·wo},
 * {@code gelu(x·wi)·wo} with the exact erf GELU 0.5 x (1 + erf(x / sqrt 2)), or GEGLU (Shazeer
 * 2020, used by Switch-XXL) {@code (gelu(x·wi_0) * (x·wi_1))·wo}, which has two input matrices.
 */
public enum Activation {
  RELU,
  GELU,
  GEGLU;

  public String specName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the FFN is gated: two input matrices {@code wi_0} and {@code wi_1}. */
  public boolean gated() {
    return this == GEGLU;
  }
}
