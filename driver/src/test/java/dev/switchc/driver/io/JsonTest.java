package dev.switchc.driver.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON reader's strictness (duplicate keys, depth, number length) and the writer's layout. */
class JsonTest {
  @Test
  void parsesAllValueKinds() {
    Object v = Json.parse(" {\"z\": [1, -0, 2.5, -1e3, 9223372036854775808, true, false, null],"
        + " \"a\": {\"nested\": []}, \"s\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\ud83d\\ude42\"} \n");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("z", "a", "s"), List.copyOf(m.keySet()), "document order");
    List<?> z = (List<?>) m.get("z");
    assertEquals(1L, z.get(0));
    assertEquals(0L, z.get(1));
    assertEquals(2.5, z.get(2));
    assertEquals(-1000.0, z.get(3));
    assertEquals(new BigInteger("9223372036854775808"), z.get(4));
    assertEquals(Boolean.TRUE, z.get(5));
    assertEquals(Boolean.FALSE, z.get(6));
    assertNull(z.get(7));
    assertEquals(Map.of("nested", List.of()), m.get("a"));
    assertEquals("\"\\/\b\f\n\r\tAé🙂", m.get("s"));
    assertEquals("x", Json.parse("\"x\""));
    assertEquals(List.of(), Json.parse("[ ]"));
  }

  @Test
  void rejectsMalformedInput() {
    String[] cases = {"", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{'a':1}", "01", "-", "1.", "1e", ".5", "\"abc", "\"a\nb\"", "\"\\q\"",
        "\"\\u12g4\"", "\"\\u12", "tru", "nul", "{} {}", "// comment\n{}", "NaN", "[1] x"};
    for (String c : cases) {
      Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(c), c);
      assertTrue(e.offset() >= 0 && e.offset() <= c.length(), () -> c + " -> " + e.getMessage());
      assertTrue(e.getMessage().endsWith(" at offset " + e.offset()), e.getMessage());
    }
  }

  @Test
  void aDuplicateKeyIsRefused() {
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"k\":1,\"a\":{},\"k\":2}"));
    assertTrue(e.getMessage().contains("Duplicate field 'k'"), e.getMessage());
    e = assertThrows(Json.JsonException.class, () -> Json.parse("[{\"x\":{\"y\":1,\"y\":1}}]"));
    assertTrue(e.getMessage().contains("Duplicate field 'y'"), e.getMessage());
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    char[] open = new char[100_000];
    Arrays.fill(open, '[');
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(new String(open)));
    assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    Json.parse(ok);
    String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThrows(Json.JsonException.class, () -> Json.parse(tooDeep));
  }

  @Test
  void aHugeNumberIsRefusedBeforeItIsConverted() {
    String digits = "9".repeat(Json.MAX_NUMBER_LENGTH + 1);
    Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"offset\": " + digits + "}"));
    assertTrue(e.getMessage().contains("Number value length"), e.getMessage());
    assertThrows(Json.JsonException.class, () -> Json.parse("[1." + digits + "]"));
    assertThrows(Json.JsonException.class, () -> Json.parse("[" + "1".repeat(1_000_000) + "]"));
    assertEquals(new BigInteger("9".repeat(Json.MAX_NUMBER_LENGTH)), Json.parse("9".repeat(Json.MAX_NUMBER_LENGTH)));
  }

  @Test
  void writesTheStableLayout() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("name", "data");
    inner.put("size", 2);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("program", "switch \"layer\"\n");
    doc.put("axes", List.of(inner, Map.of()));
    doc.put("empty", List.of());
    doc.put("facts", new LinkedHashMap<>());
    doc.put("numbers", List.of(1, 2L, 0.5f, 1e-7, Double.NaN, Float.POSITIVE_INFINITY));
    doc.put("flag", true);
    doc.put("nothing", null);
    assertEquals("""
        {
          "program": "switch \\"layer\\"\\n",
          "axes": [{
            "name": "data",
            "size": 2
          }, {}],
          "empty": [],
          "facts": {},
          "numbers": [1, 2, 0.5, 1.0E-7, null, null],
          "flag": true,
          "nothing": null
        }
        """, Json.write(doc));
    Map<String, Object> compact = new LinkedHashMap<>();
    compact.put("a", List.of(1, 2));
    compact.put("b", Map.of("c", "d"));
    assertEquals("{\"a\":[1,2],\"b\":{\"c\":\"d\"}}", Json.writeCompact(compact));
    assertEquals(doc.keySet(), ((Map<?, ?>) Json.parse(Json.write(doc))).keySet());
  }
}
