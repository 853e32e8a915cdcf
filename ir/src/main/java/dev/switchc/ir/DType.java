package dev.switchc.ir;

/** Element types. The names are StableHLO's element type spellings. */
public enum DType {
  F32("f32", 4),
  BF16("bf16", 2),
  /**
   * Doubles: for gradient checks, where central finite differences need more than f32's 7 digits
   * (see {@code ToF64}). Runs on the CPU runtime only.
   */
  F64("f64", 8),
  I32("i32", 4),
  /**
   * Unsigned 32-bit integers: partition ids in multi-device programs, and the wrapping arithmetic of
   * the training-mode noise hash. Never a runtime input or output.
   */
  U32("ui32", 4),
  PRED("i1", 1);

  private final String mlir;
  private final int bytes;

  DType(String mlir, int bytes) {
    this.mlir = mlir;
    this.bytes = bytes;
  }

  public String mlir() {
    return mlir;
  }

  public int bytes() {
    return bytes;
  }

  public boolean isFloat() {
    return this == F32 || this == BF16 || this == F64;
  }

  /** The spelling used in spec files and messages. */
  public String specName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
