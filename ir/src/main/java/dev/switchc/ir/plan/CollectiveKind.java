package dev.switchc.ir.plan;

import java.util.Locale;

/** The kinds of collective a plan lists; {@link #spelling()} is how plans write them ({@code all_to_all}). */
public enum CollectiveKind {
  ALL_REDUCE,
  ALL_GATHER,
  ALL_TO_ALL;

  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return spelling();
  }
}
