package dev.switchc.frontend;

/** A run's outputs by name, as a {@link ProgramSpec} reads them for its report. */
public interface Outputs {
  /** The row-major elements of a float output (f32 or bf16). */
  float[] floats(String name);

  /** The row-major elements of an i32 output. */
  int[] ints(String name);
}
