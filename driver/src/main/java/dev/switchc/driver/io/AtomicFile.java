package dev.switchc.driver.io;

import dev.switchc.driver.UserInputError;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes output files all-or-nothing: the body writes to a temporary file in the target's
 * directory (same file system, so the final rename is possible), which is synced and renamed
 * over the target only after the body finished. On any failure the temporary file is deleted and
 * the previous target, if any, is untouched — a crash or error never leaves a truncated output.
 * Temporary files never outlive the process ({@link TempFiles}).
 *
 * <p>A symbolic link as the target is followed: the file it points to is replaced and the link
 * kept. A target that exists and is not a regular file (a directory, a device, a FIFO) is refused:
 * a rename would replace the node itself.
 *
 * <p>{@link Batch} does the same for several files at once: all are written before any is moved
 * into place.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /**
   * Runs {@code body} against a buffered stream for a temporary file, then moves it to
   * {@code target}. The body may close the stream; that only flushes it. An exception of the body
   * propagates as it is; a failure of the file system names {@code target} and the reason.
   */
  public static void write(Path target, IoConsumer<OutputStream> body) throws IOException {
    try (Batch batch = new Batch()) {
      batch.write(target, body);
      batch.commit();
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

  /**
   * Files written together: {@link #write} stages each in a temporary file, {@link #commit} moves
   * them all into place; {@link #close} without a commit deletes what was staged. So a failure
   * while writing the third output leaves neither the first nor the second behind.
   */
  public static final class Batch implements AutoCloseable {
    private record Staged(Path tmp, Path target) {}

    private final List<Staged> staged = new ArrayList<>();
    private boolean committed;

    /** Writes {@code body} to a temporary file for {@code target}, creating the target's directories. */
    public void write(Path target, IoConsumer<OutputStream> body) throws IOException {
      Objects.requireNonNull(body, "body");
      if (committed) throw new IllegalStateException("batch already committed");
      Path absolute = OutputPaths.target(target);
      Path dir = absolute.getParent();
      if (dir == null || absolute.getFileName() == null) throw new IOException(target + ": not a file path");
      if (Files.exists(absolute) && !Files.isRegularFile(absolute))
        throw new IOException(target + ": " + OutputPaths.kind(absolute) + ", not a regular file; outputs replace regular files only");
      Path tmp = TempFiles.reserve(absolute);
      FileChannel channel;
      try {
        Files.createDirectories(dir);
        // Files.createTempFile would create the file with mode 0600, which the rename
        // would then give the output; CREATE_NEW keeps the usual umask-derived mode.
        channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (IOException e) {
        TempFiles.release(tmp);
        throw new IOException(target + ": cannot write: " + OutputPaths.reason(e), e);
      }
      staged.add(new Staged(tmp, absolute));
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
    }

    /** Moves every staged file into place, in the order written. */
    public void commit() throws IOException {
      for (Staged s : staged) {
        try {
          move(s.tmp(), s.target());
        } catch (IOException e) {
          throw new IOException(s.target() + ": cannot write: " + OutputPaths.reason(e), e);
        }
        TempFiles.release(s.tmp());
      }
      committed = true;
    }

    @Override
    public void close() {
      for (Staged s : staged) if (!committed || Files.exists(s.tmp())) TempFiles.discard(s.tmp(), null);
    }
  }

  /**
   * Writes a set of files as one directory: {@code body} fills a fresh temporary directory beside
   * {@code dir}, which then takes {@code dir}'s place. A reader sees the old set or the new one,
   * never a mix (between the two renames, briefly, no directory). {@code dir} may exist only as a
   * directory holding nothing but files named in {@code ours} (an earlier output of the same
   * command); anything else in it is refused, never deleted.
   */
  public static void writeDirectory(Path dir, Set<String> ours, IoConsumer<Path> body) throws IOException {
    Path target = OutputPaths.target(dir);
    checkReplaceable(dir, target, ours);
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path fresh = TempFiles.reserve(target);
    Path old = null;
    try {
      Files.createDirectory(fresh);
      body.accept(fresh);
      if (Files.exists(target)) {
        checkReplaceable(dir, target, ours);
        old = TempFiles.reserve(target);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
      TempFiles.release(fresh);
    } catch (IOException | RuntimeException | Error e) {
      if (old != null && !Files.exists(target)) {
        try {
          Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
          TempFiles.release(old);
          old = null;
        } catch (IOException restore) {
          e.addSuppressed(restore);
        }
      }
      TempFiles.discard(fresh, e);
      throw e;
    } finally {
      if (old != null) TempFiles.discard(old, null);
    }
  }

  /**
   * Refuses to replace a directory that holds anything the command did not write.
   *
   * @throws UserInputError naming the first foreign entry
   */
  public static void checkReplaceable(Path dir, Path target, Set<String> ours) throws IOException {
    if (!Files.exists(target)) return;
    if (!Files.isDirectory(target))
      throw new UserInputError(dir + ": " + OutputPaths.kind(target) + ", not a directory; give a directory for the outputs");
    try (var entries = Files.list(target)) {
      for (Path e : entries.sorted().toList())
        if (!ours.contains(e.getFileName().toString()) || !Files.isRegularFile(e, LinkOption.NOFOLLOW_LINKS))
          throw new UserInputError(dir + ": holds " + e.getFileName() + ", which this command does not write; the directory is"
              + " replaced as a whole, so give a new or empty directory (or one holding only an earlier output: " + String.join(", ", new TreeSet<>(ours)) + ")");
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
