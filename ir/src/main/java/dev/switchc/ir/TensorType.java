package dev.switchc.ir;

/** Element type plus named shape. */
public record TensorType(DType dtype, Shape shape) {
  public TensorType {
    if (dtype == null || shape == null) throw new IllegalArgumentException("dtype and shape must be non-null");
  }

  public long bytes() {
    return shape.elements() * dtype.bytes();
  }

  @Override
  public String toString() {
    return dtype.specName() + shape;
  }
}
