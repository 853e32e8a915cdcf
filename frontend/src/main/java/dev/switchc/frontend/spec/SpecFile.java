package dev.switchc.frontend.spec;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/**
 * Reads a {@code .swc} spec file (grammar: {@code Swc.g4}) into a validated {@link SwitchLayerSpec}.
 * Every problem in the file is reported at once, as one {@link CompileError} whose diagnostics
 * render as {@code file:line:col: error: ...} with 1-based lines and columns.
 */
public final class SpecFile {
  private SpecFile() {}

  static final String SWITCH_LAYER = "switch_layer";
  /** Blocks this version understands; mesh and layout will join this list. */
  private static final List<String> KNOWN_BLOCKS = List.of(SWITCH_LAYER);

  /**
   * Parses and validates spec text; {@code fileName} is only used in locations.
   *
   * @throws CompileError listing every problem found
   */
  public static Located<SwitchLayerSpec> parse(String fileName, String text) {
    return read(fileName, text).build();
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

  /** The file's switch_layer block as a draft carrying the file's problems; build() reports them. */
  static LayerDraft read(String fileName, String text) {
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
      return broken;
    }
    return readBlocks(fileName, tree.block());
  }

  private static LayerDraft readBlocks(String fileName, List<SwcParser.BlockContext> blocks) {
    if (blocks.isEmpty()) {
      LayerDraft empty = LayerDraft.withoutBlock(fileName);
      empty.error(new Diagnostic(new SourceLoc(fileName, 1, 1, ""), "the spec file is empty; write a switch_layer block,"
          + " e.g. 'switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }'"));
      return empty;
    }
    SwcParser.BlockContext layer = blocks.stream()
        .filter(b -> b.name.getText().equals(SWITCH_LAYER)).findFirst().orElse(null);
    LayerDraft draft = layer == null ? LayerDraft.withoutBlock(fileName) : LayerDraft.forBlock(at(fileName, layer.name, SWITCH_LAYER));
    for (SwcParser.BlockContext b : blocks) {
      String name = b.name.getText();
      SourceLoc where = at(fileName, b.name, name);
      if (b == layer) b.field().forEach(f -> draft.fromFile(assignment(fileName, f)));
      else if (name.equals(SWITCH_LAYER))
        draft.error(new Diagnostic(where, "second switch_layer block; the first is at " + layer.name.getLine() + ":"
            + (layer.name.getCharPositionInLine() + 1) + " and a spec file describes one layer; merge the two blocks"));
      else
        draft.error(new Diagnostic(where, "unknown block '" + name + "'; "
            + Names.closest(name, KNOWN_BLOCKS.toArray(String[]::new), s -> s).map(s -> "did you mean '" + s + "'? ").orElse("")
            + "known blocks: " + String.join(", ", KNOWN_BLOCKS)));
    }
    if (layer == null)
      draft.error(new Diagnostic(new SourceLoc(fileName, 1, 1, ""), "the spec file has no switch_layer block; add one,"
          + " e.g. 'switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }'"));
    return draft;
  }

  private static FieldAssignment assignment(String fileName, SwcParser.FieldContext f) {
    String name = f.name.getText();
    Token value = f.value().getStart();
    String text = value.getText();
    return new FieldAssignment(name, at(fileName, f.name, name), text, value.getType() == SwcLexer.STRING,
        at(fileName, value, name + " = " + text));
  }

  /** ANTLR columns are 0-based; users and editors count from 1. */
  private static SourceLoc at(String fileName, Token t, String what) {
    return new SourceLoc(fileName, t.getLine(), t.getCharPositionInLine() + 1, what);
  }
}
