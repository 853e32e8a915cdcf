package dev.switchc.runtime.cpu;

/** TensorFlow or XLA failed while running a program whose inputs had already been checked. */
public class XlaExecutionException extends RuntimeException {
  public XlaExecutionException(String message, Throwable cause) {
    super(message, cause);
  }
}
