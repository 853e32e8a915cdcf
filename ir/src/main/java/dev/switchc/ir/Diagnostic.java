package dev.switchc.ir;

/** One user-facing error: a place and a message that names what is wrong and how to fix it. */
public record Diagnostic(SourceLoc loc, String message) {
  /** The message kept to one line of bounded length, however much of the input it quotes. */
  public Diagnostic {
    message = message == null ? null : Excerpt.clip(message);
  }

  /** The single line users read: {@code file:line:col: error: message}. */
  public String render() {
    return loc + ": error: " + message;
  }

  @Override
  public String toString() {
    return render();
  }
}
