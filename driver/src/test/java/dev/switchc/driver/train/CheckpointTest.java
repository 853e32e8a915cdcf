package dev.switchc.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.TrainStep;
import dev.switchc.driver.UserInputError;
import dev.switchc.driver.data.CorpusSplit;
import dev.switchc.driver.data.DataPosition;
import dev.switchc.driver.data.TextRecord;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.frontend.model.Presets;
import dev.switchc.frontend.spec.ProgramSource;
import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.runtime.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints on disk: one complete step directory at a time, read back exactly, a half-written one
 * never taken for a checkpoint, and a checkpoint of another run refused with what differs.
 */
class CheckpointTest {
  @TempDir Path dir;

  private static final Shape W = Shape.of(new Dim("d_model", 2), new Dim("d_ff", 3));
  private static final List<ParamSpec> SPECS = List.of(new ParamSpec("w", W, 2));
  private static final ProgramKind<?> KIND = Presets.load("tiny-switch").spec().kind();

  private static TrainStep.State state(int step, float base) {
    TensorType t = new TensorType(DType.F32, W), row = new TensorType(DType.F32, Shape.of(new Dim("d_model", 2)));
    return new TrainStep.State(Map.of("w", HostTensor.ofFloats(t, new float[] {base, 1, 2, 3, 4, 5})),
        Map.of("state/w/v_row", HostTensor.ofFloats(row, new float[] {base / 3, 7})), step);
  }

  private static TrainConfig config(long seed) {
    CorpusSplit split = CorpusSplit.of(List.of(new TextRecord("a#0", "one"), new TextRecord("a#1", "two")));
    return TrainConfig.of(ProgramSource.ofPreset("tiny-switch", List.of("vocab=258"), Optional.empty(), List.of()), "Adafactor[...]", seed, "/data", split, 50, 8);
  }

  private List<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aNewCheckpointReplacesTheOlderAndReadsBackExactly() throws Exception {
    new Checkpoint(state(3, 0.5f), new DataPosition(0, 4, 5), 1.5, List.of("{\"step\":1}")).save(dir, config(0), SPECS, KIND);
    Path six = new Checkpoint(state(6, 0.25f), new DataPosition(1, 2, 3), 3.0, List.of("{\"step\":1}", "{\"step\":2}")).save(dir, config(0), SPECS, KIND);
    assertEquals(List.of("step-000000006"), names());
    assertEquals(Optional.of(six), Checkpoint.latest(dir));
    Checkpoint c = Checkpoint.load(six, config(0), SPECS, KIND, state(0, 0));
    assertEquals(6, c.state().step());
    assertEquals(new DataPosition(1, 2, 3), c.data());
    assertEquals(3.0, c.wallSeconds());
    assertEquals(List.of("{\"step\":1}", "{\"step\":2}"), c.metrics());
    assertArrayEquals(state(6, 0.25f).params().get("w").floats(), c.state().params().get("w").floats());
    assertArrayEquals(new float[] {0.25f / 3, 7}, c.state().optimizer().get("state/w/v_row").floats());
  }

  @Test
  void aHalfWrittenCheckpointIsNeverTheLatest() throws Exception {
    Path done = new Checkpoint(state(3, 0.5f), DataPosition.START, 1, List.of()).save(dir, config(0), SPECS, KIND);
    // What a SIGKILL during the next write leaves: the temporary directory, under a hidden name.
    Files.createDirectories(dir.resolve(".step-000000006.999999.abc.tmp"));
    Files.writeString(dir.resolve(".step-000000006.999999.abc.tmp").resolve(Checkpoint.PARAMS), "trunc");
    assertEquals(Optional.of(done), Checkpoint.latest(dir));
    Checkpoint.checkDirectory(dir); // still a checkpoint directory
  }

  @Test
  void anotherRunsCheckpointIsRefusedWithTheDifference() throws Exception {
    Path three = new Checkpoint(state(3, 0.5f), DataPosition.START, 1, List.of()).save(dir, config(0), SPECS, KIND);
    UserInputError e = assertThrows(UserInputError.class, () -> Checkpoint.meta(three, config(4)));
    assertTrue(e.getMessage().contains("made by a different run") && e.getMessage().contains("--seed: the checkpoint's 0, this run's 4"), e.getMessage());
  }

  @Test
  void aDirectoryOfOtherFilesIsRefused() throws Exception {
    Files.writeString(dir.resolve("notes.txt"), "mine");
    UserInputError e = assertThrows(UserInputError.class, () -> Checkpoint.checkDirectory(dir));
    assertTrue(e.getMessage().contains("holds notes.txt, which is not a checkpoint"), e.getMessage());
  }
}
