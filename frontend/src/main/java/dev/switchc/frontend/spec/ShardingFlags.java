package dev.switchc.frontend.spec;

import dev.switchc.frontend.LayoutRule;
import dev.switchc.frontend.LocatedMesh;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.ShardingBuilder;
import dev.switchc.frontend.ShardingBuilder.Syntax;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.Excerpt;
import dev.switchc.ir.SourceLoc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The CLI's sharding options, read at the edge into records:
 *
 * <ul>
 *   <li>{@code --mesh data=2,expert=4}: the whole mesh, replacing the spec file's (axes major
 *       first; {@code --mesh ''} is a single device);
 *   <li>{@code --layout batch=data+expert,experts=expert,d_model=}: layout rules, each replacing
 *       the spec file's rule (or the default) for its dimension; axes joined by '+', major first,
 *       nothing after '=' for a whole dimension. Several {@code --layout}s apply in order, a later
 *       one winning; within one, a dimension may appear once.
 * </ul>
 *
 * Checks and messages are the spec file's ({@link ShardingBuilder}); each message is located at
 * the option, e.g. {@code --mesh data=2,expert=x: error: expert=x: 'x' is not a number; ...}.
 */
public final class ShardingFlags {
  private ShardingFlags() {}

  /**
   * The mesh of one {@code --mesh} value, each axis located at the option.
   *
   * @throws CompileError listing every problem in it
   */
  public static LocatedMesh parseMesh(String flag) {
    ShardingBuilder b = new ShardingBuilder("--mesh", Syntax.FLAG, meshLoc(flag));
    mesh(b, flag);
    List<Diagnostic> problems = b.problems();
    if (!problems.isEmpty()) throw new CompileError(problems);
    return b.currentMesh();
  }

  /**
   * The rules of one {@code --layout} value, in order. Whether their axes exist depends on the
   * mesh, and is checked when they are applied.
   *
   * @throws CompileError listing every other problem in it
   */
  public static List<LayoutRule> parseLayout(String flag) {
    ShardingBuilder b = new ShardingBuilder("--layout", Syntax.FLAG, meshLoc(""));
    layout(b, flag);
    List<Diagnostic> problems = b.writtenProblems();
    if (!problems.isEmpty()) throw new CompileError(problems);
    return b.writtenRules();
  }

  /**
   * {@code program} with {@code mesh} (if present) replacing its mesh and then each of
   * {@code layouts} replacing its rules; defaults are recomputed for the new mesh, and rules the
   * program's source wrote are checked against it.
   *
   * @throws CompileError listing every problem
   */
  public static Program apply(Program program, Optional<String> mesh, List<String> layouts) {
    ShardingBuilder b = ShardingBuilder.of(program);
    mesh.ifPresent(m -> mesh(b, m));
    layouts.forEach(l -> layout(b, l));
    return b.build(program.definition());
  }

  private static SourceLoc meshLoc(String flag) {
    return new SourceLoc("--mesh " + Excerpt.clip(flag, Excerpt.MAX_WORD), 0, 0, flag); // the option is the location: keep it one short line
  }

  /** Replaces {@code b}'s mesh with the one {@code flag} describes. */
  static void mesh(ShardingBuilder b, String flag) {
    SourceLoc option = meshLoc(flag);
    b.mesh(Syntax.FLAG, option);
    if (flag.isBlank()) return;
    for (String entry : flag.split(",", -1)) {
      String e = entry.trim();
      if (e.isEmpty()) {
        b.error(new Diagnostic(option, "empty entry in '" + flag + "'; write --mesh axis=size,axis=size, e.g. --mesh data=2,expert=4"));
        continue;
      }
      int eq = e.indexOf('=');
      String name = eq < 0 ? e : e.substring(0, eq).trim();
      if (eq < 0 || name.isEmpty()) {
        b.error(new Diagnostic(option.describing(e), "expected axis=size, got '" + e + "'; write --mesh "
            + (name.isEmpty() ? "<axis>" : name) + "=<size>, e.g. --mesh data=2,expert=4"));
        continue;
      }
      String value = e.substring(eq + 1).trim();
      SourceLoc at = option.describing(name + "=" + value);
      if (value.isEmpty()) {
        b.badAxis(name, at, at, "the size is missing", "");
        continue;
      }
      try {
        b.axis(name, at, size(value), at);
      } catch (IllegalArgumentException ex) {
        b.badAxis(name, at, at, ex.getMessage(), "");
      }
    }
  }

