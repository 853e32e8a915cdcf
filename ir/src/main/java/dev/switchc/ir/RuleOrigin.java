package dev.switchc.ir;

/** Where a layout rule (or a mesh) came from. */
public enum RuleOrigin {
  /** Not written: the default for the dimension on this mesh. */
  DEFAULT,
  /** A spec file's {@code layout} (or {@code mesh}) block. */
  SPEC_FILE,
  /** The command line: {@code --layout} (or {@code --mesh}). */
  FLAG,
  /** The Java DSL (or any Java code that builds a layout). */
  DSL
}
