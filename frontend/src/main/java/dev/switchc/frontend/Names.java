package dev.switchc.frontend;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;

/**
 * "Did you mean" suggestions for misspelled names: spec fields and blocks, layout dimensions, mesh
 * axes. Shared by the spec parser ({@code frontend.spec}) and the sharding checks, hence public.
 */
public final class Names {
  private Names() {}

  /** Further than this, a suggestion is more likely noise than the intended name. */
  public static final int MAX_DISTANCE = 2;

  /** The candidate closest to {@code typed} within {@link #MAX_DISTANCE}; the first one on ties. */
  public static <T> Optional<String> closest(String typed, T[] candidates, Function<T, String> name) {
    String best = null;
    int bestDistance = MAX_DISTANCE + 1;
    for (T c : candidates) {
      String n = name.apply(c);
      int d = distance(typed, n);
      if (d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@link #closest(String, Object[], Function)} over plain names, in their order. */
  public static Optional<String> closest(String typed, Collection<String> candidates) {
    return closest(typed, candidates.toArray(String[]::new), s -> s);
  }

  /** {@code "did you mean 'x'? "} for the closest candidate, or nothing. */
  public static String didYouMean(String typed, Collection<String> candidates) {
    return closest(typed, candidates).map(c -> "did you mean '" + c + "'? ").orElse("");
  }

  /**
   * Edit distance counting insertion, deletion, substitution and a swap of adjacent letters as one
   * edit each (optimal string alignment), so the common typo {@code experst} is one edit away.
   */
  public static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.length()][b.length()];
  }
}
