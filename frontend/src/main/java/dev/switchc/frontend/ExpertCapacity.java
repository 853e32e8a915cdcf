package dev.switchc.frontend;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Tokens each expert can take per group: {@code C = max(min(S, floor(S * cf / E)), min_capacity)}
 * (paper equation 3 with Mesh TensorFlow's bounds). Computed in exact decimal arithmetic so that,
 * for example, S = 10, cf = 1.1, E = 11 gives exactly 1, never 0 by a rounding accident.
 */
public final class ExpertCapacity {
  private ExpertCapacity() {}

  public static long of(long groupSize, long experts, BigDecimal capacityFactor, long minCapacity) {
    if (groupSize < 1 || experts < 1 || capacityFactor.signum() <= 0)
      throw new IllegalArgumentException("group size, experts and capacity factor must be positive");
    BigDecimal byFactor = BigDecimal.valueOf(groupSize).multiply(capacityFactor).divide(BigDecimal.valueOf(experts), 0, RoundingMode.FLOOR);
    // Compared before narrowing: a huge factor (1e30) caps at the group size instead of overflowing.
    long bounded = byFactor.compareTo(BigDecimal.valueOf(groupSize)) >= 0 ? groupSize : byFactor.longValueExact();
    return Math.max(bounded, minCapacity);
  }
}
