package dev.switchc.runtime.tpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The addresses of abseil's logging state that {@link XlaBridge#setLogSeverity} writes
 * (tf_natives.h) are those of the symbols in the TensorFlow natives' own symbol tables, with the
 * sizes written (4-byte ints, a 1-byte flag). A wrong address would corrupt another variable.
 */
class AbslLogStateTest {
  private static final Map<String, String> SYMBOLS = Map.of(
      "MIN_LOG_LEVEL", "_ZN4absl12lts_2023080212_GLOBAL__N_113min_log_levelE.0",
      "STDERR_THRESHOLD", "_ZN4absl12lts_2023080212_GLOBAL__N_115stderrthresholdE.0",
      "LOGGING_INITIALIZED", "_ZN4absl12lts_2023080212log_internal12_GLOBAL__N_119logging_initializedE.0");

  @Test
  void addressesInTfNativesHeaderAreTheSymbolsOfTheLibraries() throws Exception {
    String header = Files.readString(Path.of("src", "main", "native", "tf_natives.h"), StandardCharsets.UTF_8);
    TfNatives.load();
    for (String lib : new String[] {"cc", "framework"}) {
      Map<String, long[]> table = symbols(TfNatives.directory().resolve("libtensorflow_" + lib + ".so.2"));
      for (Map.Entry<String, String> e : SYMBOLS.entrySet()) {
        Matcher m = Pattern.compile("#define SWITCHC_TF_" + lib.toUpperCase() + "_ABSL_" + e.getKey() + " 0x([0-9a-f]+)UL").matcher(header);
        assertTrue(m.find(), lib + " " + e.getKey() + " in tf_natives.h");
        long[] symbol = table.get(e.getValue());
        assertTrue(symbol != null, e.getValue() + " in libtensorflow_" + lib);
        assertEquals(symbol[0], Long.parseLong(m.group(1), 16), lib + " " + e.getKey());
        assertEquals(e.getKey().equals("LOGGING_INITIALIZED") ? 1 : 4, symbol[1], lib + " " + e.getKey() + " size");
      }
    }
  }

  /** Address and size of the wanted local symbols, from {@code nm -S} (binutils comes with the g++ the build needs). */
  private static Map<String, long[]> symbols(Path library) throws Exception {
    Process nm = new ProcessBuilder("nm", "-S", library.toString()).redirectErrorStream(true).start();
    Map<String, long[]> found = new LinkedHashMap<>();
    try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(nm.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        String[] f = line.split(" ");
        if (f.length == 4 && SYMBOLS.containsValue(f[3])) found.put(f[3], new long[] {Long.parseLong(f[0], 16), Long.parseLong(f[1], 16)});
      }
    }
    assertEquals(0, nm.waitFor());
    return found;
  }
}
