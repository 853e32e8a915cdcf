package dev.switchc.ir;

/** A named axis of the logical device mesh, such as {@code data=4} or {@code expert=8}. */
public record MeshAxis(String name, int size) {
  public MeshAxis {
    if (name == null || !name.matches("[a-z][a-z0-9_]*")) throw new IllegalArgumentException("mesh axis name must be lower snake_case: " + name);
    if (size < 1) throw new IllegalArgumentException("mesh axis '" + name + "' must have size >= 1, got " + size);
  }

  @Override
  public String toString() {
    return name + "=" + size;
  }
}
