package dev.switchc.ir;

/**
 * Where a piece of the program came from: a spec file position, or a DSL builder call.
 *
 * <p>{@code file:line:col} is what users see in every message. {@code what} names the construct
 * (a spec field, or a builder call such as {@code groupSize(7)}) so a message can quote it.
 * {@code scope} names the part of the program an op belongs to ({@code encoder/layer_003}; empty
 * for a lone layer): one spec line builds every layer of a model, and the plan totals by scope.
 */
public record SourceLoc(String file, int line, int col, String what, String scope) {
  public static final SourceLoc UNKNOWN = new SourceLoc("<unknown>", 0, 0, "");

  public SourceLoc {
    if (file == null || what == null || scope == null) throw new IllegalArgumentException("file, what and scope must be non-null");
  }

  public SourceLoc(String file, int line, int col, String what) {
    this(file, line, col, what, "");
  }

  /** The same place, describing another construct there. */
  public SourceLoc describing(String construct) {
    return new SourceLoc(file, line, col, construct, scope);
  }

  /** The same place, for ops of {@code part} of the program. */
  public SourceLoc within(String part) {
    return new SourceLoc(file, line, col, what, part);
  }

  @Override
  public String toString() {
    return line <= 0 ? file : col <= 0 ? file + ":" + line : file + ":" + line + ":" + col; // a DSL call has no column
  }
}
