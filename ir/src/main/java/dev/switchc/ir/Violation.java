package dev.switchc.ir;

/** A broken {@link Rule} and what exactly broke it; renders as {@code einsum_c3: dim 'd_model' has sizes 8 and 7}. */
public record Violation(Rule rule, String detail) {
  public Violation {
    if (rule == null || detail == null) throw new IllegalArgumentException("rule and detail must be non-null");
  }

  @Override
  public String toString() {
    return rule.id() + ": " + detail;
  }
}
