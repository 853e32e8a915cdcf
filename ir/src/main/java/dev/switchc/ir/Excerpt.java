package dev.switchc.ir;

/**
 * Input quoted in a one-line message. Messages quote what the user wrote (a token, an option
 * value), and the input can be anything: a 100,000-character word would become a
 * 100,000-character message, a newline in an option value a second line. So control characters
 * are escaped, every run of more than {@link #MAX_WORD} non-blank characters is clipped with
 * "...", and so is the whole text beyond {@link #MAX_TEXT} characters (a quoted string of many
 * short words).
 */
public final class Excerpt {
  /** Longer than any name, number or path fragment a message needs to show whole. */
  public static final int MAX_WORD = 80;
  /** Longer than any message written here; only a long quote of the input makes more. */
  public static final int MAX_TEXT = 600;

  private Excerpt() {}

  /** {@code text} on one line, each over-long word clipped to {@link #MAX_WORD} characters ending in "...", the whole to {@link #MAX_TEXT}. */
  public static String clip(String text) {
    return clip(text, MAX_TEXT);
  }

  /** {@link #clip(String)} with the whole clipped to {@code maxText} (at least 4) characters: a location that quotes an option, say. */
  public static String clip(String text, int maxText) {
    String clipped = clipWords(text);
    if (clipped.length() <= maxText) return clipped;
    int end = maxText - 3;
    if (Character.isHighSurrogate(clipped.charAt(end - 1))) end--;
    return clipped.substring(0, end) + "...";
  }

  private static String clipWords(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 1024));
    int word = 0; // length of the current run of non-blank characters, as written to out
    boolean clipped = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ') {
        out.append(c);
        word = 0;
        clipped = false;
        continue;
      }
      if (clipped) continue;
      String shown = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
          : c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : null;
      int width = shown == null ? 1 : shown.length();
      if (word + width > MAX_WORD - 3 && remainingWordLength(text, i) + word > MAX_WORD) {
        if (out.length() > 0 && Character.isHighSurrogate(out.charAt(out.length() - 1))) out.setLength(out.length() - 1);
        out.append("...");
        clipped = true;
        continue;
      }
      if (shown == null) out.append(c);
      else out.append(shown);
      word += width;
    }
    return out.toString();
  }

  /** Characters from {@code from} to the end of its word, counting at most MAX_WORD + 1. */
  private static int remainingWordLength(String text, int from) {
    int n = 0;
    for (int i = from; i < text.length() && text.charAt(i) != ' ' && n <= MAX_WORD; i++) n++;
    return n;
  }
}
