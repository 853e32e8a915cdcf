package dev.switchc.driver.data;

import java.nio.charset.StandardCharsets;

/**
 * One record of a corpus (one fortune): its text without the trailing newline, and where it came
 * from ({@code file#index}, 0-based, for messages and statistics).
 */
public record TextRecord(String source, String text) {
  /** The record's tokens in the packed stream: its UTF-8 bytes, then {@link ByteTokens#END_OF_RECORD}. */
  public int tokenCount() {
    return text.getBytes(StandardCharsets.UTF_8).length + 1;
  }
}
