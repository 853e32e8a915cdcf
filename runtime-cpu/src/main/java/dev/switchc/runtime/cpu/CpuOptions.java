package dev.switchc.runtime.cpu;

/**
 * Session settings for a {@link CpuProgram}. A thread count of 0 leaves TensorFlow's default
 * (which already uses every core for XLA's intra-op work).
 */
public record CpuOptions(int intraOpThreads, int interOpThreads) {
  public static final CpuOptions DEFAULTS = new CpuOptions(0, 0);

  public CpuOptions {
    if (intraOpThreads < 0) throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    if (interOpThreads < 0) throw new IllegalArgumentException("interOpThreads must be >= 0, got " + interOpThreads);
  }

  public static CpuOptions intraOpThreads(int n) {
    return new CpuOptions(n, 0);
  }
}
