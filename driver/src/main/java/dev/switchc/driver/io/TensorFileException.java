package dev.switchc.driver.io;

import dev.switchc.ir.Excerpt;
import java.nio.file.Path;

/**
 * The single exception type for malformed or unsupported tensor files. Unchecked so that callers
 * can let it propagate to the CLI's top level, where the message alone is shown to the user: it
 * always starts with the file name, then says what was found and what was expected (one line:
 * names and values quoted from the file are clipped, see {@link Excerpt}).
 * Genuine I/O failures (missing file, permission denied) stay {@link java.io.IOException}s.
 */
public final class TensorFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  // Path is not Serializable; the message already carries the name.
  private final transient Path file;

  public TensorFileException(Path file, String problem) {
    super(file + ": " + Excerpt.clip(problem));
    this.file = file;
  }

  public TensorFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + Excerpt.clip(problem), cause);
    this.file = file;
  }

  /** The offending file; may be null after deserialization. */
  public Path file() {
    return file;
  }
}
