package dev.switchc.frontend.spec;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.Names;
import dev.switchc.frontend.ShardingBuilder;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.SwitchProgram;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/**
 * Reads a {@code .swc} spec file (grammar: {@code Swc.g4}) into a validated {@link SwitchProgram}:
 * one {@code switch_layer} block, and optionally one {@code mesh} block ({@code axis = size}, major
 * first) and one {@code layout} block ({@code dim = axis}, {@code dim = (axis, axis)} major first,
 * or {@code dim = ()} for whole; other dimensions get {@link dev.switchc.frontend.DefaultLayout}'s
 * rules). Every problem in the file is reported at once, as one {@link CompileError} whose
 * diagnostics render as {@code file:line:col: error: ...} with 1-based lines and columns.
 */
public final class SpecFile {
  private SpecFile() {}

  static final String SWITCH_LAYER = "switch_layer";
  static final String MESH = "mesh";
  static final String LAYOUT = "layout";
  static final String MODEL = ModelDraft.BLOCK;
  /** Blocks this version understands. */
  private static final List<String> KNOWN_BLOCKS = List.of(SWITCH_LAYER, MODEL, MESH, LAYOUT);

  /**
   * Parses and validates spec text; {@code fileName} is only used in locations.
   *
   * @throws CompileError listing every problem found
   */
  public static SwitchProgram parseProgram(String fileName, String text) {
    return read(fileName, text).build();
  }

  /**
   * Parses and validates spec text describing a layer or a model.
   *
   * @throws CompileError listing every problem found
   */
  public static dev.switchc.frontend.Program parseAny(String fileName, String text) {
    return read(fileName, text).buildAny();
  }

  /**
   * Reads, parses and validates a spec file.
   *
   * @throws CompileError if the file cannot be read (located at the path) or is not a valid spec
   */
  public static SwitchProgram parseProgram(Path path) {
    return parseProgram(path.toString(), readText(path));
  }

  /**
   * The layer of {@link #parseProgram(String, String)}; the mesh and layout blocks must be valid too.
   *
   * @throws CompileError listing every problem found
   */
  public static Located<SwitchLayerSpec> parse(String fileName, String text) {
    return parseProgram(fileName, text).layer();
  }

  /**
   * Reads, parses and validates a spec file.
   *
   * @throws CompileError if the file cannot be read (located at the path) or is not a valid spec
   */
  public static Located<SwitchLayerSpec> parse(Path path) {
    return parse(path.toString(), readText(path));
  }

