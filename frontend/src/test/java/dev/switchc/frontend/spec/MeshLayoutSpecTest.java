package dev.switchc.frontend.spec;

import dev.switchc.frontend.SwitchLayerSpec;
import static dev.switchc.frontend.spec.LayoutAssertions.rules;
import static dev.switchc.frontend.spec.LayoutAssertions.rulesAndWhere;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.Program;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.SourceLoc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid spec files with mesh and layout blocks. */
class MeshLayoutSpecTest {
  static final String LAYER = """
      switch_layer {
        batch = 8
        seq = 64
        d_model = 128
        d_ff = 512
        experts = 8
      }
      """;

  @Test
  void meshAndLayoutBlocks() {
    Program p = SpecFile.parse("s.swc", LAYER + """
        mesh {
          data = 2
          expert = 4
        }
        layout {
          batch = (data, expert)   # an ordered tuple, major first
          experts = expert         // a single axis
          d_model = ()
          group_unsplit = ()
        }
        """);
    assertEquals(Mesh.of(new MeshAxis("data", 2), new MeshAxis("expert", 4)), p.mesh().value());
    assertEquals("""
        batch = (data, expert)  <- s.swc:13:3
        seq = ()  <- (default)
        d_model = ()  <- s.swc:15:3
        d_ff = ()  <- (default)
        experts = expert  <- s.swc:14:3
        group = (data, expert)  <- (default)
        token = ()  <- (default)
        expert_capacity = ()  <- (default)
        experts_unsplit = ()  <- (default)
        group_unsplit = ()  <- s.swc:16:3
        """, rulesAndWhere(p.layout()));
    assertEquals(SpecFile.parse("s.swc", LAYER).definition(), p.definition(SwitchLayerSpec.class));
  }

  @Test
  void locationsOfRulesAxesAndDefaults() {
    Program p = SpecFile.parse("s.swc", LAYER + """
        mesh { data = 2  expert = 4 }
        layout { batch = (data, expert) }
        """);
    Layout l = p.layout();
    assertEquals(new SourceLoc("s.swc", 9, 10, "batch = (data, expert)"), l.whereOf("batch"));
    // a default rule is located at its minor mesh axis: the line to change when it does not fit
    assertEquals(new SourceLoc("s.swc", 8, 15, "default rule group_unsplit = data"), l.whereOf("group_unsplit"));
    assertEquals(new SourceLoc("s.swc", 8, 27, "default rule experts = expert"), l.whereOf("experts"));
    assertEquals(new SourceLoc("s.swc", 0, 0, "default rule token = ()"), l.whereOf("token"));
    assertEquals(new SourceLoc("s.swc", 8, 1, "mesh"), p.mesh().block());
    assertEquals(new SourceLoc("s.swc", 8, 15, "data = 2"), p.mesh().of("data"));
    assertEquals(new SourceLoc("s.swc", 8, 27, "expert = 4"), p.mesh().of("expert"));
  }

  @Test
  void aRuleReplacesItsDimensionsDefaultOnly() {
    Program p = SpecFile.parse("s.swc", LAYER + """
        mesh { data = 2 expert = 2 model = 2 }
        layout {
          d_ff = ()            # removes the default d_ff = model
          d_model = model
          group = (expert, data)
        }
        """);
    assertEquals("""
        batch = (data, expert)
        seq = ()
        d_model = model
        d_ff = ()
        experts = expert
        group = (expert, data)
        token = ()
        expert_capacity = ()
        experts_unsplit = ()
        group_unsplit = data
        """, rules(p.layout()));
  }

  @Test
  void noMeshIsASingleDeviceWithEverythingWhole() {
    Program p = SpecFile.parse("s.swc", LAYER);
    assertEquals(Mesh.SINGLE, p.mesh().value());
    assertEquals(DefaultLayout.forLayer(Mesh.SINGLE, "s.swc"), p.layout());
    assertEquals(new SourceLoc("s.swc", 0, 0, "mesh"), p.mesh().block());
    assertEquals(Program.single(p.definition(SwitchLayerSpec.class)).layout().rules(), p.layout().rules());
  }

  @Test
  void emptyMeshBlockAndLayoutOfWholeDimensionsOnly() {
    Program p = SpecFile.parse("s.swc", LAYER + "mesh { }\nlayout { d_model = () }\n");
    assertEquals(Mesh.SINGLE, p.mesh().value());
    assertEquals(SpecFile.parse("s.swc", LAYER).layout().rules(), p.layout().rules());
    assertEquals(new SourceLoc("s.swc", 9, 10, "d_model = ()"), p.layout().whereOf("d_model"));
  }

  @Test
  void blocksInAnyOrderWithSemicolonsAndOneLine() {
    Program a = SpecFile.parse("a.swc", "layout { experts = expert; batch = (data,expert); }\nmesh { data = 2; expert = 4; }\n" + LAYER);
    Program b = SpecFile.parse("b.swc", LAYER + "mesh {\n data = 2\n expert = 4\n}\nlayout {\n batch = (data, expert)\n experts = expert\n}\n");
    assertEquals(b.mesh().value(), a.mesh().value());
    assertEquals(b.layout().rules(), a.layout().rules());
    assertEquals(b.spec(SwitchLayerSpec.class), a.spec(SwitchLayerSpec.class));
  }

  @Test
  void axisSizesWithPlusSignAndOneDeviceAxes() {
    Program p = SpecFile.parse("s.swc", LAYER + "mesh { data = +2 expert = 1 }\n");
    assertEquals(Mesh.of(new MeshAxis("data", 2), new MeshAxis("expert", 1)), p.mesh().value());
    assertEquals(List.of("expert"), p.layout().axes("experts"));
  }

  @Test
  void parseOfAFileWithMeshAndLayoutStillReturnsTheLayer(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s.swc");
    String text = LAYER + "mesh { expert = 2 }\nlayout { batch = expert }\n";
    Files.writeString(file, text);
    assertEquals(SpecFile.parse("s.swc", LAYER).spec(), SpecFile.parse(file).spec());
    assertEquals(SpecFile.parse(file.toString(), text), SpecFile.parse(file));
    assertEquals(SpecFile.parse("s.swc", LAYER).spec(), Overrides.load("s.swc", text, List.of()).spec());
  }
}
