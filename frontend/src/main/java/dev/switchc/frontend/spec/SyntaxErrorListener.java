package dev.switchc.frontend.spec;

import dev.switchc.frontend.ProgramKind;
import dev.switchc.frontend.ProgramKinds;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.SourceLoc;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR syntax errors into diagnostics that say what was expected where, in the words of the
 * spec format ("expected '=' after field name 'batch'"), instead of ANTLR's token-set dumps. Replaces
 * the console listener, so nothing is printed. One instance per parse; not thread-safe.
 */
final class SyntaxErrorListener extends BaseErrorListener {
  private final String file;
  private final List<Diagnostic> errors = new ArrayList<>();
  /**
   * Set after a mistake inside a tuple: error recovery then tends to read the rest of the block as
   * nonsense, so later errors would mostly be echoes of this one.
   */
  private boolean quiet;

  SyntaxErrorListener(String file) {
    this.file = file;
  }

  List<Diagnostic> errors() {
    return List.copyOf(errors);
  }

  @Override
  public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
      String msg, RecognitionException e) {
    if (quiet) return;
    SourceLoc at = new SourceLoc(file, line, charPositionInLine + 1, "");
    if (recognizer instanceof Parser parser && offendingSymbol instanceof Token token)
      errors.add(explain(parser, token, at));
    else // the lexer's catch-all tokens make this unreachable; ANTLR's lexer message is short anyway
      errors.add(new Diagnostic(at, msg));
  }

  private Diagnostic explain(Parser parser, Token token, SourceLoc at) {
    IntervalSet expected = parser.getExpectedTokens();
    ParserRuleContext ctx = parser.getContext();
    String found = describe(token);
    SwcParser.FieldContext field = enclosing(ctx, SwcParser.FieldContext.class);
    SwcParser.BlockContext block = enclosing(ctx, SwcParser.BlockContext.class);

    if (token.getType() == SwcLexer.UNTERMINATED_STRING)
      return new Diagnostic(at, "unterminated string " + token.getText() + "; close it with '\"' on the same line");
    if (token.getType() == SwcLexer.ERROR_CHAR)
      return new Diagnostic(at, "unexpected character " + found + "; expected " + describe(expected));

    SwcParser.TupleContext tuple = enclosing(ctx, SwcParser.TupleContext.class);
    if (tuple != null && field != null && field.name != null) {
      quiet = true;
      return inTuple(parser, token, at, field.name.getText(), tuple);
    }

    Diagnostic comma = commaAfterValue(parser.getInputStream(), token, at);
    if (comma != null) {
      quiet = true; // the rest of the list would be read as fields without '='
      return comma;
    }

    if (expected.contains(SwcLexer.EQUALS) && field != null && field.name != null) {
      String name = field.name.getText();
      String hint = token.getType() == SwcLexer.LBRACE && block != null
          ? "; is the '}' of block '" + block.name.getText() + "' (opened at " + lineCol(block.name) + ") missing?"
          : "; write '" + name + " = <value>'" + expectedValue(name);
      return new Diagnostic(at, "expected '=' after field name '" + name + "', found " + found + hint);
    }
    if (expected.contains(SwcLexer.INT) && field != null && field.name != null) {
      String name = field.name.getText();
      return new Diagnostic(at, "expected a value after '" + name + " =', found " + found + "; write '" + name
          + " = <value>'" + expectedValue(name));
    }
    if (expected.contains(SwcLexer.LBRACE) && block != null && block.name != null) {
      String name = block.name.getText();
      return new Diagnostic(at, "expected '{' after block name '" + name + "', found " + found + "; write '" + name
          + " { <fields> }'");
    }
    if (expected.contains(SwcLexer.RBRACE) && block != null && block.name != null) {
      String name = block.name.getText();
      if (token.getType() == Token.EOF)
        return new Diagnostic(at, "block '" + name + "' opened at " + lineCol(block.name)
            + " is not closed; add '}' after its last field");
      Diagnostic missingValue = missingValueBefore(parser.getInputStream(), token);
      if (missingValue != null) return missingValue;
      return new Diagnostic(at, "expected a field name or '}' in block '" + name + "', found " + found
          + "; write one 'name = value' per field");
    }
    if (expected.contains(Token.EOF) && token.getType() == SwcLexer.RBRACE)
      return new Diagnostic(at, "unmatched '}': no block is open here; remove it");
    if (expected.contains(Token.EOF))
      return new Diagnostic(at, "expected a block such as 'switch_layer { <fields> }', found " + found);
    return new Diagnostic(at, "unexpected " + found + "; expected " + describe(expected));
  }

  /** {@code batch = data, expert}: several axes without the parentheses of a tuple. */
  private static Diagnostic commaAfterValue(TokenStream tokens, Token offending, SourceLoc at) {
    if (offending.getType() != SwcLexer.COMMA) return null;
    Token value = tokens.LT(-1), equals = tokens.LT(-2), name = tokens.LT(-3);
    if (value == null || equals == null || name == null || equals.getType() != SwcLexer.EQUALS || name.getType() != SwcLexer.IDENT)
      return null;
    String n = name.getText(), v = value.getText();
    return new Diagnostic(at, "unexpected ',' after '" + n + " = " + v + "'; write several axes as a tuple in parentheses,"
        + " e.g. '" + n + " = (data, expert)'");
  }

  /**
   * A mistake inside {@code ( ... )}. An unclosed tuple shows up as the next field's name and '='
   * (or the block's '}') where ',' or ')' belongs; say that rather than "expected ','".
   */
  private Diagnostic inTuple(Parser parser, Token token, SourceLoc at, String name, SwcParser.TupleContext tuple) {
    IntervalSet expected = parser.getExpectedTokens();
    String found = describe(token);
    String opened = lineCol(tuple.getStart());
    int type = token.getType();
    // `batch = (data,` then `group = ...`: group was read as an axis, and the parser stops at its '='.
    Token nextField = type == SwcLexer.IDENT && parser.getInputStream().LA(2) == SwcLexer.EQUALS ? token
        : type == SwcLexer.EQUALS && parser.getInputStream().LT(-1).getType() == SwcLexer.IDENT ? parser.getInputStream().LT(-1)
        : null;
    if (nextField != null) {
      at = new SourceLoc(file, nextField.getLine(), nextField.getCharPositionInLine() + 1, "");
      found = "the next field '" + nextField.getText() + "'";
    }
    if (type == Token.EOF || type == SwcLexer.RBRACE || type == SwcLexer.LBRACE || nextField != null)
      return new Diagnostic(at, "the tuple of '" + name + "' opened at " + opened + " is not closed, found " + found
          + "; add ')' after its last axis");
    if (expected.contains(SwcLexer.RPAREN) && !expected.contains(SwcLexer.IDENT))
      return new Diagnostic(at, "expected ',' or ')' in the tuple of '" + name + "' (opened at " + opened + "), found " + found
          + "; separate axes with ',', e.g. '" + name + " = (data, expert)'");
    String hint = type == SwcLexer.RPAREN ? "; remove the trailing ','"
        : type == SwcLexer.LPAREN ? "; tuples do not nest: write one flat tuple, e.g. '" + name + " = (data, expert)'"
        : "; write '" + name + " = (data, expert)', or '" + name + " = ()' to keep it whole";
    return new Diagnostic(at, "expected an axis name in the tuple of '" + name + "' (opened at " + opened + "), found " + found + hint);
  }

  /**
   * Newlines mean nothing to the grammar, so in {@code batch =} followed by {@code seq = 64} on the
   * next line, {@code seq} is read as batch's value and the parser only stumbles at the second '='.
   * Recognise that shape and blame the '=' whose value is missing.
   */
  private Diagnostic missingValueBefore(TokenStream tokens, Token offending) {
    if (offending.getType() != SwcLexer.EQUALS) return null;
    Token value = tokens.LT(-1), equals = tokens.LT(-2), name = tokens.LT(-3);
    if (value == null || equals == null || name == null || value.getType() != SwcLexer.IDENT
        || equals.getType() != SwcLexer.EQUALS || value.getLine() == equals.getLine())
      return null;
    SourceLoc at = new SourceLoc(file, equals.getLine(), equals.getCharPositionInLine() + 1, "");
    return new Diagnostic(at, "expected a value after '" + name.getText() + " =', found the next field '"
        + value.getText() + "'; write '" + name.getText() + " = <value>'" + expectedValue(name.getText()));
  }

  /** What a known field takes, as a parenthesised hint; nothing for unknown names. */
  private static String expectedValue(String fieldName) {
    // The listener does not know the block: the first kind (in ProgramKinds order) that has the field.
    for (ProgramKind<?> kind : ProgramKinds.ALL)
      for (var f : kind.fields()) if (f.specName().equals(fieldName)) return " (" + kind.expected(f) + ")";
    return "";
  }

  private static <T extends ParserRuleContext> T enclosing(ParserRuleContext ctx, Class<T> type) {
    for (ParserRuleContext c = ctx; c != null; c = c.getParent()) if (type.isInstance(c)) return type.cast(c);
    return null;
  }

  private static String lineCol(Token t) {
    return t.getLine() + ":" + (t.getCharPositionInLine() + 1);
  }

  private static String describe(Token t) {
    return switch (t.getType()) {
      case Token.EOF -> "end of file";
      case SwcLexer.STRING, SwcLexer.UNTERMINATED_STRING -> t.getText();
      default -> "'" + t.getText() + "'";
    };
  }

  /** An expected-token set in spec terms; the grammar is small enough that this never gets long. */
  private static String describe(IntervalSet expected) {
    List<String> parts = new ArrayList<>();
    boolean value = false, name = false;
    for (int type : expected.toList()) {
      switch (type) {
        case Token.EOF -> parts.add("end of file");
        case SwcLexer.IDENT -> name = true;
        case SwcLexer.INT, SwcLexer.DECIMAL, SwcLexer.STRING, SwcLexer.MALFORMED_NUMBER, SwcLexer.LPAREN -> value = true;
        default -> parts.add(SwcLexer.VOCABULARY.getLiteralName(type) != null
            ? SwcLexer.VOCABULARY.getLiteralName(type) : SwcLexer.VOCABULARY.getDisplayName(type));
      }
    }
    if (name) parts.add(0, "a name");
    if (value) parts.add(0, "a value");
    if (parts.size() <= 1) return parts.isEmpty() ? "nothing more" : parts.get(0);
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " or " + parts.get(parts.size() - 1);
  }
}
