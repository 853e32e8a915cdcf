package dev.switchc.driver.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes output files all-or-nothing: the body writes to a temporary file in the target's
 * directory (same file system, so the final rename is possible), which is synced and renamed
 * over the target only after the body finished. On any failure the temporary file is deleted and
 * the previous target, if any, is untouched — a crash or error never leaves a truncated output.
 */
public final class AtomicFile {
  private static final int MAX_NAME_ATTEMPTS = 100;

  private AtomicFile() {}

  /**
   * Runs {@code body} against a buffered stream for a temporary file, then moves it to
   * {@code target}. The body may close the stream; that only flushes it.
   */
  public static void write(Path target, IoConsumer<OutputStream> body) throws IOException {
    Objects.requireNonNull(body, "body");
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path name = absolute.getFileName();
    if (dir == null || name == null) {
      throw new IOException(target + ": not a file path");
    }
    Path tmp = null;
    try {
      FileChannel channel = null;
      for (int attempt = 0; channel == null; attempt++) {
        // Files.createTempFile would create the file with mode 0600, which the rename
        // would then give the output; CREATE_NEW keeps the usual umask-derived mode.
        tmp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
          channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException clash) {
          tmp = null;
          if (attempt >= MAX_NAME_ATTEMPTS) {
            throw clash;
          }
        }
      }
      try (FileChannel ch = channel) {
        BufferedOutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
        body.accept(new FilterOutputStream(out) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream would write byte by byte
          }

          @Override
          public void close() throws IOException {
            out.flush(); // the channel must stay open for force() below
          }
        });
        out.flush();
        // Without this, a crash soon after the rename can leave an empty or partial
        // file under the target name on common file systems (e.g. ext4 delayed allocation).
        ch.force(true);
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (Throwable failure) {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException cleanup) {
          failure.addSuppressed(cleanup);
        }
      }
      throw failure;
    }
  }

  /** Writes {@code content} as UTF-8, atomically. */
  public static void writeString(Path target, String content) throws IOException {
    Objects.requireNonNull(content, "content");
    write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
  }

  /** Writes {@code content} atomically. */
  public static void writeBytes(Path target, byte[] content) throws IOException {
    Objects.requireNonNull(content, "content");
    write(target, out -> out.write(content));
  }
}
