package dev.switchc.frontend.model;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * T5's relative position buckets (README "Model semantics"), reduced to integers at compile time.
 * For a distance {@code n >= m} the bucket is {@code m + floor(log(n / m) / log(maxDistance / m) * (nb - m))},
 * capped at {@code nb - 1}; that floor is at least {@code j} iff {@code maxDistance^j * m^(nb-m) <= n^(nb-m) * m^j},
 * which is exact in integers. So the bucket of {@code n} is {@code min(n, m)} plus the number of
 * thresholds {@code T_1 < T_2 < ...} (the smallest {@code n} reaching {@code j = 1 .. nb-m-1}) it reaches.
 *
 * @param buckets {@code nb}: the buckets of one direction (half the table when bidirectional)
 * @param exact {@code m = nb / 2}: distances below it have a bucket each
 * @param thresholds {@code T_j}, ascending
 */
public record RelativePosition(int buckets, int exact, List<Integer> thresholds) {
  public RelativePosition {
    thresholds = List.copyOf(thresholds);
  }

  /** Requires {@code maxDistance > m} (validated with the model), so that every threshold exists. */
  public static RelativePosition of(int numBuckets, int maxDistance, boolean bidirectional) {
    int nb = bidirectional ? numBuckets / 2 : numBuckets;
    int m = nb / 2;
    List<Integer> t = new ArrayList<>();
    for (int j = 1; j <= nb - m - 1; j++) { // reaches() is monotone in n and holds at n = maxDistance
      int lo = m, hi = maxDistance;
      while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (reaches(mid, j, nb, m, maxDistance)) hi = mid;
        else lo = mid + 1;
      }
      t.add(lo);
    }
    return new RelativePosition(nb, m, t);
  }

  /** The bucket of distance {@code n >= 0} in one direction, without the bidirectional offset. */
  public int bucket(int n) {
    int bucket = Math.min(n, exact);
    for (int t : thresholds) if (n >= t) bucket++;
    return bucket;
  }

  /** Whether {@code floor(log(n/m) / log(maxDistance/m) * (nb - m)) >= j}, in integers. */
  private static boolean reaches(int n, int j, int nb, int m, int maxDistance) {
    BigInteger lhs = BigInteger.valueOf(maxDistance).pow(j).multiply(BigInteger.valueOf(m).pow(nb - m));
    BigInteger rhs = BigInteger.valueOf(n).pow(nb - m).multiply(BigInteger.valueOf(m).pow(j));
    return lhs.compareTo(rhs) <= 0;
  }
}
