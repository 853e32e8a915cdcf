package dev.switchc.frontend;

/**
 * How tokens reach their expert slots. {@code GATHER}: scatter tokens into [experts, capacity]
 * slots and gather the results back. {@code EINSUM}: the paper's one-hot dispatch and combine
 * tensors of shape [group, token, experts, capacity] contracted by einsums (appendix F).
 */
public enum Dispatch {
  GATHER,
  EINSUM;

  public String specName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
