package dev.switchc.runtime.cpu;

/**
 * Turns a TensorFlow failure of a run into our exception types. The message is all there is to
 * classify on: TensorFlow maps the status code to an exception class, and the classes share no
 * base (INVALID_ARGUMENT becomes TFInvalidArgumentException, an IllegalArgumentException;
 * UNIMPLEMENTED an UnsupportedOperationException; the rest TensorFlowException).
 */
final class NativeErrors {
  private NativeErrors() {}

  static RuntimeException translate(RuntimeException e, String moduleText) {
    String msg = essence(e.getMessage());
    if (msg.contains("Cannot deserialize computation")) return XlaCompileException.parseFailure(msg, moduleText, e);
    if (msg.contains("Module has unsupported dialects") || msg.contains("Cannot find 'main'"))
      return XlaCompileException.rejected(msg, moduleText, e);
    // Inputs were already checked against the signature, so these mean the signature itself does
    // not describe the module: a bug upstream, not the caller's.
    if (msg.contains("Call parameter must match argument")
        || msg.contains("Incorrect number of arguments passed to XlaCallModule")
        || msg.contains("Missing xla_context"))
      return new IllegalStateException("the module's main does not match its ModuleSignature: " + msg, e);
    return new XlaExecutionException("XLA failed to run the program: " + msg, e);
  }

  /** TensorFlow's message without its trailing node names and "Stack trace for op definition" block. */
  static String essence(String message) {
    if (message == null) return "(no message)";
    StringBuilder sb = new StringBuilder();
    for (String line : message.split("\n")) {
      if (line.startsWith("\t [[") || line.startsWith("Stack trace for op definition")) break;
      if (sb.length() > 0) sb.append('\n');
      sb.append(line);
    }
    return sb.toString().strip();
  }
}
