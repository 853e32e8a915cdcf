package dev.switchc.frontend.spec;

import static dev.switchc.frontend.spec.LayoutAssertions.rulesAndWhere;
import static dev.switchc.frontend.spec.SpecAssertions.assertRendered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.frontend.Located;
import dev.switchc.frontend.SwitchLayer;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.Program;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.SourceLoc;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DSL for mesh and layout: the same program as the spec file, and the same checks at the call that failed. */
class ProgramDslTest {
  private static final String FILE = "ProgramDslTest.java";
  private static final String DIMENSIONS = "the layer's dimensions: batch, seq, d_model, d_ff, experts, group, token,"
      + " expert_capacity, experts_unsplit, group_unsplit";

  private static Located<SwitchLayerSpec> layer() {
    return SwitchLayer.builder().batch(8).seq(64).dModel(128).dFf(512).experts(8).build();
  }

  /** The line after the caller's, where the DSL call under test is written. */
  private static int nextLine() {
    return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow()).getLineNumber() + 1;
  }

  /** How a diagnostic at a DSL call on {@code line} of this file renders its place. */
  private static String at(int line) {
    return new SourceLoc(FILE, line, 0, "").toString();
  }

  /** Same values as the spec, ignoring where each was written. */
  private static void assertSameProgram(Program expected, Program actual) {
    assertEquals(expected.spec(SwitchLayerSpec.class), actual.spec(SwitchLayerSpec.class));
    assertEquals(expected.mesh().value(), actual.mesh().value());
    assertEquals(expected.layout().rules(), actual.layout().rules());
  }

  @Test
  void dslEqualsSpec() {
    Program spec = SpecFile.parse("s.swc", MeshLayoutSpecTest.LAYER + """
        mesh { data = 2  expert = 4 }
        layout {
          batch = (data, expert)
          d_model = ()
          d_ff = expert
        }
        """);
    Program dsl = Program.of(layer())
        .mesh("data", 2).mesh("expert", 4)
        .layout("batch", "data", "expert")
        .layout("d_model")
        .layout("d_ff", "expert")
        .build();
    assertSameProgram(spec, dsl);
    assertEquals(Mesh.of(new MeshAxis("data", 2), new MeshAxis("expert", 4)), dsl.mesh().value());
  }

  @Test
  void dslEqualsSpecOnTheDefaultMeshes() {
    for (String mesh : List.of("data=2", "expert=4", "data=2,expert=4", "expert=2,model=2", "data=2,expert=2,model=2")) {
      StringBuilder block = new StringBuilder("mesh {");
      Program.Builder dsl = Program.of(layer());
      for (MeshAxis a : ShardingFlags.parseMesh(mesh).value().axes()) {
        block.append(' ').append(a.name()).append(" = ").append(a.size());
        dsl.mesh(a.name(), a.size());
      }
      Program spec = SpecFile.parse("s.swc", MeshLayoutSpecTest.LAYER + block + " }\n");
      assertSameProgram(spec, dsl.build());
    }
    assertSameProgram(SpecFile.parse("s.swc", MeshLayoutSpecTest.LAYER), Program.of(layer()).build());
    assertSameProgram(SpecFile.parse("s.swc", MeshLayoutSpecTest.LAYER), Program.single(layer()));
  }

  @Test
  void callsAreLocatedWhereTheyAreWritten() {
    int line = nextLine();
    Program p = Program.of(layer()).mesh("expert", 2).layout("batch", "expert").build();
    assertEquals(new SourceLoc(FILE, line, 0, "layout(\"batch\", \"expert\")"), p.layout().whereOf("batch"));
    assertEquals(new SourceLoc(FILE, line, 0, "mesh(\"expert\", 2)"), p.mesh().of("expert"));
    assertEquals(new SourceLoc(FILE, line, 0, "Program.of(...)"), p.mesh().block());
    assertEquals("experts = expert  <- (default)\n", rulesAndWhere(p.layout()).lines()
        .filter(l -> l.startsWith("experts ")).map(l -> l + "\n").findFirst().orElseThrow());
  }

  @Test
  void meshErrorsAtTheCall() {
    int line = nextLine();
    Runnable build = () -> Program.of(layer()).mesh("data", 2).mesh("data", 4).mesh("expert", 0).mesh("Model", 2).build();
    assertRendered(build::run,
        at(line) + ": error: mesh(\"data\", 4): duplicate mesh axis 'data', first declared at " + FILE + ":" + line
            + " (mesh(\"data\", 2)); remove one of them",
        at(line) + ": error: mesh(\"expert\", 0): must be at least 1; expected a positive integer, the number of devices along 'expert'",
        at(line) + ": error: mesh(\"Model\", 2): mesh axis name 'Model' must be lower snake_case (a lowercase letter, then"
            + " lowercase letters, digits or '_'); use a name such as 'model'");
  }

  @Test
  void layoutErrorsAtTheCall() {
    int line = nextLine();
    Runnable build = () -> Program.of(layer()).mesh("data", 2).mesh("expert", 4)
        .layout("batch", "data", "data").layout("expert", "expert").layout("d_ff", "model").layout("experts", "expret")
        .layout("d_ff").build();
    String l = at(line + 1);
    assertRendered(build::run,
        l + ": error: layout(\"batch\", \"data\", \"data\"): axis 'data' appears twice; a dimension is split over each mesh"
            + " axis at most once: write .layout(\"batch\", \"data\")",
        l + ": error: layout(\"expert\", \"expert\"): unknown dimension 'expert' in layout; did you mean 'experts'? " + DIMENSIONS,
        at(line + 2) + ": error: layout(\"d_ff\"): duplicate layout rule for 'd_ff', first at " + FILE + ":" + (line + 1)
            + " (layout(\"d_ff\", \"model\")); remove one of them",
        l + ": error: layout(\"d_ff\", \"model\"): the mesh has no axis 'model'; mesh axes: data, expert (from mesh(...) calls);"
            + " use one of them or add .mesh(\"model\", N)",
        l + ": error: layout(\"experts\", \"expret\"): the mesh has no axis 'expret'; did you mean 'expert'? mesh axes: data,"
            + " expert (from mesh(...) calls)");
  }

  @Test
  void layoutWithoutMeshCalls() {
    int line = nextLine();
    Runnable build = () -> Program.of(layer()).layout("experts", "expert").build();
    assertRendered(build::run,
        at(line) + ": error: layout(\"experts\", \"expert\"): the mesh has no axis 'expert'; there is no mesh(...) call, so"
            + " the layer runs on one device; add one, e.g. .mesh(\"expert\", N), or remove the rule");
  }

  @Test
  void theRecordRefusesALayoutNamingAnAxisOutsideItsMesh() {
    Program p = Program.single(layer());
    Layout bad = new Layout(Map.of("experts", List.of("expert")), Map.of());
    assertThrows(IllegalArgumentException.class, () -> new Program(p.definition(SwitchLayerSpec.class), p.mesh(), bad));
  }
}
