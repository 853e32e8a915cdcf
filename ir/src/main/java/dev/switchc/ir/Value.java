package dev.switchc.ir;

/** An SSA value: defined once, by a function parameter or by one op. Identity is the id. */
public record Value(int id, TensorType type) {
  public Shape shape() {
    return type.shape();
  }

  public DType dtype() {
    return type.dtype();
  }

  @Override
  public String toString() {
    return "%" + id;
  }
}
