package dev.switchc.driver.data;

/**
 * The static shapes a batch is packed into: {@code inputs [batch, seq]}, and for an encoder-decoder
 * {@code targets [batch, decSeq]} ({@code decSeq} is 0 for a decoder-only model).
 */
public record BatchShape(int batch, int seq, int decSeq) {
  public BatchShape {
    if (batch < 1 || seq < 1 || decSeq < 0) throw new IllegalArgumentException("batch shape " + batch + " x " + seq + " (+" + decSeq + ")");
  }

  public static BatchShape decoderOnly(int batch, int seq) {
    return new BatchShape(batch, seq, 0);
  }

  /** Consecutive stream tokens one row takes: the inputs, then (encoder-decoder) the targets. */
  public int rowTokens() {
    return seq + decSeq;
  }

  /** Stream tokens one batch takes. */
  public long batchTokens() {
    return (long) batch * rowTokens();
  }

  @Override
  public String toString() {
    return decSeq == 0 ? "[" + batch + ", " + seq + "]" : "inputs [" + batch + ", " + seq + "] and targets [" + batch + ", " + decSeq + "]";
  }
}
