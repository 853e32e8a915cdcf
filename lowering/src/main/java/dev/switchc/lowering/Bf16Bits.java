package dev.switchc.lowering;

/** Rounding of a float to the nearest bfloat16 (ties to even), for constants in bf16 programs. */
final class Bf16Bits {
  private Bf16Bits() {}

  static float round(float f) {
    if (Float.isNaN(f)) return f;
    int bits = Float.floatToRawIntBits(f);
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(rounded & 0xFFFF0000);
  }
}
