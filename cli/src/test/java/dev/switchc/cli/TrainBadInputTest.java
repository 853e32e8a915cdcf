package dev.switchc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad data and bad options for {@code switchc train}: each is one line on stderr, exit status 2,
 * found before anything is compiled, and nothing is written.
 */
class TrainBadInputTest {
  @TempDir Path dir;

  private TrainCommandTest.Outcome train(Path data, String... more) {
    String[] base = {"train", "--preset", "tiny-switch", "--data", data.toString(), "--steps", "3", "-o", dir.resolve("out").toString()};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return TrainCommandTest.cli(args);
  }

  private void refused(TrainCommandTest.Outcome o, String expected) {
    assertEquals(2, o.status(), o.out() + o.err());
    assertTrue(o.err().startsWith("error: ") && o.err().contains(expected), o.err());
    assertEquals(1, o.err().lines().count(), o.err());
    assertFalse(Files.exists(dir.resolve("out")), "nothing written");
  }

  @Test
  void missingData() {
    refused(train(dir.resolve("nope")), dir.resolve("nope") + ": no such file or directory");
  }

  @Test
  void emptyFile() throws Exception {
    refused(train(Files.writeString(dir.resolve("empty"), "")), "empty file: it holds no record");
  }

  @Test
  void binaryFile() throws Exception {
    refused(train(Files.write(dir.resolve("bin"), new byte[] {'a', 0, 'b', '\n'})), "bin");
    refused(train(Files.write(dir.resolve("latin1"), new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'})), "iconv");
  }

  @Test
  void textShorterThanOneBatch() throws Exception {
    refused(train(Files.writeString(dir.resolve("short"), "one short fortune\n%\nand another\n")), "text too short");
  }

  @Test
  void vocabTooSmallForBytes() {
    refused(train(TrainCommandTest.fortunes(), "--set", "vocab=100"), "--set vocab=100: smaller than the byte-level tokens' 258");
  }

  @Test
  void aLayerIsNotAModel() {
    // Surefire runs in the cli module's directory: the examples lie one up.
    Path layer = Files.exists(Path.of("examples")) ? Path.of("examples", "switch-layer.swc") : Path.of("..", "examples", "switch-layer.swc");
    refused(TrainCommandTest.cli("train", layer.toString(), "--data", TrainCommandTest.fortunes().toString(), "--steps", "3", "-o", dir.resolve("out").toString()),
        "is a layer, not a model");
  }

  @Test
  void resumeWithoutACheckpoint() {
    refused(train(TrainCommandTest.fortunes(), "--resume"), "--resume continues the newest checkpoint in --checkpoint DIR");
    refused(train(TrainCommandTest.fortunes(), "--resume", "--checkpoint", dir.resolve("ckpt").toString()), "holds no checkpoint yet");
  }

  @Test
  void checkpointDirectoryOfOtherFiles() throws Exception {
    Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
    Files.writeString(ckpt.resolve("notes.txt"), "mine");
    refused(train(TrainCommandTest.fortunes(), "--checkpoint", ckpt.toString()), "holds notes.txt, which is not a checkpoint");
    assertTrue(Files.exists(ckpt.resolve("notes.txt")));
  }

  @Test
  void checkpointsInTheOutputDirectory() {
    refused(train(TrainCommandTest.fortunes(), "--checkpoint", dir.resolve("out").toString()), "checkpoints need a directory of their own");
  }

  @Test
  void adamWOptionsWithAdafactor() {
    refused(train(TrainCommandTest.fortunes(), "--learning-rate", "0.1"), "give --optimizer adamw to use them");
  }

  /** The paper's Switch-Base on its 32 devices (128 sequences: the corpus holds a batch, every device a group): refused from the step's memory estimate before anything is allocated. */
  @Test
  void aModelTooLargeForThisMachineIsRefusedBeforeCompiling() {
    TrainCommandTest.Outcome o = TrainCommandTest.cli("train", "--preset", "switch-base-8", "--set", "batch=128", "--data", TrainCommandTest.fortunes().toString(), "--steps", "1",
        "-o", dir.resolve("out").toString());
    assertEquals(2, o.status(), o.out() + o.err());
    assertTrue(o.err().startsWith("error: this run needs about ") && o.err().contains(" of memory, more than the "), o.err());
    assertEquals(1, o.err().lines().count(), o.err());
    assertFalse(Files.exists(dir.resolve("out")), "nothing written");
  }

  @Test
  void meshThatDoesNotDivideTheBatchIsALocatedError() {
    TrainCommandTest.Outcome o = train(TrainCommandTest.fortunes(), "--mesh", "data=3");
    assertEquals(2, o.status(), o.out() + o.err());
    assertTrue(o.err().startsWith("--mesh data=3: error: default rule batch = data: cannot shard dim 'batch' (4) over mesh axes (data) of total size 3"), o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    assertFalse(Files.exists(dir.resolve("out")), "nothing written");
  }
}
