package dev.switchc.cli;

/** A mistake in a file or option the user gave (not a spec-file error): exit status 2, message only. */
final class UserInputError extends RuntimeException {
  UserInputError(String message) {
    super(message, null, false, false);
  }
}
