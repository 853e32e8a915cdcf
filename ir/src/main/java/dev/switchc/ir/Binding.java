package dev.switchc.ir;

/**
 * A named function parameter or result, such as {@code router/w} or {@code aux_loss}. A
 * parameter's {@code loc} is where it was declared; its {@link SourceLoc#scope() scope} is the part
 * of the program it belongs to ({@code encoder/layer_003}), which the plan totals by.
 */
public record Binding(String name, Value value, SourceLoc loc) {
  public Binding {
    if (name == null || value == null || loc == null) throw new IllegalArgumentException("name, value and loc must be non-null");
  }

  /** A binding declared by no located construct. */
  public Binding(String name, Value value) {
    this(name, value, SourceLoc.UNKNOWN);
  }
}
