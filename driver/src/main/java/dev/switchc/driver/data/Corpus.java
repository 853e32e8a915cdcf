package dev.switchc.driver.data;

import java.nio.file.Path;
import java.util.List;

/** The records read from {@code path} (a file or a directory), and the files they came from, in name order. */
public record Corpus(Path path, List<Path> files, List<TextRecord> records) {
  public Corpus {
    files = List.copyOf(files);
    records = List.copyOf(records);
  }

  /** Tokens of the whole corpus packed: each record's bytes plus its end-of-record token. */
  public long tokens() {
    return records.stream().mapToLong(TextRecord::tokenCount).sum();
  }
}
