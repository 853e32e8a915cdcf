package dev.switchc.driver.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.UserInputError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenBatchesTest {
  private static final BatchShape SHAPE = BatchShape.decoderOnly(4, 16);

  private static CorpusSplit split(int n) {
    return CorpusSplit.of(IntStream.range(0, n).mapToObj(i -> new TextRecord("f#" + i, "record " + i + " жёлтый")).toList());
  }

  /** The tokens of {@code batches} decoder-only batches, concatenated. */
  private static List<Integer> stream(TokenBatches b, int batches) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < batches; i++) for (int t : b.next().inputs()) out.add(t);
    return out;
  }

  @Test
  void batchHasTheStaticShapeAndTheDecoderReadsInputsShiftedByOne() {
    Batch b = TokenBatches.training("corpus", split(50), SHAPE, 1).next();
    assertEquals(4 * 16, b.inputs().length);
    assertEquals(0, b.targets().length, "decoder-only: the model's one input");
    int[] dec = b.decoderInputs();
    for (int row = 0; row < 4; row++) {
      assertEquals(ByteTokens.PAD, dec[row * 16], "shift_right puts 0 first");
      for (int j = 0; j + 1 < 16; j++) assertEquals(b.inputs()[row * 16 + j], dec[row * 16 + j + 1], "target j is what the decoder reads at j + 1");
    }
  }

  @Test
  void epochIsEveryTrainingRecordOnceEachEndedByEndOfRecord() {
    CorpusSplit s = split(40);
    long epochTokens = s.train().stream().mapToLong(TextRecord::tokenCount).sum();
    TokenBatches b = TokenBatches.training("corpus", s, SHAPE, 7);
    List<Integer> tokens = stream(b, (int) (epochTokens / 64) + 1).subList(0, (int) epochTokens);
    // Cut the stream at end-of-record tokens: the pieces are the training records, each once.
    Map<String, Integer> seen = new HashMap<>();
    int start = 0;
    for (int i = 0; i < tokens.size(); i++)
      if (tokens.get(i) == ByteTokens.END_OF_RECORD) {
        seen.merge(ByteTokens.decode(tokens.subList(start, i).stream().mapToInt(Integer::intValue).toArray()), 1, Integer::sum);
        start = i + 1;
      }
    assertEquals(start, tokens.size(), "the epoch ends with a record's end");
    Map<String, Integer> expected = new HashMap<>();
    s.train().forEach(r -> expected.merge(r.text(), 1, Integer::sum));
    assertEquals(expected, seen);
  }

  @Test
  void sameSeedSameBatchesOtherSeedOrEpochOtherOrder() {
    CorpusSplit s = split(60);
    assertEquals(stream(TokenBatches.training("c", s, SHAPE, 3), 30), stream(TokenBatches.training("c", s, SHAPE, 3), 30));
    assertFalse(stream(TokenBatches.training("c", s, SHAPE, 3), 5).equals(stream(TokenBatches.training("c", s, SHAPE, 4), 5)));
    TokenBatches b = TokenBatches.training("c", s, SHAPE, 3);
    List<Integer> first = stream(b, 1);
    b.seek(new DataPosition(1, 0, 0));
    assertFalse(first.equals(stream(b, 1)), "epoch 1 is reshuffled");
  }

  @Test
  void savedPositionRestoredContinuesIdentically() {
    CorpusSplit s = split(30);
    TokenBatches uninterrupted = TokenBatches.training("c", s, SHAPE, 11);
    stream(uninterrupted, 17); // past an epoch boundary: 30 records of ~22 tokens are ~10 batches
    String saved = uninterrupted.position().toString();
    List<Integer> expected = stream(uninterrupted, 25);

    TokenBatches resumed = TokenBatches.training("c", s, SHAPE, 11);
    resumed.seek(DataPosition.parse(saved));
    assertEquals(expected, stream(resumed, 25));
    assertTrue(DataPosition.parse(saved).epoch() >= 1, saved);
  }

  @Test
  void batchRecordsItsStartAndNextPositions() {
    TokenBatches b = TokenBatches.training("c", split(30), SHAPE, 2);
    Batch first = b.next();
    assertEquals(DataPosition.START, first.start());
    Batch second = b.next();
    assertEquals(first.next(), second.start());
  }

  @Test
  void encoderDecoderRowIsAPrefixAndItsContinuation() {
    CorpusSplit s = split(30);
    BatchShape encDec = new BatchShape(2, 8, 4);
    Batch b = TokenBatches.training("c", s, encDec, 5).next();
    List<Integer> plain = stream(TokenBatches.training("c", s, BatchShape.decoderOnly(1, 24), 5), 1);
    List<Integer> rows = new ArrayList<>();
    for (int row = 0; row < 2; row++) {
      for (int j = 0; j < 8; j++) rows.add(b.inputs()[row * 8 + j]);
      for (int j = 0; j < 4; j++) rows.add(b.targets()[row * 4 + j]);
    }
    assertEquals(plain, rows, "each row is 8 consecutive stream tokens then the next 4");
  }

  @Test
  void validationBatchesAreTheCanonicalOrderEveryTime() {
    CorpusSplit s = split(400);
    TokenBatches v = TokenBatches.validation("c", s, BatchShape.decoderOnly(1, 8));
    int[] expected = ByteTokens.encode(s.validation().get(0).text());
    assertArrayEquals(Arrays.copyOf(expected, 8), v.next().inputs());
  }

  @Test
  void textShorterThanOneBatchIsAnError() {
    CorpusSplit s = CorpusSplit.of(List.of(new TextRecord("tiny#0", "Too short.")));
    UserInputError e = assertThrows(UserInputError.class, () -> TokenBatches.training("tiny.txt", s, SHAPE, 0));
    assertEquals("tiny.txt: text too short: its training split has 11 tokens (1 records; 11 tokens in all, 5% of records go to validation),"
        + " but one batch [4, 16] needs 64 (one token per UTF-8 byte, plus one per record); give more text, or a smaller batch or seq"
        + " (--set batch=N, --set seq=N)", e.getMessage());
  }

  @Test
  void positionFromOtherDataIsAnError() {
    TokenBatches b = TokenBatches.training("c", split(30), SHAPE, 0);
    UserInputError e = assertThrows(UserInputError.class, () -> b.seek(new DataPosition(0, 1000, 0)));
    assertTrue(e.getMessage().contains("other data"), e.getMessage());
    assertThrows(UserInputError.class, () -> DataPosition.parse("record=1"));
  }
}
