package dev.switchc.driver.io;

import java.nio.ByteBuffer;

/**
 * Element encodings the readers can turn into floats. Byte order is not part of the type: it is
 * set on the {@link ByteBuffer} the elements are decoded from.
 */
enum ElementType {
  F32(4), F64(8), I32(4), I64(8), BF16(2), F16(2);

  final int size;

  ElementType(int size) {
    this.size = size;
  }

  /** Decodes one element at the buffer's position (relative get). */
  float readFloat(ByteBuffer b) {
    return switch (this) {
      case F32 -> b.getFloat();
      case F64 -> (float) b.getDouble(); // narrowing: round to nearest
      case I32 -> (float) b.getInt();    // exact only up to 2^24 in magnitude
      case I64 -> (float) b.getLong();
      case BF16 -> bf16ToFloat(b.getShort());
      case F16 -> f16ToFloat(b.getShort());
    };
  }

  /** bfloat16 is the upper half of a float32, so widening is exact. */
  static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /**
   * IEEE 754 binary16 to float, exactly (Java 17 lacks Float.float16ToFloat). Every half value,
   * subnormals included, is a normal float, so this never rounds.
   */
  static float f16ToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      // Infinity (mantissa 0) or NaN; keep the payload so NaNs stay NaNs.
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
    }
    if (exponent == 0) {
      // Zero or subnormal: mantissa * 2^-24, an exact float operation.
      float magnitude = Math.scalb((float) mantissa, -24);
      return sign == 0 ? magnitude : -magnitude;
    }
    // Normal: rebias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
