package dev.switchc.driver.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level tokens: every UTF-8 byte of the text is one token, after two special ids.
 *
 * <p>Why bytes rather than a trained (BPE, SentencePiece) vocabulary: nothing external is needed (no
 * model file to download or version), the mapping is fixed and deterministic, every language and
 * script is covered without an unknown token (the multilingual fortunes are Russian, Polish, Czech,
 * ...), and {@code decode(encode(s))} is exactly {@code s}. The cost is longer sequences (2 tokens
 * per Cyrillic letter), which a small model on a small corpus can afford.
 *
 * <p>Id 0 is padding, as the model's attention mask and {@code shift_right} assume (README, *Model
 * semantics*); so bytes are shifted up by {@link #BYTE_OFFSET} and a byte 0 never collides with it.
 */
public final class ByteTokens {
  private ByteTokens() {}

  /** Padding: the model masks keys with this id and {@code shift_right} puts it first. */
  public static final int PAD = 0;
  /** Ends each record in the packed stream, so the model learns where a fortune stops. */
  public static final int END_OF_RECORD = 1;
  /** Byte {@code b} (0-255) is token {@code b + BYTE_OFFSET}. */
  public static final int BYTE_OFFSET = 2;
  /** The smallest model vocabulary that holds every token: 258 ({@code --set vocab=258}). */
  public static final int VOCAB = 256 + BYTE_OFFSET;

  /** The token of byte {@code b} (any sign: {@code b & 0xff} is used). */
  public static int ofByte(byte b) {
    return (b & 0xff) + BYTE_OFFSET;
  }

  /** The tokens of {@code text}'s UTF-8 bytes (no end-of-record). */
  public static int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) ids[i] = ofByte(bytes[i]);
    return ids;
  }

  /** The text of the byte tokens in {@code ids}, skipping special ids (invalid UTF-8 becomes U+FFFD). */
  public static String decode(int[] ids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
    for (int id : ids) {
      checkId(id);
      if (id >= BYTE_OFFSET) bytes.write(id - BYTE_OFFSET);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Like {@link #decode} but shows the specials, for printing a batch: {@code ⟨eor⟩}, {@code ⟨pad⟩}. */
  public static String render(int[] ids) {
    StringBuilder out = new StringBuilder();
    int start = 0;
    for (int i = 0; i <= ids.length; i++) {
      if (i < ids.length) checkId(ids[i]);
      if (i == ids.length || ids[i] < BYTE_OFFSET) {
        out.append(decode(java.util.Arrays.copyOfRange(ids, start, i)));
        if (i < ids.length) out.append(ids[i] == PAD ? "⟨pad⟩" : "⟨eor⟩");
        start = i + 1;
      }
    }
    return out.toString();
  }

  private static void checkId(int id) {
    if (id < 0 || id >= VOCAB) throw new IllegalArgumentException("token id " + id + " outside the byte vocabulary [0, " + VOCAB + ")");
  }
}
