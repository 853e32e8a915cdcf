package dev.switchc.runtime.cpu;

import dev.switchc.runtime.Bf16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Bf16Test {
  @Test
  void tiesRoundToEven() {
    assertEquals(1.0f, Bf16.roundToBf16(1.00390625f)); // 1 + 2^-8: halfway, even is 1.0
    assertEquals(1.015625f, Bf16.roundToBf16(1.01171875f)); // 1 + 3*2^-8: halfway, even is 1 + 2^-6
    assertEquals(-1.0f, Bf16.roundToBf16(-1.00390625f));
  }

  @Test
  void nonTiesRoundToNearest() {
    assertEquals(1.0078125f, Bf16.roundToBf16(1.0040f));
    assertEquals(1.0f, Bf16.roundToBf16(1.0038f));
    assertEquals(3.140625f, Bf16.roundToBf16((float) Math.PI));
  }

  @Test
  void specialValues() {
    assertTrue(Float.isNaN(Bf16.roundToBf16(Float.NaN)));
    // A NaN whose payload lives only in the low 16 bits must not become infinity.
    assertTrue(Float.isNaN(Bf16.roundToBf16(Float.intBitsToFloat(0x7F800001))));
    assertTrue(Float.isNaN(Bf16.roundToBf16(Float.intBitsToFloat(0xFF800001))));
    assertEquals(Float.POSITIVE_INFINITY, Bf16.roundToBf16(Float.POSITIVE_INFINITY));
    assertEquals(Float.NEGATIVE_INFINITY, Bf16.roundToBf16(Float.NEGATIVE_INFINITY));
    assertEquals(Float.POSITIVE_INFINITY, Bf16.roundToBf16(Float.MAX_VALUE)); // above bf16's max + half ulp
    assertEquals(-0.0f, Bf16.roundToBf16(-0.0f));
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Bf16.roundToBf16(-0.0f)));
  }

  @Test
  void bitsRoundTrip() {
    for (int b = 0; b < 0x10000; b++) {
      float f = Bf16.fromBits((short) b);
      assertTrue(Bf16.isExact(f));
      if (!Float.isNaN(f)) assertEquals((short) b, Bf16.toBits(f));
    }
  }
}
