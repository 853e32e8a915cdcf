package dev.switchc.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonParserTest {
    @Test
    void parsesAllValueKinds() {
        Object v = JsonParser.parse(" {\"z\": [1, -0, 2.5, -1e3, 9223372036854775808, true, false, null],"
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
        assertEquals("x", JsonParser.parse("\"x\""));
        assertEquals(List.of(), JsonParser.parse("[ ]"));
    }

    @Test
    void rejectsMalformedInput() {
        String[][] cases = {
            {"", "end of input"},
            {"{\"a\":1,}", "expected a string key"},
            {"[1,]", "expected a value"},
            {"[1 2]", "expected ',' or ']'"},
            {"{\"a\" 1}", "expected ':'"},
            {"{'a':1}", "expected a string key"},
            {"01", "leading zero"},
            {"-", "expected a digit"},
            {"1.", "after '.'"},
            {"1e", "exponent"},
            {".5", "expected a value"},
            {"\"abc", "unterminated string"},
            {"\"a\nb\"", "control character U+000A"},
            {"\"\\q\"", "invalid escape"},
            {"\"\\u12g4\"", "invalid hex digit"},
            {"\"\\u12", "truncated"},
            {"tru", "expected a value"},
            {"nul", "expected a value"},
            {"{} {}", "after the JSON value"},
            {"{\"k\":1,\"k\":2}", "duplicate key \"k\""},
            {"// comment\n{}", "expected a value"},
            {"NaN", "expected a value"},
        };
        for (String[] c : cases) {
            JsonParser.JsonException e = assertThrows(JsonParser.JsonException.class, () -> JsonParser.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), () -> c[0] + " -> " + e.getMessage());
            assertTrue(e.offset() >= 0 && e.offset() <= c[0].length());
        }
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        char[] open = new char[100_000];
        Arrays.fill(open, '[');
        JsonParser.JsonException e = assertThrows(JsonParser.JsonException.class, () -> JsonParser.parse(new String(open)));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
        String ok = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
        JsonParser.parse(ok);
    }
}
