package dev.switchc.ir;

/** A named tensor dimension, as in Mesh TensorFlow: the name says what it is, the size how long. */
public record Dim(String name, long size) {
  public Dim {
    if (name == null || !name.matches("[a-z][a-z0-9_]*"))
      throw new IllegalArgumentException("dimension name must be lower snake_case: " + name);
    if (size < 1) throw new IllegalArgumentException("dimension '" + name + "' must have size >= 1, got " + size);
  }

  @Override
  public String toString() {
    return name + "=" + size;
  }
}
