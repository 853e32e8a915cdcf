package dev.switchc.runtime.tpu;

/**
 * An error reported by XLA or by a PJRT plugin: the canonical status code (PJRT_Error_Code =
 * absl::StatusCode, e.g. 3 = INVALID_ARGUMENT, 12 = UNIMPLEMENTED, 13 = INTERNAL) and the
 * message, prefixed by what the bridge was doing (the PJRT function, or the XLA step) when it
 * failed. Both native bridges ({@link XlaBridge}, {@link PjrtPlugin}) raise it.
 */
public final class XlaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** PJRT_Error_Code value for a function missing from an older plugin's table. */
  public static final int UNIMPLEMENTED = 12;

  private final int code;
  private final String codeName;
  private final String statusMessage;

  /** Called from native code. */
  public XlaException(int code, String codeName, String statusMessage) {
    super(codeName + ": " + statusMessage);
    this.code = code;
    this.codeName = codeName;
    this.statusMessage = statusMessage;
  }

  /** The canonical status code. */
  public int code() {
    return code;
  }

  /** The code's name, e.g. {@code INVALID_ARGUMENT}. */
  public String codeName() {
    return codeName;
  }

  /** The message without the code name. */
  public String statusMessage() {
    return statusMessage;
  }
}
