package dev.switchc.frontend;

/** Training uses the train capacity factor; evaluation (the default) the eval one. */
public enum Mode {
  TRAIN,
  EVAL
}