  /** The file's text as UTF-8, or a CompileError at the path saying why it could not be read. */
  static String readText(Path path) {
    SourceLoc at = new SourceLoc(path.toString(), 0, 0, "");
    String why;
    try {
      if (Files.isDirectory(path)) why = "it is a directory";
      else return Files.readString(path);
    } catch (NoSuchFileException e) {
      why = "no such file";
    } catch (AccessDeniedException e) {
      why = "permission denied";
    } catch (CharacterCodingException e) {
      why = "it is not UTF-8 text";
    } catch (IOException e) {
      why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    throw new CompileError(at, "cannot read spec file '" + path + "': " + why + "; check the path");
  }

  /** The file's blocks as a draft carrying the file's problems; build() reports them. */
  static ProgramDraft read(String fileName, String text) {
    SyntaxErrorListener syntax = new SyntaxErrorListener(fileName);
    // Some editors start UTF-8 files with a byte-order mark; it is not part of the spec.
    String source = text.startsWith("\uFEFF") ? text.substring(1) : text;
    SwcLexer lexer = new SwcLexer(CharStreams.fromString(source, fileName));
    lexer.removeErrorListeners();
    lexer.addErrorListener(syntax);
    SwcParser parser = new SwcParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.addErrorListener(syntax);
    SwcParser.FileContext tree = parser.file();
    if (!syntax.errors().isEmpty()) {
      // A tree repaired by error recovery would add confusing follow-on errors; report the syntax only.
      LayerDraft broken = LayerDraft.withoutBlock(fileName);
      broken.errors(syntax.errors());
      return new ProgramDraft(fileName, broken);
    }
    return readBlocks(fileName, tree.block());
  }

  private static ProgramDraft readBlocks(String fileName, List<SwcParser.BlockContext> blocks) {
    if (blocks.isEmpty()) {
      LayerDraft empty = LayerDraft.withoutBlock(fileName);
      empty.error(new Diagnostic(new SourceLoc(fileName, 1, 1, ""), "the spec file is empty; write a switch_layer block,"
          + " e.g. 'switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }'"));
      return new ProgramDraft(fileName, empty);
    }
    SwcParser.BlockContext layer = first(blocks, SWITCH_LAYER), mesh = first(blocks, MESH), layout = first(blocks, LAYOUT);
    SwcParser.BlockContext model = first(blocks, MODEL);
    if (model != null && layer == null) return readModel(fileName, blocks, model, mesh, layout);
    LayerDraft draft = layer == null ? LayerDraft.withoutBlock(fileName) : LayerDraft.forBlock(at(fileName, layer.name, SWITCH_LAYER));
    ProgramDraft program = new ProgramDraft(fileName, draft);
    ShardingBuilder sharding = program.sharding;
    if (mesh != null) sharding.mesh(ShardingBuilder.Syntax.SPEC, at(fileName, mesh.name, MESH));
    for (SwcParser.BlockContext b : blocks) {
      String name = b.name.getText();
      SourceLoc where = at(fileName, b.name, name);
      if (b == layer) b.field().forEach(f -> draft.fromFile(assignment(fileName, f)));
      else if (b == mesh) b.field().forEach(f -> meshAxis(fileName, f, sharding));
      else if (b == layout) b.field().forEach(f -> layoutRule(fileName, f, sharding));
      else if (name.equals(SWITCH_LAYER))
        draft.error(new Diagnostic(where, "second switch_layer block; the first is at " + lineCol(layer.name)
            + " and a spec file describes one layer; merge the two blocks"));
      else if (name.equals(MODEL))
        draft.error(new Diagnostic(where, "a model block next to the switch_layer block at " + lineCol(layer.name)
            + "; a spec file describes one layer or one model: remove one of them"));
      else draft.error(otherBlock(blocks, name, where));
    }
    if (layer == null)
      draft.error(new Diagnostic(new SourceLoc(fileName, 1, 1, ""), "the spec file has no switch_layer block; add one,"
          + " e.g. 'switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }', or a model block"
          + " (see examples/presets)"));
    return program;
  }

  /** A spec file whose definition is a {@code model} block (with optional mesh and layout blocks). */
  private static ProgramDraft readModel(String fileName, List<SwcParser.BlockContext> blocks, SwcParser.BlockContext model,
      SwcParser.BlockContext mesh, SwcParser.BlockContext layout) {
    ModelDraft draft = new ModelDraft(at(fileName, model.name, MODEL));
    ProgramDraft program = new ProgramDraft(fileName, draft);
    ShardingBuilder sharding = program.sharding;
    if (mesh != null) sharding.mesh(ShardingBuilder.Syntax.SPEC, at(fileName, mesh.name, MESH));
    for (SwcParser.BlockContext b : blocks) {
      String name = b.name.getText();
      SourceLoc where = at(fileName, b.name, name);
      if (b == model) b.field().forEach(f -> draft.fromFile(assignment(fileName, f)));
      else if (b == mesh) b.field().forEach(f -> meshAxis(fileName, f, sharding));
      else if (b == layout) b.field().forEach(f -> layoutRule(fileName, f, sharding));
      else draft.error(otherBlock(blocks, name, where));
    }
    return program;
  }

  /** A block after the first of its kind (mesh, layout, model), or one this version does not know. */
  private static Diagnostic otherBlock(List<SwcParser.BlockContext> blocks, String name, SourceLoc where) {
    if (KNOWN_BLOCKS.contains(name))
      return new Diagnostic(where, "second " + name + " block; the first is at " + lineCol(first(blocks, name).name)
          + " and a spec file has one; merge the two blocks");
    return new Diagnostic(where, "unknown block '" + name + "'; "
        + Names.closest(name, KNOWN_BLOCKS.toArray(String[]::new), s -> s).map(s -> "did you mean '" + s + "'? ").orElse("")
        + "known blocks: " + String.join(", ", KNOWN_BLOCKS));
  }

  private static SwcParser.BlockContext first(List<SwcParser.BlockContext> blocks, String name) {
    return blocks.stream().filter(b -> b.name.getText().equals(name)).findFirst().orElse(null);
  }

  /** {@code data = 2} in the mesh block. */
  private static void meshAxis(String fileName, SwcParser.FieldContext f, ShardingBuilder sharding) {
    String name = f.name.getText();
    SourceLoc nameAt = at(fileName, f.name, name);
    SourceLoc at = at(fileName, f.value().getStart(), name + " = " + text(f.value()));
    SwcParser.ScalarContext scalar = f.value().scalar();
    if (scalar == null) {
      sharding.badAxis(name, nameAt, at, "a mesh axis size is one integer, not a tuple", "");
      return;
    }
    String value = scalar.getText();
    if (scalar.getStart().getType() == SwcLexer.STRING) {
      String bare = value.substring(1, value.length() - 1);
      sharding.badAxis(name, nameAt, at, "mesh axis '" + name + "' does not take a quoted string",
          bare.matches("[-+]?[0-9]+") ? "; remove the quotes" : "");
      return;
    }
    try {
      sharding.axis(name, nameAt, ShardingFlags.size(value), at);
    } catch (IllegalArgumentException e) {
      sharding.badAxis(name, nameAt, at, e.getMessage(), "");
    }
  }

  /** {@code batch = (data, expert)}, {@code experts = expert} or {@code d_model = ()} in the layout block. */
  private static void layoutRule(String fileName, SwcParser.FieldContext f, ShardingBuilder sharding) {
    String dim = f.name.getText();
    // The rule is located at its start, the dimension name: that is the line a later message quotes.
    SourceLoc at = at(fileName, f.name, dim + " = " + text(f.value()));
    SourceLoc dimAt = at;
    List<SwcParser.ScalarContext> items = f.value().scalar() != null ? List.of(f.value().scalar()) : f.value().tuple().scalar();
    List<String> axes = new ArrayList<>();
    List<SourceLoc> axisAt = new ArrayList<>();
    for (SwcParser.ScalarContext item : items) {
      Token t = item.getStart();
      SourceLoc itemAt = at(fileName, t, at.what());
      if (t.getType() != SwcLexer.IDENT) {
        String why = t.getType() == SwcLexer.STRING
            ? t.getText() + " is a quoted string, not a mesh axis name; remove the quotes"
            : "'" + t.getText() + "' is not a mesh axis name; expected an axis name, a tuple of them such as (data, expert),"
                + " or () to keep " + dim + " whole";
        sharding.badRule(dim, dimAt, at, new Diagnostic(itemAt, at.what() + ": " + why));
        return;
      }
      axes.add(t.getText());
      axisAt.add(itemAt);
    }
    sharding.rule(dim, dimAt, axes, axisAt, at);
  }

  /** A value as messages quote it: the literal, or a tuple as {@code (data, expert)}. */
  private static String text(SwcParser.ValueContext v) {
    if (v.scalar() != null) return v.scalar().getText();
    return v.tuple().scalar().stream().map(SwcParser.ScalarContext::getText).collect(Collectors.joining(", ", "(", ")"));
  }

  private static String lineCol(Token t) {
    return t.getLine() + ":" + (t.getCharPositionInLine() + 1);
  }

  private static FieldAssignment assignment(String fileName, SwcParser.FieldContext f) {
    String name = f.name.getText();
    Token value = f.value().getStart();
    String text = text(f.value());
    return new FieldAssignment(name, at(fileName, f.name, name), text, f.value().scalar() != null && value.getType() == SwcLexer.STRING,
        at(fileName, value, name + " = " + text));
  }

  /** ANTLR columns are 0-based; users and editors count from 1. */
  private static SourceLoc at(String fileName, Token t, String what) {
    return new SourceLoc(fileName, t.getLine(), t.getCharPositionInLine() + 1, what);
  }
}
