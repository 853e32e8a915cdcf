package dev.switchc.runtime.cpu;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * XLA rejected the StableHLO module when compiling it (on the first run of a {@link CpuProgram}).
 * For a parse or verifier error TensorFlow returns only "Cannot deserialize computation"; the real
 * diagnostic goes to the process's native stderr, where Java cannot read it, so the message says
 * where to look and shows the module text with line numbers to match it against.
 */
public final class XlaCompileException extends RuntimeException {
  private static final int HEAD_LINES = 20;
  private static final int CONTEXT_LINES = 3;
  /** TensorFlow's own location form inside some messages: "-:LINE:COL: error: ...". */
  private static final Pattern LOCATION = Pattern.compile("-:(\\d+):(\\d+): error:");

  private final String moduleText;

  private XlaCompileException(String message, String moduleText, Throwable cause) {
    super(message, cause);
    this.moduleText = moduleText;
  }

  /** The full StableHLO text XLA rejected. */
  public String moduleText() {
    return moduleText;
  }

  /** The module failed to parse or verify; the diagnostic is on native stderr. */
  static XlaCompileException parseFailure(String tfMessage, String moduleText, Throwable cause) {
    String msg = "XLA could not parse or verify the StableHLO module (TensorFlow says only \""
        + tfMessage + "\").\n"
        + "The parser's diagnostic, of the form loc(\"-\":LINE:COL): error: ..., was printed on this process's"
        + " native stderr just before this exception (whatever TF_CPP_MIN_LOG_LEVEL is); LINE and COL count"
        + " from 1 in the module text below. Module text:\n"
        + head(moduleText);
    return new XlaCompileException(msg, moduleText, cause);
  }

  /** XLA rejected the module with a message of its own (unsupported dialect, no main, ...). */
  static XlaCompileException rejected(String tfMessage, String moduleText, Throwable cause) {
    Matcher m = LOCATION.matcher(tfMessage);
    String excerpt = m.find()
        ? around(moduleText, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))
        : head(moduleText);
    return new XlaCompileException("XLA rejected the StableHLO module: " + tfMessage + "\nModule text:\n" + excerpt,
        moduleText, cause);
  }

  private static String head(String text) {
    String[] lines = text.split("\n"); // drops the empty line after a final newline
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(HEAD_LINES, lines.length); i++) numbered(sb, lines, i + 1);
    if (lines.length > HEAD_LINES)
      sb.append("  ... (").append(lines.length).append(" lines in all; XlaCompileException.moduleText() has the rest)\n");
    return sb.toString();
  }

  private static String around(String text, int line, int col) {
    String[] lines = text.split("\n"); // drops the empty line after a final newline
    if (line < 1 || line > lines.length) return head(text);
    StringBuilder sb = new StringBuilder();
    for (int i = Math.max(1, line - CONTEXT_LINES); i <= Math.min(lines.length, line + CONTEXT_LINES); i++) {
      numbered(sb, lines, i);
      if (i == line) sb.append(" ".repeat(8 + Math.max(0, col - 1))).append("^\n");
    }
    return sb.toString();
  }

  private static void numbered(StringBuilder sb, String[] lines, int lineNo) {
    sb.append(String.format("%5d | %s%n", lineNo, lines[lineNo - 1]));
  }
}
