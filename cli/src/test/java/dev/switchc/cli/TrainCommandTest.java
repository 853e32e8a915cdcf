package dev.switchc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.io.Json;
import dev.switchc.driver.train.Checkpoint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code switchc train} on Debian's English fortunes (installed by the driver module's build, see
 * .ci/install-fortunes) with tiny-switch: the losses fall, the outputs are what they claim to be,
 * and a resumed run is bit-identical to an uninterrupted one.
 */
class TrainCommandTest {
  static final Path FORTUNES = Path.of("/usr/share/games/fortunes");

  @TempDir Path dir;

  record Outcome(int status, String out, String err) {}

  static Outcome cli(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString());
  }

  static Path fortunes() {
    assertTrue(Files.isDirectory(FORTUNES), FORTUNES + " is missing: the build installs it with .ci/install-fortunes (apt-get); run that as root");
    return FORTUNES;
  }

  /** The train command for tiny-switch on the fortunes, writing to {@code out} (and checkpoints to {@code ckpt} if not null), plus {@code more}. */
  static String[] train(Path out, Path ckpt, int steps, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "--preset", "tiny-switch", "--data", fortunes().toString(), "--steps", Integer.toString(steps), "-o", out.toString()));
    if (ckpt != null) a.addAll(List.of("--checkpoint", ckpt.toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static List<Map<?, ?>> metrics(Path file) throws IOException {
    List<Map<?, ?>> lines = new ArrayList<>();
    for (String l : Files.readAllLines(file)) lines.add((Map<?, ?>) Json.parse(l));
    return lines;
  }

  static List<Double> losses(List<Map<?, ?>> lines, String kind) {
    return lines.stream().filter(m -> kind.equals(m.get("kind"))).map(m -> ((Number) m.get("loss")).doubleValue()).toList();
  }

  /** The metrics lines without their clock fields. */
  static List<String> withoutTime(Path file) throws IOException {
    return Files.readAllLines(file).stream().map(l -> l.replaceAll("\"(wall_s|tokens_per_s)\":[^,}]*,?", "")).toList();
  }

  @Test
  void sixtyStepsLowerTheTrainingAndTheValidationLossAndDrawThem() throws Exception {
    Path out = dir.resolve("out");
    Outcome o = cli(train(out, null, 60, "--eval-every", "20", "--eval-batches", "4"));
    assertEquals(0, o.status(), o.err());
    assertEquals("", o.err(), "nothing on stderr on success");
    assertTrue(o.out().contains("(vocab 64 raised to 258 for byte tokens)"), o.out());
    assertTrue(o.out().lines().anyMatch(l -> l.startsWith("step 60/60  ") && l.contains(" tok/s  loss ") && l.contains("  val ") && l.contains("ETA")), o.out());

    List<Map<?, ?>> lines = metrics(out.resolve("metrics.jsonl"));
    assertEquals(60 + 4, lines.size(), "60 steps and validations at 0, 20, 40, 60");
    List<Double> train = losses(lines, "train"), val = losses(lines, "validation");
    assertEquals(60, train.size());
    assertEquals(List.of(0L, 20L, 40L, 60L), lines.stream().filter(m -> "validation".equals(m.get("kind"))).map(m -> m.get("step")).toList());
    for (Map<?, ?> m : lines)
      for (String key : List.of("kind", "step", "tokens", "wall_s", "loss", "cross_entropy", "aux_loss", "z_loss")) assertTrue(m.containsKey(key), key + " in " + m);
    assertEquals(96L * 60, lines.get(lines.size() - 1).get("tokens"));
    double first = train.subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = train.subList(50, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertTrue(last < first - 1, "training loss falls: first ten steps " + first + ", last ten " + last);
    for (int i = 1; i < val.size(); i++) assertTrue(val.get(i) < val.get(i - 1), "validation loss falls at every validation: " + val);

    Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("loss.svg").toFile());
    NodeList polylines = svg.getElementsByTagName("polyline");
    assertEquals(2, polylines.getLength());
    assertEquals("train", ((Element) polylines.item(0)).getAttribute("class"));
    assertEquals(60, ((Element) polylines.item(0)).getAttribute("points").split(" ").length);
    assertEquals("validation", ((Element) polylines.item(1)).getAttribute("class"));
    assertEquals(4, ((Element) polylines.item(1)).getAttribute("points").split(" ").length);
    BufferedImage png = ImageIO.read(out.resolve("loss.png").toFile());
    assertEquals(720, png.getWidth());
    assertEquals(405, png.getHeight());
    assertTrue(Files.size(out.resolve("params.safetensors")) > 0);
  }

  /**
   * The preset's mesh (data=2,expert=2: XLA's partitioner on 4 XLA CPU devices, the state resident
   * there), its emulation and one device train alike: the same losses at every step, to f32
   * reduction-order noise (the sharded step's sums run in another order).
   */
  @Test
  void shardedTrainingFollowsTheOneDeviceRun() throws Exception {
    String[] opts = {"--eval-every", "5", "--eval-batches", "2"};
    Outcome mesh = cli(train(dir.resolve("mesh"), null, 5, opts));
    assertEquals(0, mesh.status(), mesh.err());
    assertTrue(mesh.out().contains("mesh data=2,expert=2: the step sharded over 4 XLA CPU devices by XLA's SPMD partitioner"), mesh.out());
    List<String> oneArgs = new ArrayList<>(List.of(train(dir.resolve("one"), null, 5, opts)));
    oneArgs.addAll(List.of("--mesh", "data=1"));
    Outcome one = cli(oneArgs.toArray(String[]::new));
    assertEquals(0, one.status(), one.err());
    assertTrue(one.out().contains("; one XLA CPU device"), one.out());
    List<String> emuArgs = new ArrayList<>(List.of(train(dir.resolve("emu"), null, 5, opts)));
    emuArgs.add("--emulate");
    Outcome emu = cli(emuArgs.toArray(String[]::new));
    assertEquals(0, emu.status(), emu.err());
    List<Double> want = losses(metrics(dir.resolve("one").resolve("metrics.jsonl")), "train");
    for (String run : List.of("mesh", "emu")) {
      List<Double> got = losses(metrics(dir.resolve(run).resolve("metrics.jsonl")), "train");
      assertEquals(want.size(), got.size());
      for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), 1e-4 * want.get(i), run + " step " + (i + 1) + ": " + got + " vs " + want);
    }
  }

  @Test
  void resumedRunIsBitIdenticalToAnUninterruptedOne() throws Exception {
    String[] opts = {"--eval-every", "4", "--eval-batches", "2", "--checkpoint-every", "3", "--seed", "7"};
    Path a = dir.resolve("a"), b = dir.resolve("b"), ca = dir.resolve("ca"), cb = dir.resolve("cb");
    Outcome whole = cli(train(a, ca, 12, opts));
    assertEquals(0, whole.status(), whole.err());
    Outcome half = cli(train(b, cb, 6, opts));
    assertEquals(0, half.status(), half.err());
    List<String> resumeArgs = new ArrayList<>(List.of(train(b, cb, 12, opts)));
    resumeArgs.add("--resume");
    Outcome rest = cli(resumeArgs.toArray(String[]::new));
    assertEquals(0, rest.status(), rest.err());
    assertTrue(rest.out().contains("resuming from " + cb.resolve("step-000000006") + " (step 6, data epoch=0,record="), rest.out());

    assertEquals(List.of("step-000000012"), names(ca));
    assertEquals(List.of("step-000000012"), names(cb));
    for (String f : List.of(Checkpoint.PARAMS, Checkpoint.OPTIMIZER))
      assertArrayEquals(Files.readAllBytes(ca.resolve("step-000000012").resolve(f)), Files.readAllBytes(cb.resolve("step-000000012").resolve(f)), f);
    assertArrayEquals(Files.readAllBytes(a.resolve("params.safetensors")), Files.readAllBytes(b.resolve("params.safetensors")));
    assertEquals(withoutTime(a.resolve("metrics.jsonl")), withoutTime(b.resolve("metrics.jsonl")));
    assertEquals(12 + 4, withoutTime(b.resolve("metrics.jsonl")).size());
    assertEquals(Files.readString(a.resolve("loss.svg")), Files.readString(b.resolve("loss.svg")));
    Map<?, ?> meta = (Map<?, ?>) Json.parse(Files.readString(cb.resolve("step-000000012").resolve(Checkpoint.META)));
    assertEquals(12L, meta.get("step"));
    assertEquals(7L, meta.get("seed"));
    assertTrue(((String) meta.get("data_position")).startsWith("epoch=0,record="), meta.toString());

    // The checkpoint's parameters are what `run --params` takes.
    Outcome run = cli("run", "--preset", "tiny-switch", "--set", "vocab=258", "--params", cb.resolve("step-000000012").resolve(Checkpoint.PARAMS).toString(),
        "--output", dir.resolve("logits.npy").toString(), "--stats", dir.resolve("stats.json").toString());
    assertEquals(0, run.status(), run.err());
  }

  @Test
  void resumeOfADifferentRunIsRefusedWithTheDifferences() {
    Path out = dir.resolve("o"), ckpt = dir.resolve("c");
    assertEquals(0, cli(train(out, ckpt, 2, "--eval-batches", "1")).status());
    Outcome o = cli(train(out, ckpt, 4, "--eval-batches", "1", "--seed", "3", "--optimizer", "adamw", "--resume"));
    assertEquals(2, o.status(), o.out());
    assertTrue(o.err().startsWith("error: " + ckpt.resolve("step-000000002") + ": made by a different run"), o.err());
    assertTrue(o.err().contains("--seed: the checkpoint's 0, this run's 3") && o.err().contains("--optimizer (and its settings): the checkpoint's Adafactor["), o.err());
    assertEquals(1, o.err().lines().count(), o.err());

    Outcome fresh = cli(train(out, ckpt, 4, "--eval-batches", "1"));
    assertEquals(2, fresh.status());
    assertTrue(fresh.err().contains("holds the checkpoint step-000000002 of an earlier run; give --resume"), fresh.err());
  }

  private static List<String> names(Path d) throws IOException {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
