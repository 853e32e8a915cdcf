package dev.switchc.frontend;

import java.util.Locale;

/** Training uses the train capacity factor; evaluation (the default) the eval one. */
public enum Mode {
  TRAIN,
  EVAL;

  /** How plans, reports and flags spell it: {@code train}, {@code eval}. */
  public String specName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
