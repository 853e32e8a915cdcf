package dev.switchc.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ByteTokensTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "Hello, world!\n\tIndented.", "Москва — столица России.", "Zażółć gęślą jaźń",
      "Příliš žluťoučký kůň úpěl ďábelské ódy", "日本語 and 🎉 (4 bytes)", "\u0001control\u007f"})
  void roundTripIsExact(String text) {
    int[] ids = ByteTokens.encode(text);
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length, "one token per UTF-8 byte");
    for (int id : ids) assertTrue(id >= ByteTokens.BYTE_OFFSET && id < ByteTokens.VOCAB, "byte tokens lie above the specials: " + id);
    assertEquals(text, ByteTokens.decode(ids));
  }

  @Test
  void cyrillicLetterIsTwoTokensOfItsUtf8Bytes() {
    // 'ж' is U+0436, UTF-8 D0 B6.
    assertArrayEquals(new int[] {0xD0 + 2, 0xB6 + 2}, ByteTokens.encode("ж"));
  }

  @Test
  void byteZeroDoesNotCollideWithPadding() {
    assertEquals(2, ByteTokens.ofByte((byte) 0));
    assertEquals(257, ByteTokens.ofByte((byte) 0xff));
    assertEquals(258, ByteTokens.VOCAB);
  }

  @Test
  void decodeSkipsSpecialsAndRenderShowsThem() {
    int[] ids = {ByteTokens.encode("a")[0], ByteTokens.END_OF_RECORD, ByteTokens.encode("b")[0], ByteTokens.PAD};
    assertEquals("ab", ByteTokens.decode(ids));
    assertEquals("a⟨eor⟩b⟨pad⟩", ByteTokens.render(ids));
  }

  @Test
  void idOutsideTheVocabularyIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ByteTokens.decode(new int[] {258}));
  }
}
