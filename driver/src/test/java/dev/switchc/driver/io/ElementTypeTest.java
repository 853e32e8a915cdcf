package dev.switchc.driver.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ElementTypeTest {
  /** Every one of the 65536 half values against the textbook definition, computed in double. */
  @Test
  void f16ConversionIsExactForAllValues() {
    for (int h = 0; h < 0x10000; h++) {
      float actual = ElementType.f16ToFloat((short) h);
      int sign = h >>> 15;
      int exponent = (h >>> 10) & 0x1f;
      int mantissa = h & 0x3ff;
      if (exponent == 0x1f) {
        if (mantissa == 0) {
          assertEquals(sign == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY, actual);
        } else {
          assertTrue(Float.isNaN(actual), Integer.toHexString(h));
        }
        continue;
      }
      double magnitude = exponent == 0
          ? mantissa * Math.pow(2, -24)
          : (1024 + mantissa) * Math.pow(2, exponent - 25);
      double expected = sign == 0 ? magnitude : -magnitude;
      assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual), Integer.toHexString(h));
    }
  }

  @Test
  void bf16IsTheUpperHalfOfFloat() {
    for (int h = 0; h < 0x10000; h += 7) {
      assertEquals(h << 16, Float.floatToRawIntBits(ElementType.bf16ToFloat((short) h)));
    }
  }
}
