package dev.switchc.cli;

import dev.switchc.driver.UserInputError;
import dev.switchc.driver.data.Batch;
import dev.switchc.driver.data.BatchShape;
import dev.switchc.driver.data.ByteTokens;
import dev.switchc.driver.data.Corpus;
import dev.switchc.driver.data.CorpusSplit;
import dev.switchc.driver.data.DataPosition;
import dev.switchc.driver.data.FortuneReader;
import dev.switchc.driver.data.TextRecord;
import dev.switchc.driver.data.TokenBatches;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.ModelSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.frontend.spec.ProgramSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchc data CORPUS --preset NAME}: the training-data pipeline end to end, without a run:
 * the corpus read, its split, and the first training batch for the model's shapes, decoded.
 * (The corpus is the positional argument, so the model comes from {@code --preset} or {@code --spec}.)
 */
@Command(name = "data", mixinStandardHelpOptions = true,
    description = "Read a training corpus (fortune format) and show its statistics and the first batch for a model, decoded.")
final class DataCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CORPUS", description = "A fortune file, or a directory of them, e.g. /usr/share/games/fortunes/ru.")
  Path corpus;

  @Option(names = "--preset", paramLabel = "NAME", description = "The model whose batch shapes to pack for (a preset).")
  String preset;

  @Option(names = "--spec", paramLabel = "FILE", description = "The model whose batch shapes to pack for (a spec file with a model block).")
  Path spec;

  @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a spec field, e.g. --set vocab=258 --set seq=64.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the epochs' record order (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--position", paramLabel = "epoch=E,record=R,offset=O", description = "Start from this data position (as a checkpoint saves it).")
  String position;

  @Spec
  CommandSpec command;

  @Override
  public Integer call() {
    ModelSpec model = model();
    if (model.vocab() < ByteTokens.VOCAB)
      throw new UserInputError("the model's vocab " + model.vocab() + " is smaller than the byte-level tokens' " + ByteTokens.VOCAB
          + " (256 bytes and 2 specials): add --set vocab=" + ByteTokens.VOCAB);
    BatchShape shape = new BatchShape(Math.toIntExact(model.batch()), Math.toIntExact(model.seq()), model.encoderDecoder() ? Math.toIntExact(model.decSeq()) : 0);

    Corpus c = FortuneReader.read(corpus);
    CorpusSplit split = CorpusSplit.of(c.records());
    TokenBatches batches = TokenBatches.training(corpus.toString(), split, shape, seed);
    if (position != null) batches.seek(DataPosition.parse(position));
    Batch b = batches.next();

    PrintWriter out = command.commandLine().getOut();
    long trainTokens = tokens(split.train());
    out.printf("corpus %s: %d files, %d records, %d tokens (one per UTF-8 byte, one per record's end; vocabulary %d)%n",
        corpus, c.files().size(), c.records().size(), c.tokens(), ByteTokens.VOCAB);
    out.printf("split: %d training records (%d tokens), %d validation records (%d tokens): by SHA-256 of each record, %d%% to validation%n",
        split.train().size(), trainTokens, split.validation().size(), tokens(split.validation()), CorpusSplit.VALIDATION_PERCENT);
    out.printf("batch: %s (%s), %d tokens; %d batches per epoch%n", shape, model.architecture().toString().toLowerCase(java.util.Locale.ROOT),
        shape.batchTokens(), trainTokens / shape.batchTokens());
    out.printf("batch from %s (seed %d) to %s:%n", b.start(), seed, b.next());
    for (int row = 0; row < shape.batch(); row++) {
      out.println("  inputs  " + row + ": " + shown(b.inputRow(row)));
      if (shape.decSeq() > 0)
        out.println("  targets " + row + ": " + shown(Arrays.copyOfRange(b.targets(), row * shape.decSeq(), (row + 1) * shape.decSeq())));
    }
    return Main.OK;
  }

  private ModelSpec model() {
    if ((spec == null) == (preset == null))
      throw new UserInputError(spec == null ? "give the model to pack batches for: --preset NAME (" + String.join(", ", Presets.NAMES) + ") or --spec FILE"
          : "give --spec or --preset, not both");
    ProgramSource source = preset != null ? ProgramSource.ofPreset(preset, sets, Optional.empty(), List.of())
        : ProgramSource.ofFile(spec, sets, Optional.empty(), List.of());
    Program program = source.load();
    if (!(program.spec() instanceof ModelSpec m))
      throw new UserInputError((preset != null ? preset : spec.toString()) + " is a layer, not a model: training data needs a model block (e.g. --preset tiny-switch-lm)");
    return m;
  }

  private static long tokens(List<TextRecord> records) {
    return records.stream().mapToLong(TextRecord::tokenCount).sum();
  }

  /** A row on one line: specials shown, newlines and tabs escaped. */
  private static String shown(int[] ids) {
    return ByteTokens.render(ids).replace("\n", "\\n").replace("\t", "\\t");
  }
}
