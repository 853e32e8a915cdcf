package dev.switchc.driver.data;

import dev.switchc.driver.UserInputError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Packs records into static-shape batches, in a deterministic order from a seed.
 *
 * <p>The stream: each epoch visits every record once, in a permutation drawn from {@code (seed,
 * epoch)} (a Fisher-Yates shuffle driven by {@link java.util.Random}, whose generator the Java
 * specification fixes, so the order is the same on every JVM); a record contributes its byte tokens
 * and then {@link ByteTokens#END_OF_RECORD}. Rows are consecutive, non-overlapping cuts of that
 * stream ({@link BatchShape#rowTokens} tokens each), so nothing is padded and a record may continue
 * into the next row or batch; the last epoch's tail runs on into the next epoch.
 *
 * <p>Decoder-only: a row is {@code seq} tokens, the model's {@code inputs}; it predicts each from
 * those before it ({@link Batch}). Encoder-decoder (prefix to continuation): a row is {@code seq +
 * decSeq} tokens, the first {@code seq} the encoder's {@code inputs} and the next {@code decSeq}
 * the {@code targets} the decoder learns to continue with. (T5's span corruption would be another
 * packing of the same stream; it is not implemented.)
 *
 * <p>The {@link DataPosition} before each batch is all the state there is: {@link #seek} to a saved
 * one and the following batches are those the uninterrupted run read.
 */
public final class TokenBatches {
  private final List<byte[]> records;
  private final BatchShape shape;
  private final long seed;
  private final boolean shuffle;
  private int[] order;
  private long orderEpoch = -1;
  private long epoch;
  private int record;
  private int offset;

  private TokenBatches(List<TextRecord> records, BatchShape shape, long seed, boolean shuffle) {
    this.records = records.stream().map(r -> r.text().getBytes(StandardCharsets.UTF_8)).toList();
    this.shape = shape;
    this.seed = seed;
    this.shuffle = shuffle;
  }

  /**
   * Training batches of {@code split}'s training records, reshuffled every epoch from {@code seed}.
   *
   * @throws UserInputError naming {@code source} if the training records hold fewer tokens than one batch
   */
  public static TokenBatches training(String source, CorpusSplit split, BatchShape shape, long seed) {
    checkEnough(source, "training split", split.train(), split, shape);
    return new TokenBatches(split.train(), shape, seed, true);
  }

  /** Validation batches: {@code split}'s validation records in their fixed canonical order, every epoch alike. */
  public static TokenBatches validation(String source, CorpusSplit split, BatchShape shape) {
    checkEnough(source, "validation split", split.validation(), split, shape);
    return new TokenBatches(split.validation(), shape, 0, false);
  }

  private static void checkEnough(String source, String side, List<TextRecord> records, CorpusSplit split, BatchShape shape) {
    long tokens = records.stream().mapToLong(TextRecord::tokenCount).sum();
    if (tokens >= shape.batchTokens()) return;
    long all = tokens(split.train()) + tokens(split.validation());
    throw new UserInputError(source + ": text too short: its " + side + " has " + tokens + " tokens (" + records.size() + " records; "
        + all + " tokens in all, " + CorpusSplit.VALIDATION_PERCENT + "% of records go to validation), but one batch " + shape + " needs "
        + shape.batchTokens() + " (one token per UTF-8 byte, plus one per record); give more text, or a smaller batch or seq (--set batch=N, --set seq=N)");
  }

  private static long tokens(List<TextRecord> records) {
    return records.stream().mapToLong(TextRecord::tokenCount).sum();
  }

  public DataPosition position() {
    return new DataPosition(epoch, record, offset);
  }

  /**
   * Continues from {@code p}, a position this stream (same records, shape-independent) reported.
   *
   * @throws UserInputError if {@code p} lies outside these records (a checkpoint from other data)
   */
  public void seek(DataPosition p) {
    if (p.record() >= records.size())
      throw new UserInputError("data position " + p + " names record " + p.record() + ", but the data has " + records.size() + " records: was the checkpoint made with other data?");
    int length = records.get(order(p.epoch())[p.record()]).length;
    if (p.offset() > length)
      throw new UserInputError("data position " + p + " names token " + p.offset() + " of a record of " + (length + 1) + " tokens: was the checkpoint made with other data?");
    epoch = p.epoch();
    record = p.record();
    offset = p.offset();
  }

  /** The next batch; the stream never ends (epochs follow one another). */
  public Batch next() {
    DataPosition start = position();
    int[] inputs = new int[shape.batch() * shape.seq()];
    int[] targets = new int[shape.batch() * shape.decSeq()];
    for (int row = 0; row < shape.batch(); row++) {
      for (int i = 0; i < shape.seq(); i++) inputs[row * shape.seq() + i] = nextToken();
      for (int i = 0; i < shape.decSeq(); i++) targets[row * shape.decSeq() + i] = nextToken();
    }
    return new Batch(shape, inputs, targets, start, position());
  }

  private int nextToken() {
    byte[] bytes = records.get(order(epoch)[record]);
    int token = offset < bytes.length ? ByteTokens.ofByte(bytes[offset]) : ByteTokens.END_OF_RECORD;
    if (++offset > bytes.length) {
      offset = 0;
      if (++record == records.size()) {
        record = 0;
        epoch++;
      }
    }
    return token;
  }

  /** Epoch {@code e}'s record order (cached for the current epoch). */
  private int[] order(long e) {
    if (e == orderEpoch) return order;
    int[] o = new int[records.size()];
    for (int i = 0; i < o.length; i++) o[i] = i;
    if (shuffle) {
      Random random = new Random(seed * 0x9E3779B97F4A7C15L + e);
      for (int i = o.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = o[i];
        o[i] = o[j];
        o[j] = t;
      }
    }
    orderEpoch = e;
    order = o;
    return o;
  }
}
