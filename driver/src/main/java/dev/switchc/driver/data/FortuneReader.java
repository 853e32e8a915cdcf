package dev.switchc.driver.data;

import dev.switchc.driver.UserInputError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a corpus in the fortune format: UTF-8 text whose records are separated by lines holding a
 * single {@code %} (Debian's {@code fortunes*} packages, /usr/share/games/fortunes).
 *
 * <p>A path is a file, or a directory whose regular files directly inside it are read, in name
 * order. Skipped in a directory, so that Debian's layout reads as one corpus per language: {@code
 * .dat} files (strfile's binary indexes), {@code .u8} files (links or empty markers for UTF-8
 * locales), symbolic links (Debian's aliases: the top directory links to Italian files, {@code cz}
 * to {@code cs}, each duplicate text), subdirectories (other languages, and {@code off}, the rot13
 * offensive fortunes), and empty files (some Russian ones are). So {@code /usr/share/games/fortunes}
 * is the English corpus and {@code /usr/share/games/fortunes/ru} the Russian one.
 *
 * <p>Binary files are refused rather than tokenized as bytes: a NUL byte, or bytes that are not
 * valid UTF-8, mean the file is not text (or not in UTF-8, e.g. Latin-1 or KOI8-R), and training on
 * it would teach the model garbage and make decoded samples unreadable. Each bad input is a {@link
 * UserInputError} (exit status 2) naming the file and the fix.
 */
public final class FortuneReader {
  private FortuneReader() {}

  /** The records of {@code path}, a fortune file or a directory of them. */
  public static Corpus read(Path path) {
    if (!Files.exists(path))
      throw new UserInputError(path + ": no such file or directory; give a fortune file or a directory of them"
          + " (Debian's are in /usr/share/games/fortunes after .ci/install-fortunes)");
    List<Path> files = Files.isDirectory(path) ? filesIn(path) : List.of(path);
    List<TextRecord> records = new ArrayList<>();
    for (Path file : files) {
      byte[] bytes = readBytes(file);
      if (bytes.length == 0 && files.size() > 1) continue; // an empty member of a directory holds no records
      records.addAll(records(file, text(file, bytes)));
    }
    if (records.isEmpty())
      throw new UserInputError(path + (Files.isDirectory(path) ? ": empty directory: none of its " + files.size() + " fortune files holds a record"
          + (hasSymbolicLinks(path) ? " (symbolic links are skipped, as Debian's aliases: give the directory they point to)" : "")
          : ": empty file: it holds no record") + "; give UTF-8 text with records separated by lines holding a single %");
    return new Corpus(path, files, records);
  }

  /** The records of {@code text}: the runs of lines between {@code %} lines, blank ones dropped. */
  static List<TextRecord> records(Path file, String text) {
    List<TextRecord> records = new ArrayList<>();
    StringBuilder record = new StringBuilder();
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    for (String line : text.split("\n", -1)) {
      String bare = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (bare.equals("%")) {
        add(records, name, record);
      } else {
        record.append(line).append('\n');
      }
    }
    add(records, name, record);
    return records;
  }

  private static void add(List<TextRecord> records, String name, StringBuilder record) {
    // Blank lines around a record are layout, not text; indentation inside it is kept.
    String text = record.toString().replaceFirst("^(\\s*\n)+", "").stripTrailing();
    if (!text.isBlank()) records.add(new TextRecord(name + "#" + records.size(), text));
    record.setLength(0);
  }

  private static List<Path> filesIn(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.getFileName().toString().endsWith(".dat") && !p.getFileName().toString().endsWith(".u8"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UserInputError(dir + ": cannot list the directory: " + e.getMessage());
    }
  }

  private static boolean hasSymbolicLinks(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(Files::isSymbolicLink);
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UserInputError(file + ": cannot read: " + e.getMessage());
    }
  }

  /** {@code bytes} as text, or an error if they hold a NUL or are not UTF-8. */
  private static String text(Path file, byte[] bytes) {
    for (int i = 0; i < bytes.length; i++)
      if (bytes[i] == 0)
        throw new UserInputError(file + ": binary file (a NUL byte at offset " + i + "); training text must be UTF-8 text"
            + " with records separated by lines holding a single %");
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      return utf8.decode(in).toString();
    } catch (CharacterCodingException e) {
      int at = in.position();
      throw new UserInputError(file + ": not UTF-8 text (byte 0x" + String.format("%02X", bytes[at] & 0xff) + " at offset " + at
          + " is not valid UTF-8); convert it, e.g. iconv -f LATIN1 -t UTF-8");
    }
  }
}
