package dev.switchc.ir;

/**
 * Where a piece of the program came from: a spec file position, or a DSL builder call.
 *
 * <p>{@code file:line:col} is what users see in every message. {@code what} names the construct
 * (a spec field, or a builder call such as {@code groupSize(7)}) so a message can quote it.
 */
public record SourceLoc(String file, int line, int col, String what) {
  public static final SourceLoc UNKNOWN = new SourceLoc("<unknown>", 0, 0, "");

  public SourceLoc {
    if (file == null || what == null) throw new IllegalArgumentException("file and what must be non-null");
  }

  /** The same place, describing another construct there. */
  public SourceLoc describing(String construct) {
    return new SourceLoc(file, line, col, construct);
  }

  @Override
  public String toString() {
    return line <= 0 ? file : col <= 0 ? file + ":" + line : file + ":" + line + ":" + col; // a DSL call has no column
  }
}
