package dev.switchc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.train.Checkpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on a training run in a child JVM: it stops after the step in progress with exit status
 * 130, leaves a complete checkpoint of that step and its outputs and no temporary file, and the
 * checkpoint resumes to exactly the parameters of an uninterrupted run.
 */
class TrainInterruptTest {
  @TempDir Path dir;

  @Test
  void ctrlCLeavesACheckpointThatResumesBitIdentically() throws Exception {
    Path out = dir.resolve("out"), ckpt = dir.resolve("ckpt");
    String[] opts = {"--eval-every", "5", "--eval-batches", "1", "--checkpoint-every", "1000"};
    List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(TrainCommandTest.train(out, ckpt, 100_000, opts)));
    // Through perl (as TempFilesKillTest explains): a build in the background of a non-interactive shell inherits SIGINT ignored.
    Process child = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr").toFile()).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && !line.startsWith("step ")) lines.add(line);
      assertTrue(line != null, "the child trains: " + lines + " " + Files.readString(dir.resolve("stderr")));
      assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor());
      while ((line = r.readLine()) != null) lines.add(line);
      assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child ended");
    } finally {
      child.destroyForcibly();
    }
    assertEquals(130, child.exitValue(), String.join("\n", lines));
    Matcher m = Pattern.compile("stopped by a signal after step (\\d+);.*").matcher(lines.stream().filter(l -> l.startsWith("stopped")).findFirst().orElse(""));
    assertTrue(m.matches(), String.join("\n", lines));
    int stopped = Integer.parseInt(m.group(1));
    assertTrue(stopped >= 5, "stopped after the first progress line: " + stopped);

    assertEquals(List.of(Checkpoint.name(stopped)), names(ckpt), "one complete checkpoint, of the step the run stopped after, and no temporary");
    assertEquals(List.of("loss.png", "loss.svg", "metrics.jsonl", "params.safetensors"), names(out));

    int steps = stopped + 3;
    List<String> resume = new ArrayList<>(List.of(TrainCommandTest.train(out, ckpt, steps, opts)));
    resume.add("--resume");
    TrainCommandTest.Outcome resumed = TrainCommandTest.cli(resume.toArray(String[]::new));
    assertEquals(0, resumed.status(), resumed.err());
    Path whole = dir.resolve("whole"), wholeCkpt = dir.resolve("whole-ckpt");
    TrainCommandTest.Outcome uninterrupted = TrainCommandTest.cli(TrainCommandTest.train(whole, wholeCkpt, steps, opts));
    assertEquals(0, uninterrupted.status(), uninterrupted.err());
    for (String f : List.of(Checkpoint.PARAMS, Checkpoint.OPTIMIZER))
      assertArrayEquals(Files.readAllBytes(wholeCkpt.resolve(Checkpoint.name(steps)).resolve(f)), Files.readAllBytes(ckpt.resolve(Checkpoint.name(steps)).resolve(f)), f);
    assertEquals(TrainCommandTest.withoutTime(whole.resolve("metrics.jsonl")), TrainCommandTest.withoutTime(out.resolve("metrics.jsonl")));
  }

  private static List<String> names(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
