package dev.switchc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExcerptTest {
  @Test
  void shortTextIsUnchanged() {
    String text = "unknown field 'bach'; did you mean 'batch'? known fields: batch, seq, d_model";
    assertEquals(text, Excerpt.clip(text));
  }

  @Test
  void aWordOfExactlyTheLimitIsKeptWhole() {
    String word = "w".repeat(Excerpt.MAX_WORD);
    assertEquals("'" + word.substring(1) + " end", Excerpt.clip("'" + word.substring(1) + " end"));
  }

  @Test
  void aLongWordIsClippedToTheLimitWithAnEllipsis() {
    String clipped = Excerpt.clip("found '" + "x".repeat(100_000) + "'; write 'batch = <value>'");
    assertEquals("found '" + "x".repeat(Excerpt.MAX_WORD - 4) + "... write 'batch = <value>'", clipped);
  }

  @Test
  void controlCharactersAreEscapedSoTheMessageStaysOneLine() {
    assertEquals("expected name=value, got 'a\\nb\\r\\t\\u0000'", Excerpt.clip("expected name=value, got 'a\nb\r\t\0'"));
  }

  @Test
  void clippingDoesNotSplitASurrogatePair() {
    String clipped = Excerpt.clip("x".repeat(Excerpt.MAX_WORD - 4) + "\uD83D\uDE00".repeat(10));
    assertEquals("x".repeat(Excerpt.MAX_WORD - 4) + "...", clipped);
  }

  @Test
  void aLongQuoteOfShortWordsIsClippedAsAWhole() {
    String clipped = Excerpt.clip("'" + "a ".repeat(100_000) + "' is not a number");
    assertEquals(Excerpt.MAX_TEXT, clipped.length());
    assertEquals("'a a a", clipped.substring(0, 6));
    assertEquals("a ...", clipped.substring(clipped.length() - 5));
  }

  @Test
  void aLocationIsClippedShorter() {
    assertEquals("batch=8 seq=16 d_mo...", Excerpt.clip("batch=8 seq=16 d_model=32 d_ff=64", 22));
  }
}