  /** Adds the rules of {@code flag} to {@code b} in a new scope: they replace earlier rules. */
  static void layout(ShardingBuilder b, String flag) {
    SourceLoc option = new SourceLoc("--layout " + Excerpt.clip(flag, Excerpt.MAX_WORD), 0, 0, flag);
    b.rules(Syntax.FLAG);
    if (flag.isBlank()) return;
    for (String entry : entries(flag)) {
      String e = entry.trim();
      if (e.isEmpty()) {
        b.error(new Diagnostic(option, "empty entry in '" + flag + "'; write --layout dim=axes,dim=axes with axes joined by '+',"
            + " e.g. --layout batch=data+expert,d_model="));
        continue;
      }
      int eq = e.indexOf('=');
      String dim = eq < 0 ? e : e.substring(0, eq).trim();
      if (eq < 0 || dim.isEmpty()) {
        b.error(new Diagnostic(option.describing(e), "expected dimension=axes, got '" + e + "'; write --layout "
            + (dim.isEmpty() ? "<dimension>" : dim) + "=<axes> with axes joined by '+' (nothing for whole), e.g. --layout batch=data+expert"));
        continue;
      }
      String value = e.substring(eq + 1).trim();
      SourceLoc at = option.describing(dim + "=" + value);
      if (value.contains("(") || value.contains(")") || value.contains(",")) {
        List<String> axes = Arrays.stream(value.replaceAll("[()]", " ").trim().split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
        b.badRule(dim, at, at, new Diagnostic(at, at.what() + ": write the axes joined by '+', e.g. " + dim + "=" + String.join("+", axes)));
        continue;
      }
      List<String> axes = value.isEmpty() ? List.of() : Arrays.stream(value.split("\\+", -1)).map(String::trim).toList();
      if (axes.contains("")) {
        b.badRule(dim, at, at, new Diagnostic(at, at.what() + ": empty axis name; join axes with '+', e.g. " + dim + "=data+expert"));
        continue;
      }
      b.rule(dim, at, axes, Collections.nCopies(axes.size(), at), at);
    }
  }

  /** The comma-separated entries of a --layout value; commas inside parentheses do not separate. */
  private static List<String> entries(String flag) {
    List<String> out = new ArrayList<>();
    int depth = 0, start = 0;
    for (int i = 0; i < flag.length(); i++) {
      char c = flag.charAt(i);
      if (c == '(') depth++;
      else if (c == ')') depth = Math.max(0, depth - 1);
      else if (c == ',' && depth == 0) {
        out.add(flag.substring(start, i));
        start = i + 1;
      }
    }
    out.add(flag.substring(start));
    return out;
  }

  /**
   * A mesh axis size as written in a spec file or flag; range is checked by {@link ShardingBuilder}.
   *
   * @throws IllegalArgumentException saying why {@code text} is not an integer, e.g. {@code 'x' is not a number}
   */
  static long size(String text) {
    String t = text.trim();
    if (t.matches("[-+]?[0-9]+")) {
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + t + "' is too large");
      }
    }
    if (t.matches("[-+]?[0-9]*\\.[0-9]+")) throw new IllegalArgumentException("'" + t + "' is not an integer");
    if (t.matches("[-+]?[0-9]*\\.?[0-9]+[eE][-+]?[0-9]+")) throw new IllegalArgumentException("'" + t + "' is not written as a plain integer");
    throw new IllegalArgumentException("'" + t + "' is not a number");
  }
}
