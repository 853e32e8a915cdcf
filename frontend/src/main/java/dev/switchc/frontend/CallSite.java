package dev.switchc.frontend;

import dev.switchc.ir.SourceLoc;
import java.util.Set;

/** Where user code called into a DSL: the place every DSL mistake is reported at. */
public final class CallSite {
  private CallSite() {}

  /**
   * The first stack frame outside {@code dsl} (the DSL's own classes), as a location quoting
   * {@code call}, e.g. {@code MyModel.java:12 heads(0)}.
   */
  public static SourceLoc of(String call, Set<Class<?>> dsl) {
    return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
        .filter(f -> !dsl.contains(f.getDeclaringClass()) && f.getDeclaringClass() != CallSite.class)
        .findFirst()
        .map(f -> new SourceLoc(f.getFileName() == null ? f.getClassName() : f.getFileName(), f.getLineNumber(), 0, call))
        .orElse(new SourceLoc("<dsl>", 0, 0, call)));
  }
}
