package dev.switchc.driver.train;

import dev.switchc.driver.ParamFiles;
import dev.switchc.driver.TrainStep;
import dev.switchc.driver.UserInputError;
import dev.switchc.driver.data.DataPosition;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.driver.io.FloatArray;
import dev.switchc.driver.io.Json;
import dev.switchc.driver.io.Safetensors;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.runtime.HostTensor;
import dev.switchc.driver.io.IoConsumer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A training checkpoint: the parameters and optimizer state after {@code state.step()} steps, the
 * data position to read the next batch from, the training seconds so far, and the metrics lines so
 * far, with the run's {@link TrainConfig}.
 *
 * <p>On disk, {@code --checkpoint DIR} holds one directory per checkpoint, {@code step-NNNNNNNNN},
 * with {@value #PARAMS} (exactly the tensors and names {@code switchc run --params} takes), {@value
 * #OPTIMIZER} (the optimizer's state tensors by the training step's input names), {@value #META}
 * and {@value #METRICS}.
 *
 * <p>Why a new directory per checkpoint instead of replacing one: a checkpoint is filled in a
 * temporary directory and appears under its final name in one rename, and the previous one is
 * removed only after that. So at every instant the newest {@code step-*} directory is complete,
 * whatever kills the process (even SIGKILL); replacing a directory in place needs two renames, and
 * between them the only complete copy would sit under a temporary name that exit clean-up deletes.
 * A half-removed older checkpoint is first renamed to a hidden name, so it is never taken for one.
 */
public record Checkpoint(TrainStep.State state, DataPosition data, double wallSeconds, List<String> metrics) {
  public static final String PARAMS = "params.safetensors", OPTIMIZER = "optimizer.safetensors", META = "checkpoint.json", METRICS = "metrics.jsonl";
  public static final String FORMAT = "switchc-checkpoint";
  public static final int VERSION = 1;
  private static final Set<String> FILES = Set.of(PARAMS, OPTIMIZER, META, METRICS);
  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{9})");
  private static final Pattern OURS = Pattern.compile("step-\\d{9}|\\.step-\\d{9}\\..*");

  public Checkpoint {
    metrics = List.copyOf(metrics);
  }

  /** The directory name of the checkpoint after {@code step} steps: they sort by step. */
  public static String name(int step) {
    return String.format(java.util.Locale.ROOT, "step-%09d", step);
  }

  /**
   * Refuses a checkpoint directory that holds anything but checkpoints: it is written into and
   * old checkpoints are deleted from it, so it must not be a directory of other files.
   */
  public static void checkDirectory(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    if (!Files.isDirectory(dir)) throw new UserInputError("--checkpoint " + dir + ": not a directory; give a directory for the checkpoints");
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList())
        if (!OURS.matcher(p.getFileName().toString()).matches())
          throw new UserInputError("--checkpoint " + dir + ": holds " + p.getFileName() + ", which is not a checkpoint (step-NNNNNNNNN);"
              + " old checkpoints are deleted from this directory, so give a new or empty one");
    }
  }

  /** The newest complete checkpoint in {@code dir}, if any. */
  public static Optional<Path> latest(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return Optional.empty();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> STEP_DIR.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .max(Path::compareTo);
    }
  }

  /**
   * Writes this checkpoint as {@code dir/step-N} in one rename, then removes the older ones.
   *
   * @return the new checkpoint's directory
   */
  public Path save(Path dir, TrainConfig config, List<ParamSpec> specs, ProgramKind<?> kind) throws IOException {
    Path target = dir.resolve(name(state.step()));
    if (Files.exists(target))
      throw new IllegalStateException(target + " exists: a checkpoint is written once (replacing it would leave it under a temporary name for a moment)");
    Map<String, float[]> params = new LinkedHashMap<>();
    state.params().forEach((n, t) -> params.put(n, t.floats()));
    Map<String, FloatArray> optimizer = new LinkedHashMap<>();
    state.optimizer().keySet().stream().sorted().forEach(n -> optimizer.put(n, new FloatArray(ParamFiles.sizes(state.optimizer().get(n).shape()), state.optimizer().get(n).floats())));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("version", VERSION);
    meta.put("step", state.step());
    meta.put("data_position", data.toString());
    meta.put("seed", config.seed());
    meta.put("wall_s", wallSeconds);
    meta.put("run", config.toJson());
    AtomicFile.writeDirectory(target, FILES, d -> {
      synced(d.resolve(PARAMS), ParamFiles.writer(specs, params, kind));
      synced(d.resolve(OPTIMIZER), Safetensors.writer(optimizer, Map.of("format", "switchc-optimizer-state")));
      synced(d.resolve(METRICS), out -> out.write(metricsText().getBytes(StandardCharsets.UTF_8)));
      synced(d.resolve(META), out -> out.write(Json.write(meta).getBytes(StandardCharsets.UTF_8)));
    });
    removeOlder(dir, target);
    return target;
  }

  /** Writes {@code file} and syncs it before the directory's rename, so a crash right after cannot leave it empty under the final name. */
  private static void synced(Path file, IoConsumer<OutputStream> body) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      body.accept(out);
      out.flush();
      ch.force(true);
    }
  }

  private String metricsText() {
    StringBuilder b = new StringBuilder();
    for (String l : metrics) b.append(l).append('\n');
    return b.toString();
  }

  /** Every checkpoint older than {@code kept}, and the leftovers of earlier removals. */
  private static void removeOlder(Path dir, Path kept) throws IOException {
    List<Path> old = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> OURS.matcher(p.getFileName().toString()).matches() && p.getFileName().toString().compareTo(kept.getFileName().toString()) < 0
          && p.getFileName().toString().startsWith("step-")).forEach(old::add);
    }
    for (Path p : old) {
      Path hidden = p.resolveSibling("." + p.getFileName() + ".old");
      Files.move(p, hidden, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      deleteTree(hidden);
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().matches("\\.step-\\d{9}\\.old")).toList()) deleteTree(p);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }

  /** What {@value #META} says: the step, the data position and the training seconds. */
  public record Meta(int step, DataPosition data, double wallSeconds) {}

  /**
   * Reads {@code stepDir}'s {@value #META} and checks that it was made by a run equal to {@code
   * config}: cheap, so a wrong resume is refused before anything is compiled.
   *
   * @throws UserInputError naming the file and the problem, or every way the checkpoint's run differs from this one
   */
  public static Meta meta(Path stepDir, TrainConfig config) throws IOException {
    Path metaFile = stepDir.resolve(META);
    Map<?, ?> meta;
    try {
      meta = Json.parse(Files.readString(metaFile, StandardCharsets.UTF_8)) instanceof Map<?, ?> m ? m : Map.of();
    } catch (Json.JsonException | java.nio.charset.MalformedInputException e) {
      throw new UserInputError(metaFile + ": not a checkpoint description (" + e.getMessage() + ")");
    }
    if (!FORMAT.equals(meta.get("format")) || !Long.valueOf(VERSION).equals(meta.get("version")))
      throw new UserInputError(metaFile + ": not a " + FORMAT + " version " + VERSION + " file");
    if (!(meta.get("run") instanceof Map<?, ?> run)) throw new UserInputError(metaFile + ": no 'run' object");
    @SuppressWarnings("unchecked")
    List<String> diffs = config.differences((Map<String, Object>) run);
    if (!diffs.isEmpty())
      throw new UserInputError(stepDir + ": made by a different run, so --resume would not continue it: " + String.join("; ", diffs)
          + ". Resume with the options it was made with, or give a new --checkpoint directory");
    if (!(meta.get("step") instanceof Long step) || step < 0 || step > Integer.MAX_VALUE || !(meta.get("data_position") instanceof String position)
        || !(meta.get("wall_s") instanceof Number wall))
      throw new UserInputError(metaFile + ": needs 'step' (a count), 'data_position' and 'wall_s'");
    if (!stepDir.getFileName().toString().equals(name(step.intValue())))
      throw new UserInputError(metaFile + ": says step " + step + " but its directory is " + stepDir.getFileName());
    return new Meta(step.intValue(), DataPosition.parse(position), wall.doubleValue());
  }

  /**
   * Reads the checkpoint in {@code stepDir} ({@link #meta} first); {@code template} (the initial
   * state of this run's training step) gives every tensor's name and type.
   */
  public static Checkpoint load(Path stepDir, TrainConfig config, List<ParamSpec> specs, ProgramKind<?> kind, TrainStep.State template) throws IOException {
    Meta meta = meta(stepDir, config);
    Map<String, HostTensor> params = new LinkedHashMap<>();
    ParamFiles.load(stepDir.resolve(PARAMS), specs, kind).forEach((n, v) -> params.put(n, HostTensor.ofFloats(template.params().get(n).type(), v)));
    Path optFile = stepDir.resolve(OPTIMIZER);
    Map<String, FloatArray> opt = Safetensors.read(optFile, shapes -> {
      List<String> problems = new ArrayList<>();
      template.optimizer().forEach((n, t) -> {
        long[] s = shapes.get(n);
        if (s == null || !Arrays.equals(s, ParamFiles.sizes(t.shape())))
          problems.add("tensor '" + n + "' " + (s == null ? "missing" : "has shape " + Arrays.toString(s)) + "; this run's optimizer needs " + t.shape());
      });
      for (String n : shapes.keySet()) if (!template.optimizer().containsKey(n)) problems.add("unexpected tensor '" + n + "'");
      if (!problems.isEmpty()) throw new UserInputError(optFile + ": " + String.join("; ", problems));
    }).tensors();
    Map<String, HostTensor> optimizer = new LinkedHashMap<>();
    template.optimizer().forEach((n, t) -> optimizer.put(n, HostTensor.ofFloats(t.type(), opt.get(n).data())));
    List<String> lines = Files.readAllLines(stepDir.resolve(METRICS), StandardCharsets.UTF_8);
    return new Checkpoint(new TrainStep.State(params, optimizer, meta.step()), meta.data(), meta.wallSeconds(), lines);
  }
}
