package dev.switchc.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Debian's fortune files, which the build installs (.ci/install-fortunes, run by this module before
 * its tests): each language's directory reads as a corpus of real text. The lower bounds are about
 * 90% of what Debian 12's packages hold (README, *Training data*), so a later release passes while
 * a wrong reader (a symlink followed twice, a subdirectory read, records not split) does not.
 */
class FortunesCorpusTest {
  private static final Path ROOT = Path.of("/usr/share/games/fortunes");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "en, '', 13500, 2300000, 'the '",
      "de, de, 16800, 2600000, ' der '",
      "es, es, 9700, 800000, ' que '",
      "it, it, 7600, 1400000, ' che '",
      "pl, pl, 7100, 1750000, 'ą'",
      "ru, ru, 18800, 3150000, 'и'",
      "cs, cs, 6600, 1300000, 'ř'"})
  void languageDirectoryIsACorpusOfRealText(String language, String subdirectory, int minRecords, long minTokens, String common) {
    Path dir = subdirectory.isEmpty() ? ROOT : ROOT.resolve(subdirectory);
    assertTrue(Files.isDirectory(dir), dir + " is missing: the build installs it with .ci/install-fortunes (apt-get); run that as root");
    Corpus c = FortuneReader.read(dir);
    CorpusSplit s = CorpusSplit.of(c.records());
    System.out.printf("fortunes %s: %d files, %d records, %d tokens; split %d train / %d validation records%n",
        language, c.files().size(), c.records().size(), c.tokens(), s.train().size(), s.validation().size());
    assertTrue(c.records().size() >= minRecords, c.records().size() + " records");
    assertTrue(c.tokens() >= minTokens, c.tokens() + " tokens");
    long withCommonText = c.records().stream().filter(r -> r.text().contains(common)).count();
    assertTrue(withCommonText > c.records().size() / 10, "decoded as " + language + ": " + withCommonText + " records hold '" + common + "'");
    double fraction = s.validation().size() / (double) c.records().size();
    assertTrue(fraction > 0.03 && fraction < 0.07, "validation fraction " + fraction);
    // Every record round-trips through the byte tokens, and the first training batch is of its text.
    for (TextRecord r : c.records()) assertEquals(r.text(), ByteTokens.decode(ByteTokens.encode(r.text())));
    Batch b = TokenBatches.training(dir.toString(), s, BatchShape.decoderOnly(4, 16), 0).next();
    assertEquals(64, b.inputs().length);
  }
}
