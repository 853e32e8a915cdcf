package dev.switchc.runtime;

/**
 * bfloat16 conversions. A bf16 value is the top 16 bits of an IEEE float32, so a float that is
 * exactly representable in bf16 has its low 16 bits zero; these helpers keep that invariant.
 */
public final class Bf16 {
  private Bf16() {}

  /**
   * Rounds {@code f} to the nearest bf16 value, ties to even (what XLA's f32 to bf16 convert does),
   * and returns it as a float. NaN stays NaN (quiet, sign kept); values beyond the largest bf16
   * round to infinity as round-to-nearest requires.
   */
  public static float roundToBf16(float f) {
    return Float.intBitsToFloat(roundedBits(f) << 16);
  }

  /** The 16-bit bf16 encoding of {@code f} rounded to nearest even. */
  public static short toBits(float f) {
    return (short) roundedBits(f);
  }

  /** The float whose top 16 bits are {@code bits}: exact, since bf16 is a truncated float32. */
  public static float fromBits(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** True when {@code f} survives the trip to bf16 and back unchanged (NaN counts as representable). */
  public static boolean isExact(float f) {
    return Float.isNaN(f) || (Float.floatToRawIntBits(f) & 0xFFFF) == 0;
  }

  private static int roundedBits(float f) {
    int bits = Float.floatToRawIntBits(f);
    // Plain rounding could carry a NaN payload held only in the low bits into infinity, or clear
    // it to an infinity pattern; set the quiet bit so the result is still a NaN.
    if (Float.isNaN(f)) return ((bits >>> 16) | 0x0040) & 0xFFFF;
    int lsb = (bits >>> 16) & 1;
    return ((bits + 0x7FFF + lsb) >>> 16) & 0xFFFF;
  }
}
