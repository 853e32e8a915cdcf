package dev.switchc.driver.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.UserInputError;
import dev.switchc.driver.io.OutputPaths.Named;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output-path rules, each with the message a user reads; checking never leaves a file behind. */
class OutputPathsTest {
  @TempDir
  Path dir;

  private String refused(List<Named> outputs, List<Named> inputs) {
    return assertThrows(UserInputError.class, () -> OutputPaths.check(outputs, inputs)).getMessage();
  }

  private String refused(Named output) {
    return refused(List.of(output), List.of());
  }

  @Test
  void newAndExistingRegularFilesAreAccepted() throws Exception {
    Files.writeString(dir.resolve("old.npy"), "x");
    assertDoesNotThrow(() -> OutputPaths.check(List.of(new Named("--output", dir.resolve("old.npy")), new Named("--stats", dir.resolve("new/sub/s.json")),
        new Named("--save-params", null)), List.of(new Named("--input", null))));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("old.npy")), s.toList(), "the probe left nothing, and no directory was created");
    }
  }

  @Test
  void nodesThatAreNotRegularFilesAreRefusedByKind() throws Exception {
    assertEquals("--output /dev/null: a character device, not a regular file; switchc writes its outputs only to regular files: give a file name",
        refused(new Named("--output", Path.of("/dev/null"))), "(checking only: nothing is written)");
    assertTrue(refused(new Named("-o", dir)).startsWith("-o " + dir + ": a directory, not a regular file; switchc writes its outputs only to regular files:"
        + " give a file name inside it, e.g. " + dir.resolve("out.npy")));
    Path fifo = dir.resolve("f");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    assertTrue(refused(new Named("--stats", fifo)).contains("a FIFO, not a regular file"));
  }

  @Test
  void linksAreFollowedToWhatTheyNameAndLoopsRefused() throws Exception {
    Path real = dir.resolve("real"), link = dir.resolve("link"), chain = dir.resolve("chain");
    Files.createSymbolicLink(link, real);
    Files.createSymbolicLink(chain, link);
    assertEquals(real, OutputPaths.target(chain));
    assertDoesNotThrow(() -> OutputPaths.check(List.of(new Named("--output", chain)), List.of()), "a dangling link names a new file");
    assertTrue(refused(List.of(new Named("--output", chain), new Named("--stats", real)), List.of()).contains("the same file as --output"));
    Path a = dir.resolve("a"), b = dir.resolve("b");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    assertTrue(refused(new Named("--output", a)).contains("too many levels of symbolic links"));
  }

  @Test
  void oneFileAsTwoOutputsOrAsAnInputIsRefused() throws Exception {
    Path x = dir.resolve("x"), spec = dir.resolve("s.swc");
    Files.writeString(spec, "switch_layer {}");
    assertEquals("--stats " + dir.resolve("sub/../x") + ": the same file as --output " + x + "; one output would overwrite the other: give each output its own path",
        refused(List.of(new Named("--output", x), new Named("--stats", dir.resolve("sub/../x"))), List.of()));
    assertEquals("-o " + spec + ": the same file as the input spec " + spec + "; writing it would destroy the input: choose another output path",
        refused(List.of(new Named("-o", spec)), List.of(new Named("spec", spec))));
    Path hard = dir.resolve("hard.swc");
    Files.createLink(hard, spec);
    assertTrue(refused(List.of(new Named("-o", hard)), List.of(new Named("spec", spec))).contains("the same file as the input spec"), "a hard link is the same file");
  }

  @Test
  void placesThatCannotTakeAFileAreRefusedWithTheReason() throws Exception {
    assertEquals("--stats /proc/self/s.json: cannot create files in /proc/self: no such file or directory; choose a writable place",
        refused(new Named("--stats", Path.of("/proc/self/s.json"))));
    Path file = dir.resolve("file");
    Files.writeString(file, "x");
    assertEquals("--output " + file.resolve("y.npy") + ": " + file + " is a regular file, not a directory; choose another output path",
        refused(new Named("--output", file.resolve("y.npy"))));
    assertEquals("--output " + file.resolve("a/b/y.npy") + ": " + file + " is a regular file, not a directory; choose another output path",
        refused(new Named("--output", file.resolve("a/b/y.npy"))));
  }

  @Test
  void anOutputDirectoryMustBeADirectoryInAWritablePlace() throws Exception {
    Path file = dir.resolve("file");
    Files.writeString(file, "x");
    assertEquals("-o " + file + ": a regular file, not a directory; give a directory for the outputs",
        assertThrows(UserInputError.class, () -> OutputPaths.checkDirectory(new Named("-o", file))).getMessage());
    assertTrue(assertThrows(UserInputError.class, () -> OutputPaths.checkDirectory(new Named("-o", Path.of("/proc/self/out")))).getMessage()
        .startsWith("-o /proc/self/out: cannot create files in /proc/self: "));
    assertDoesNotThrow(() -> OutputPaths.checkDirectory(new Named("-o", dir.resolve("new/out"))));
    assertTrue(assertThrows(UserInputError.class, () -> OutputPaths.checkDirectory(new Named("-o", Path.of(".")))).getMessage()
        .startsWith("-o .: the working directory or one above it; "), "compile -o . would replace the working directory");
  }
}
