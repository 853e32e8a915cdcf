package dev.switchc.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CorpusSplitTest {
  private static List<TextRecord> records(int n) {
    return IntStream.range(0, n).mapToObj(i -> new TextRecord("f#" + i, "fortune number " + i + (i % 7 == 0 ? " — с кириллицей" : ""))).toList();
  }

  @Test
  void splitIsIndependentOfRecordOrder() {
    List<TextRecord> records = records(2000);
    List<TextRecord> shuffled = new ArrayList<>(records);
    Collections.shuffle(shuffled, new Random(42));
    assertEquals(CorpusSplit.of(records), CorpusSplit.of(shuffled), "same sides, same canonical order");
    assertEquals(CorpusSplit.of(records), CorpusSplit.of(records), "deterministic");
  }

  @Test
  void aboutFivePercentGoToValidationAndNoneAreLost() {
    CorpusSplit s = CorpusSplit.of(records(20_000));
    assertEquals(20_000, s.train().size() + s.validation().size());
    double fraction = s.validation().size() / 20_000.0;
    assertTrue(fraction > 0.045 && fraction < 0.055, "validation fraction " + fraction);
    for (TextRecord r : s.validation()) assertTrue(CorpusSplit.inValidation(r.text()));
    for (TextRecord r : s.train()) assertTrue(!CorpusSplit.inValidation(r.text()));
  }

  @Test
  void sideDependsOnTheTextOnlySoDuplicatesNeverStraddle() {
    List<TextRecord> records = new ArrayList<>(records(500));
    for (TextRecord r : records(500)) records.add(new TextRecord("other-file#" + r.source(), r.text()));
    CorpusSplit s = CorpusSplit.of(records);
    List<String> validationTexts = s.validation().stream().map(TextRecord::text).toList();
    assertTrue(s.train().stream().noneMatch(r -> validationTexts.contains(r.text())));
  }

  @Test
  void hashIsSha256sFirstEightBytes() {
    // sha256("abc") = ba7816bf8f01cfea 414140de5dae2223 ...
    assertEquals(0xba7816bf8f01cfeaL, CorpusSplit.hash("abc"));
  }
}
