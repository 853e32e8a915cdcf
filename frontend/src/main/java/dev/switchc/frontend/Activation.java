package dev.switchc.frontend;

/** The expert FFN nonlinearity. GELU is the exact erf form, 0.5 x (1 + erf(x / sqrt 2)). */
public enum Activation {
  RELU,
  GELU;

  public String specName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
