package dev.switchc.driver;

/** A mistake in a file or option the user gave (not a spec-file error): exit status 2, message only. */
public final class UserInputError extends RuntimeException {
  public UserInputError(String message) {
    super(message, null, false, false);
  }
}
