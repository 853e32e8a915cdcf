package dev.switchc.driver.data;

/**
 * One packed batch, row-major: {@code inputs [batch, seq]} and, for an encoder-decoder, {@code
 * targets [batch, decSeq]} (empty for a decoder-only model), read from the stream between {@code
 * start} and {@code next}.
 *
 * <p>A decoder-only model takes only {@code inputs}: it reads {@code shift_right(inputs)} (0 first,
 * see {@link #decoderInputs}) and predicts {@code inputs}, so the next-token targets are the inputs
 * themselves and every stream token is predicted once, from the tokens before it in its row.
 */
public record Batch(BatchShape shape, int[] inputs, int[] targets, DataPosition start, DataPosition next) {
  /** What a decoder-only model's decoder reads: each row of {@code inputs} shifted right by one, 0 first. */
  public int[] decoderInputs() {
    int[] shifted = new int[inputs.length];
    for (int row = 0; row < shape.batch(); row++)
      System.arraycopy(inputs, row * shape.seq(), shifted, row * shape.seq() + 1, shape.seq() - 1);
    return shifted;
  }

  /** Row {@code row} of {@code inputs}. */
  public int[] inputRow(int row) {
    return java.util.Arrays.copyOfRange(inputs, row * shape.seq(), (row + 1) * shape.seq());
  }
}
