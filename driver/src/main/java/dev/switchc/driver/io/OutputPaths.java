package dev.switchc.driver.io;

import dev.switchc.driver.UserInputError;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules every output path of a command obeys, checked together before any work is done, so
 * that a mistake in one costs nothing and leaves nothing behind:
 *
 * <ul>
 *   <li>an output is a regular file, or a name that does not exist yet; never a directory, a
 *       device, a FIFO or a socket (writing it would replace the node by a file);
 *   <li>a symbolic link is followed: the file it points to is replaced, and the link stays;
 *   <li>no two outputs, and no output and input, are the same file (one would silently lose the
 *       other, or the spec would be overwritten by a result);
 *   <li>the directory it goes to exists or can be created, and this process can create files
 *       there (checked by creating and deleting one, which is the only honest test: permission
 *       bits do not say what a read-only mount, /proc or a full quota allow).
 * </ul>
 */
public final class OutputPaths {
  private static final int MAX_LINKS = 40; // as Linux's ELOOP limit

  private OutputPaths() {}

  /** A path and the option (or place) that named it, for messages. */
  public record Named(String option, Path path) {
    @Override
    public String toString() {
      return option.isEmpty() ? path.toString() : option + " " + path;
    }
  }

  /**
   * Checks {@code outputs} (files a command will write) against the rules above and against
   * {@code inputs} (files it reads); null paths are skipped.
   *
   * @throws UserInputError naming the option, the path and what to do instead
   */
  public static void check(List<Named> outputs, List<Named> inputs) {
    List<Named> seen = new ArrayList<>();
    List<Path> seenTargets = new ArrayList<>();
    for (Named out : outputs) {
      if (out.path() == null) continue;
      Path target = checkFile(out);
      for (int i = 0; i < seen.size(); i++)
        if (same(target, seenTargets.get(i)))
          throw new UserInputError(out + ": the same file as " + seen.get(i) + "; one output would overwrite the other: give each output its own path");
      for (Named in : inputs)
        if (in.path() != null && same(target, canonical(in.path())))
          throw new UserInputError(out + ": the same file as the input " + in + "; writing it would destroy the input: choose another output path");
      seen.add(out);
      seenTargets.add(target);
    }
  }

  /** The file writing {@code p} replaces: {@code p} itself, or what its chain of symbolic links ends in. */
  public static Path target(Path p) {
    Path t = p.toAbsolutePath().normalize();
    for (int hops = 0; Files.isSymbolicLink(t); hops++) {
      if (hops == MAX_LINKS) throw new UserInputError(p + ": too many levels of symbolic links; point the output at a file");
      try {
        t = t.resolveSibling(Files.readSymbolicLink(t)).normalize();
      } catch (IOException e) {
        throw new UserInputError(p + ": cannot read the symbolic link: " + reason(e));
      }
    }
    return t;
  }

  /**
   * Checks a directory a command writes a set of files into ({@code switchc compile -o DIR}):
   * an existing one must be a directory, and its parent writable.
   */
  public static void checkDirectory(Named dir) {
    Path d = target(dir.path());
    if (Files.exists(d) && !Files.isDirectory(d)) throw new UserInputError(dir + ": " + kind(d) + ", not a directory; give a directory for the outputs");
    try {
      // The directory is replaced as a whole: never the one this process (or the user's shell) stands in.
      if (Files.isDirectory(d) && Path.of("").toRealPath().startsWith(d.toRealPath()))
        throw new UserInputError(dir + ": the working directory or one above it; give a directory of its own for the outputs, e.g. " + dir.path().resolve("out"));
    } catch (IOException e) {
      throw new UserInputError(dir + ": cannot resolve: " + reason(e));
    }
    Path parent = d.getParent();
    if (parent == null) throw new UserInputError(dir + ": the file system root; give a directory of its own for the outputs");
    probe(dir, parent);
  }

  /** The checks on one output file; returns its canonical target. */
  private static Path checkFile(Named out) {
    Path p = out.path();
    if (p.getFileName() == null || p.toString().isEmpty())
      throw new UserInputError(out.option() + " '" + p + "': not a file name; give a file such as out/y.npy");
    Path target = target(p);
    if (Files.exists(target) && !Files.isRegularFile(target))
      throw new UserInputError(out + ": " + kind(target) + (target.equals(p.toAbsolutePath().normalize()) ? "" : " (where the link points: " + target + ")")
          + ", not a regular file; switchc writes its outputs only to regular files: give a file name"
          + (Files.isDirectory(target) ? " inside it, e.g. " + p.resolve(p.getFileName().toString().contains(".") ? "out" : "out.npy") : ""));
    probe(out, target.getParent());
    return canonical(target);
  }

  /** Creates and deletes a file in {@code dir}, or in its nearest existing ancestor (which the write would create it under). */
  private static void probe(Named out, Path dir) {
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) existing = existing.getParent();
    if (existing == null) throw new UserInputError(out + ": no part of " + dir + " exists; give a path on this machine");
    if (!Files.isDirectory(existing))
      throw new UserInputError(out + ": " + existing + " is " + kind(existing) + ", not a directory; choose another output path");
    Path probe = null;
    try {
      probe = Files.createTempFile(existing, ".switchc-probe-", ".tmp");
    } catch (IOException e) {
      throw new UserInputError(out + ": cannot create files in " + existing + ": " + reason(e) + "; choose a writable place");
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException ignored) {
          // the probe was created, so the place is writable; a leftover empty probe is harmless
        }
      }
    }
  }

  /** {@code p} with every existing directory resolved, so that two spellings of one file compare equal. */
  private static Path canonical(Path p) {
    Path t = target(p);
    try {
      if (Files.exists(t)) return t.toRealPath();
      Path parent = t.getParent();
      if (parent != null && Files.exists(parent)) return parent.toRealPath().resolve(t.getFileName());
    } catch (IOException e) {
      // fall through: compare as written
    }
    return t;
  }

  private static boolean same(Path a, Path b) {
    if (a.equals(b)) return true;
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b); // hard links
    } catch (IOException e) {
      return false;
    }
  }

  /** "a directory", "a character device", ... for a path that exists (links followed). */
  public static String kind(Path p) {
    Optional<Integer> mode;
    try {
      mode = Optional.of((Integer) Files.getAttribute(p, "unix:mode"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      mode = Optional.empty();
    }
    if (mode.isPresent()) {
      return switch (mode.get() & 0170000) {
        case 0100000 -> "a regular file";
        case 0040000 -> "a directory";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0010000 -> "a FIFO";
        case 0140000 -> "a socket";
        default -> "a special file";
      };
    }
    if (Files.isDirectory(p)) return "a directory";
    return Files.isRegularFile(p) ? "a regular file" : Files.isSymbolicLink(p) && !Files.exists(p) ? "a dangling link" : "a special file";
  }

  /** The reason of a failed file operation, in words (Java's messages are often just the path). */
  public static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof NoSuchFileException) return "no such file or directory";
    if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason().toLowerCase(java.util.Locale.ROOT);
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
