package dev.switchc.frontend.spec;

import dev.switchc.frontend.Names;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.frontend.ProgramKinds;
import dev.switchc.frontend.ShardingBuilder;
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
 * Reads a {@code .swc} spec file (grammar: {@code Swc.g4}) into a validated {@link Program}: one
 * definition block ({@code switch_layer}, {@code model}: {@link ProgramKinds}), and optionally one {@code mesh} block ({@code axis = size}, major
 * first) and one {@code layout} block ({@code dim = axis}, {@code dim = (axis, axis)} major first,
 * or {@code dim = ()} for whole; other dimensions get {@link dev.switchc.frontend.DefaultLayout}'s
 * rules). Every problem in the file is reported at once, as one {@link CompileError} whose
 * diagnostics render as {@code file:line:col: error: ...} with 1-based lines and columns.
 */
public final class SpecFile {
  private SpecFile() {}

  static final String MESH = "mesh";
  static final String LAYOUT = "layout";

  /** Blocks this version understands: a definition of each program kind, a mesh and a layout. */
  private static List<String> knownBlocks() {
    List<String> known = new ArrayList<>(ProgramKinds.ALL.stream().map(ProgramKind::block).toList());
    known.addAll(List.of(MESH, LAYOUT));
    return known;
  }

  /**
   * Parses and validates spec text; {@code fileName} is only used in locations.
   *
   * @throws CompileError listing every problem found
   */
  public static Program parse(String fileName, String text) {
    return read(fileName, text).build();
  }

  /**
   * Reads, parses and validates a spec file.
   *
   * @throws CompileError if the file cannot be read (located at the path) or is not a valid spec
   */
  public static Program parse(Path path) {
    return parse(path.toString(), readText(path));
  }

  /**
   * The largest spec file read: a real one is a few KB; the limit keeps a wrong path (a log, a
   * weights file, /dev/zero) from being read whole before the first syntax error.
   */
  static final int MAX_BYTES = 1 << 20;

  /** The file's text as UTF-8, or a CompileError at the path saying why it could not be read. */
  static String readText(Path path) {
    SourceLoc at = new SourceLoc(path.toString(), 0, 0, "");
    String why;
    try {
      if (Files.isDirectory(path)) why = "it is a directory";
      else if (Files.exists(path) && !Files.isRegularFile(path)) why = "it is not a regular file (a device, FIFO or socket would be read forever or block)";
      else if (Files.size(path) > MAX_BYTES) why = "it has " + Files.size(path) + " bytes, more than a spec file's limit of " + MAX_BYTES + " (1 MiB)";
      else return decode(path);
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

  /** Strict UTF-8, and at most {@link #MAX_BYTES} even if the file grows while it is read. */
  private static String decode(Path path) throws IOException {
    byte[] bytes;
    try (java.io.InputStream in = Files.newInputStream(path)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) throw new IOException("it has more than a spec file's limit of " + MAX_BYTES + " bytes (1 MiB)");
    return java.nio.charset.StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
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
      ProgramDraft broken = new ProgramDraft(fileName, null);
      broken.errors(syntax.errors());
      return broken;
    }
    return readBlocks(fileName, tree.block());
  }

  /**
   * One definition block (the first of any program kind), at most one mesh and one layout block;
   * anything else is reported at the block.
   */
  private static ProgramDraft readBlocks(String fileName, List<SwcParser.BlockContext> blocks) {
    ProgramKind<?> first = ProgramKinds.ALL.get(0);
    if (blocks.isEmpty()) {
      ProgramDraft empty = new ProgramDraft(fileName, null);
      empty.error(new Diagnostic(new SourceLoc(fileName, 1, 1, ""), "the spec file is empty; write a " + first.block() + " block, e.g. "
          + first.example()));
      return empty;
    }
    SwcParser.BlockContext definition = blocks.stream().filter(b -> ProgramKinds.byBlock(b.name.getText()).isPresent()).findFirst().orElse(null);
    SwcParser.BlockContext mesh = first(blocks, MESH), layout = first(blocks, LAYOUT);
    BlockDraft draft = definition == null ? null
        : new BlockDraft(ProgramKinds.byBlock(definition.name.getText()).orElseThrow(), at(fileName, definition.name, definition.name.getText()));
    ProgramDraft program = new ProgramDraft(fileName, draft);
    ShardingBuilder sharding = program.sharding;
    if (mesh != null) sharding.mesh(ShardingBuilder.Syntax.SPEC, at(fileName, mesh.name, MESH));
    for (SwcParser.BlockContext b : blocks) {
      String name = b.name.getText();
      SourceLoc where = at(fileName, b.name, name);
      if (b == definition) b.field().forEach(f -> draft.fromFile(assignment(fileName, f)));
      else if (b == mesh) b.field().forEach(f -> meshAxis(fileName, f, sharding));
      else if (b == layout) b.field().forEach(f -> layoutRule(fileName, f, sharding));
      else if (definition != null && ProgramKinds.byBlock(name).isPresent() && !name.equals(definition.name.getText()))
        program.error(new Diagnostic(where, "a " + name + " block next to the " + definition.name.getText() + " block at " + lineCol(definition.name)
            + "; a spec file describes " + ProgramKinds.ALL.stream().map(k -> "one " + k.noun()).collect(Collectors.joining(" or "))
            + ": remove one of them"));
      else program.error(otherBlock(blocks, name, where));
    }
    if (definition == null)
      program.error(new Diagnostic(new SourceLoc(fileName, 1, 1, ""), "the spec file has no " + first.block() + " block; add one, e.g. "
          + first.example() + ProgramKinds.ALL.stream().skip(1).map(k -> ", or " + k.example()).collect(Collectors.joining())));
    return program;
  }

  /** A block after the first of its kind (definition, mesh, layout), or one this version does not know. */
  private static Diagnostic otherBlock(List<SwcParser.BlockContext> blocks, String name, SourceLoc where) {
    List<String> known = knownBlocks();
    if (known.contains(name))
      return new Diagnostic(where, "second " + name + " block; the first is at " + lineCol(first(blocks, name).name)
          + " and a spec file has one; merge the two blocks");
    return new Diagnostic(where, "unknown block '" + name + "'; "
        + Names.closest(name, known.toArray(String[]::new), s -> s).map(s -> "did you mean '" + s + "'? ").orElse("")
        + "known blocks: " + String.join(", ", known));
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
