package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.SwitchLayerIr;
import dev.switchc.frontend.spec.SpecFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden StableHLO for tiny layers (a complement to the numeric tests, which check meaning).
 * Regenerate after an intended change with {@code mvn -pl tests test -Dswitchc.updateGolden=true}
 * and review the diff.
 */
class GoldenStableHloTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden");

  @ParameterizedTest
  @ValueSource(strings = {"tiny-gather", "tiny-einsum-bf16"})
  void matchesGolden(String name) throws Exception {
    String spec = Files.readString(GOLDEN.resolve(name + ".swc"));
    String text = dev.switchc.lowering.StableHlo.compile(SwitchLayerIr.build(SpecFile.parse(name + ".swc", spec).definition(dev.switchc.frontend.SwitchLayerSpec.class), Mode.EVAL)).text();
    Path golden = GOLDEN.resolve(name + ".mlir");
    if (Boolean.getBoolean("switchc.updateGolden")) Files.writeString(golden, text);
    assertEquals(Files.readString(golden), text, "StableHLO for " + name + " changed; see the class comment to regenerate");
    assertFalse(text.contains("?"), "every shape must be static");
  }
}
