package dev.switchc.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.UserInputError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FortuneReaderTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  private static List<String> texts(Corpus c) {
    return c.records().stream().map(TextRecord::text).toList();
  }

  @Test
  void recordsAreSplitOnPercentLinesAndBlankOnesDropped() throws IOException {
    Path f = write("quotes", "First.\n  -- someone\n%\n\n%\nSecond, 100% sure.\n%\n\nThird\r\n%\r\nКонец\n");
    Corpus c = FortuneReader.read(f);
    assertEquals(List.of("First.\n  -- someone", "Second, 100% sure.", "Third", "Конец"), texts(c));
    assertEquals("quotes#1", c.records().get(1).source());
    assertEquals(List.of(f), c.files());
  }

  @Test
  void directoryReadsItsFortuneFilesInNameOrderSkippingIndexesLinksAndSubdirectories() throws IOException {
    write("b", "B1\n%\nB2\n");
    write("a", "A1\n");
    write("a.dat", "\0\0\0\2binary index");
    write("a.u8", "");
    write("empty", "");
    write("off/rot13", "Bssrafvir\n");
    Files.createSymbolicLink(dir.resolve("alias"), dir.resolve("b"));
    Corpus c = FortuneReader.read(dir);
    assertEquals(List.of("A1", "B1", "B2"), texts(c));
    assertEquals(List.of(dir.resolve("a"), dir.resolve("b"), dir.resolve("empty")), c.files());
    assertEquals(3 + 3 + 3, c.tokens(), "bytes plus one end-of-record token per record");
  }

  @Test
  void missingPathIsAnError() {
    Path missing = dir.resolve("nope");
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(missing));
    assertTrue(e.getMessage().startsWith(missing + ": no such file or directory"), e.getMessage());
    assertTrue(e.getMessage().contains(".ci/install-fortunes"), e.getMessage());
  }

  @Test
  void emptyFileIsAnError() throws IOException {
    Path f = write("empty", "");
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(f));
    assertEquals(f + ": empty file: it holds no record; give UTF-8 text with records separated by lines holding a single %", e.getMessage());
  }

  @Test
  void fileOfOnlySeparatorsIsAnError() throws IOException {
    Path f = write("seps", "%\n\n%\n   \n%\n");
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(f));
    assertTrue(e.getMessage().startsWith(f + ": empty file"), e.getMessage());
  }

  @Test
  void emptyDirectoryIsAnError() throws IOException {
    write("x.dat", "index");
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(dir));
    assertTrue(e.getMessage().startsWith(dir + ": empty directory: none of its 0 fortune files"), e.getMessage());
  }

  @Test
  void directoryOfOnlySymbolicLinksIsAnErrorThatSaysWhere() throws IOException {
    Path real = write("cs/citat", "Citát.\n");
    Path aliases = Files.createDirectory(dir.resolve("cz"));
    Files.createSymbolicLink(aliases.resolve("citat"), real);
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(aliases));
    assertTrue(e.getMessage().startsWith(aliases + ": empty directory: none of its 0 fortune files holds a record (symbolic links are skipped"),
        e.getMessage());
    assertEquals(List.of("Citát."), texts(FortuneReader.read(real.getParent())));
  }

  @Test
  void binaryFileWithNulByteIsAnError() throws IOException {
    Path f = dir.resolve("model.bin");
    Files.write(f, new byte[] {'a', 'b', 0, 1, 2});
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(f));
    assertTrue(e.getMessage().startsWith(f + ": binary file (a NUL byte at offset 2)"), e.getMessage());
  }

  @Test
  void invalidUtf8IsAnError() throws IOException {
    Path f = dir.resolve("latin1");
    Files.write(f, "Caf\u00e9 au lait\n".getBytes(StandardCharsets.ISO_8859_1));
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(f));
    assertTrue(e.getMessage().startsWith(f + ": not UTF-8 text (byte 0xE9 at offset 3 is not valid UTF-8)"), e.getMessage());
    assertTrue(e.getMessage().contains("iconv"), e.getMessage());
  }

  @Test
  void badFileInsideADirectoryIsNamed() throws IOException {
    write("good", "fine\n");
    Path bad = dir.resolve("bad");
    Files.write(bad, new byte[] {'x', 0});
    UserInputError e = assertThrows(UserInputError.class, () -> FortuneReader.read(dir));
    assertTrue(e.getMessage().startsWith(bad + ": binary file"), e.getMessage());
  }
}
