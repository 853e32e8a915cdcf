package dev.switchc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import dev.switchc.cli.TrainCommandTest.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchc data}: the pipeline end to end as a user drives it; bad data exits 2 with one line. */
class DataCommandTest {
  @TempDir Path dir;

  private static Outcome cli(String... args) {
    return TrainCommandTest.cli(args);
  }

  private Path corpus() throws IOException {
    String text = IntStream.range(0, 60).mapToObj(i -> "Fortune " + i + ": Без труда не выловишь и рыбку из пруда.\n").collect(Collectors.joining("%\n"));
    return Files.writeString(dir.resolve("quotes"), text);
  }

  @Test
  void printsStatisticsAndTheFirstBatchDecoded() throws IOException {
    Outcome o = cli("data", corpus().toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258");
    assertEquals(0, o.status(), o.err());
    List<String> lines = o.out().lines().toList();
    assertTrue(lines.get(0).startsWith("corpus " + dir.resolve("quotes") + ": 1 files, 60 records, "), lines.get(0));
    assertTrue(lines.get(2).startsWith("batch: [4, 16] (decoder_only), 64 tokens; "), lines.get(2));
    assertTrue(lines.get(3).startsWith("batch from epoch=0,record=0,offset=0 (seed 0) to epoch=0,record=0,offset=64:"), lines.get(3));
    assertEquals(4 + 4, lines.size());
    String rows = String.join("", lines.subList(4, 8).stream().map(l -> l.substring("  inputs  0: ".length())).toList());
    assertTrue(rows.startsWith("Fortune ") && rows.contains("Без труда"), rows);
  }

  @Test
  void savedPositionContinuesWhereTheFirstBatchEnded() throws IOException {
    Path c = corpus();
    Outcome first = cli("data", c.toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258", "--set", "batch=2", "--seed", "5");
    String next = first.out().lines().filter(l -> l.startsWith("batch from")).findFirst().orElseThrow().replaceAll(".* to (\\S+):$", "$1");
    Outcome resumed = cli("data", c.toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258", "--set", "batch=4", "--seed", "5", "--position", next);
    assertEquals(0, resumed.status(), resumed.err());
    Outcome both = cli("data", c.toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258", "--set", "batch=6", "--seed", "5");
    List<String> all = both.out().lines().filter(l -> l.startsWith("  inputs")).map(l -> l.substring(12)).toList();
    List<String> rest = resumed.out().lines().filter(l -> l.startsWith("  inputs")).map(l -> l.substring(12)).toList();
    assertEquals(all.subList(2, 6), rest, "rows 2-5 of one batch of 6 are the batch of 4 read from after a batch of 2");
  }

  @Test
  void encoderDecoderBatchShowsInputsAndTargets() throws IOException {
    Outcome o = cli("data", corpus().toString(), "--preset", "tiny-switch", "--set", "vocab=258");
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().contains("batch: inputs [4, 16] and targets [4, 8] (encoder_decoder), 96 tokens"), o.out());
    assertTrue(o.out().contains("  targets 3: "), o.out());
  }

  private void assertUserError(Outcome o, String start) {
    assertEquals(2, o.status(), o.out() + o.err());
    assertTrue(o.err().startsWith("error: " + start), o.err());
    assertEquals(1, o.err().lines().count(), "one line, no stack trace: " + o.err());
    assertEquals("", o.out());
  }

  @Test
  void missingCorpusExits2() {
    Path missing = dir.resolve("missing");
    assertUserError(cli("data", missing.toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258"), missing + ": no such file or directory");
  }

  @Test
  void emptyCorpusExits2() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty"), "");
    assertUserError(cli("data", empty.toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258"), empty + ": empty file");
  }

  @Test
  void binaryCorpusExits2() throws IOException {
    Path bin = Files.write(dir.resolve("bin"), new byte[] {1, 2, 0, 3});
    assertUserError(cli("data", bin.toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258"), bin + ": binary file (a NUL byte at offset 2)");
  }

  @Test
  void corpusShorterThanOneBatchExits2() throws IOException {
    Path tiny = Files.writeString(dir.resolve("tiny"), "Short.\n");
    assertUserError(cli("data", tiny.toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258"),
        tiny + ": text too short: its training split has 7 tokens");
  }

  @Test
  void vocabularySmallerThanTheByteTokensExits2() throws IOException {
    Outcome o = cli("data", corpus().toString(), "--preset", "tiny-switch-lm");
    assertUserError(o, "the model's vocab 64 is smaller than the byte-level tokens' 258");
    assertTrue(o.err().contains("--set vocab=258"), o.err());
  }

  @Test
  void layerInsteadOfModelExits2() throws IOException {
    Path layer = Files.writeString(dir.resolve("layer.swc"), "switch_layer { batch = 8 seq = 16 d_model = 8 d_ff = 16 experts = 4 }\n");
    assertUserError(cli("data", corpus().toString(), "--spec", layer.toString()), layer + " is a layer, not a model");
  }

  @Test
  void malformedPositionExits2() throws IOException {
    Outcome o = cli("data", corpus().toString(), "--preset", "tiny-switch-lm", "--set", "vocab=258", "--position", "7");
    assertUserError(o, "data position '7' is not of the form");
    assertFalse(o.err().contains("Exception"));
  }
}
