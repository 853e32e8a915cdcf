package dev.switchc.driver.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON through Jackson, read strictly and written in one stable layout.
 *
 * <p>Reading ({@link #parse}): object to {@code LinkedHashMap<String, Object>} in document order,
 * array to {@code ArrayList}, string, integer to Long (BigInteger beyond 64 bits), other numbers to
 * Double, booleans, null. Refused, with the offset: a duplicate key (RFC 8259 leaves its meaning
 * open, and keeping one would hide a corrupt file), trailing content, nesting deeper than
 * {@link #MAX_DEPTH}, a number longer than {@link #MAX_NUMBER_LENGTH} characters, and everything
 * Jackson refuses by default (comments, single quotes, NaN, leading zeros, control characters).
 *
 * <p>Writing ({@link #write}, for plans, stats and benchmark results): maps in their iteration
 * order, each entry on its own line indented by two spaces; arrays on one line ({@code [1, 2]},
 * an object inside one opening on the same line); non-finite numbers as {@code null}; a final
 * newline. Equal inputs give byte-identical text. {@link #writeCompact} writes the same values on
 * one line without spaces (a safetensors header).
 */
public final class Json {
  private Json() {}

  /** Bounds nesting so hostile input gets an error instead of a StackOverflowError. */
  public static final int MAX_DEPTH = 512;
  /** Far above any size or offset a file of ours holds; a longer number is an attack on BigInteger parsing. */
  public static final int MAX_NUMBER_LENGTH = 100;

  private static final ObjectMapper READER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  static {
    READER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build());
  }

  private static final ObjectMapper WRITER = JsonMapper.builder().build();

  /** Malformed JSON, with the character offset where it was detected. */
  public static final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long offset;

    JsonException(String message, long offset) {
      super(message + " at offset " + offset, null, false, false);
      this.offset = offset;
    }

    public long offset() {
      return offset;
    }
  }

  /** Parses one complete JSON text; surrounding whitespace is allowed. */
  public static Object parse(String text) {
    try {
      JsonNode tree = READER.readTree(text);
      if (tree == null || tree.isMissingNode()) throw new JsonException("no JSON value: the input is empty", text.length());
      return value(tree);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new JsonException(e.getOriginalMessage(), at == null ? 0 : Math.max(0, at.getCharOffset()));
    }
  }

  /** A parsed node as plain Java values (see the class comment). */
  private static Object value(JsonNode n) {
    return switch (n.getNodeType()) {
      case OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
        yield m;
      }
      case ARRAY -> {
        List<Object> l = new ArrayList<>(n.size());
        n.forEach(x -> l.add(value(x)));
        yield l;
      }
      case STRING -> n.textValue();
      case BOOLEAN -> n.booleanValue();
      case NUMBER -> n.isIntegralNumber() ? (n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue()) : (Object) n.doubleValue();
      case NULL -> null;
      case BINARY, MISSING, POJO -> throw new IllegalStateException("not a parsed JSON value: " + n.getNodeType());
    };
  }

  /** {@code value} (maps, lists, strings, numbers, booleans, null) as a document; see the class comment. */
  public static String write(Object value) {
    DefaultPrettyPrinter layout = new DefaultPrettyPrinter(Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withArrayValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator(""))
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance);
    return generate(value, layout) + "\n";
  }

  /** {@code value} on one line without spaces. */
  public static String writeCompact(Object value) {
    return generate(value, null);
  }

  private static String generate(Object value, DefaultPrettyPrinter layout) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = WRITER.getFactory().createGenerator(out)) {
      if (layout != null) g.setPrettyPrinter(layout);
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) g.writeNull();
    else if (v instanceof String s) g.writeString(s);
    else if (v instanceof Boolean b) g.writeBoolean(b);
    else if (v instanceof Integer || v instanceof Long) g.writeNumber(((Number) v).longValue());
    else if (v instanceof Float f) {
      if (Float.isFinite(f)) g.writeNumber(f);
      else g.writeNull();
    } else if (v instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isFinite(d)) g.writeNumber(d);
      else g.writeNull();
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (Object x : l) write(g, x);
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass());
    }
  }
}
