package dev.switchc.frontend.spec;

import static dev.switchc.frontend.spec.LayoutAssertions.rules;
import static dev.switchc.frontend.spec.LayoutAssertions.rulesAndWhere;
import static dev.switchc.frontend.spec.SpecAssertions.assertRendered;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.frontend.LayoutRule;
import dev.switchc.frontend.Program;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.SourceLoc;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code --mesh} and {@code --layout}, read on their own and applied to a spec file. */
class ShardingFlagsTest {
  private static final String SPEC = MeshLayoutSpecTest.LAYER + """
      mesh { data = 2 expert = 4 }
      layout {
        experts = expert
        d_model = ()
      }
      """;
  private static final String SIZE = "expected a positive integer, the number of devices along ";
  private static final String DIMENSIONS = "the layer's dimensions: batch, seq, d_model, d_ff, experts, group, token,"
      + " expert_capacity, experts_unsplit, group_unsplit";

  private static Program apply(Optional<String> mesh, String... layouts) {
    return Overrides.load("s.swc", SPEC, List.of(), mesh, List.of(layouts));
  }

  @Test
  void meshFlag() {
    assertEquals(Mesh.of(new MeshAxis("data", 2), new MeshAxis("expert", 4)), ShardingFlags.parseMesh("data=2,expert=4").value());
    assertEquals(Mesh.of(new MeshAxis("data", 2), new MeshAxis("expert", 4)), ShardingFlags.parseMesh(" data = 2 , expert=4 ").value());
    assertEquals(new SourceLoc("--mesh data=2,expert=4", 0, 0, "expert=4"), ShardingFlags.parseMesh("data=2,expert=4").of("expert"));
    assertEquals(Mesh.SINGLE, ShardingFlags.parseMesh("").value());
  }

  @Test
  void layoutFlag() {
    String flag = "batch=data+expert,experts=expert,d_model=";
    SourceLoc at = new SourceLoc("--layout " + flag, 0, 0, "");
    assertEquals(List.of(new LayoutRule("batch", List.of("data", "expert"), at.describing("batch=data+expert")),
        new LayoutRule("experts", List.of("expert"), at.describing("experts=expert")),
        new LayoutRule("d_model", List.of(), at.describing("d_model="))), ShardingFlags.parseLayout(flag));
    assertEquals(List.of(), ShardingFlags.parseLayout(""));
  }

  @Test
  void meshFlagReplacesTheFilesMeshAndTheDefaultsFollow() {
    Program p = apply(Optional.of("expert=2,model=2"));
    assertEquals(Mesh.of(new MeshAxis("expert", 2), new MeshAxis("model", 2)), p.mesh().value());
    assertEquals("""
        batch = expert  <- (default)
        seq = ()  <- (default)
        d_model = ()  <- s.swc:11:3
        d_ff = model  <- (default)
        experts = expert  <- s.swc:10:3
        group = expert  <- (default)
        token = ()  <- (default)
        expert_capacity = ()  <- (default)
        experts_unsplit = ()  <- (default)
        group_unsplit = ()  <- (default)
        """, rulesAndWhere(p.layout()));
  }

  @Test
  void layoutFlagReplacesIndividualRulesAndLaterFlagsWin() {
    Program p = apply(Optional.empty(), "batch=expert+data,experts=", "d_model=expert,batch=data");
    assertEquals("""
        batch = data  <- --layout d_model=expert,batch=data
        seq = ()  <- (default)
        d_model = expert  <- --layout d_model=expert,batch=data
        d_ff = ()  <- (default)
        experts = ()  <- --layout batch=expert+data,experts=
        group = (data, expert)  <- (default)
        token = ()  <- (default)
        expert_capacity = ()  <- (default)
        experts_unsplit = ()  <- (default)
        group_unsplit = data  <- (default)
        """, rulesAndWhere(p.layout()));
  }

  @Test
  void flagsOnAParsedProgramEqualFlagsOnTheFile() {
    Program parsed = SpecFile.parse("s.swc", SPEC);
    Program viaProgram = ShardingFlags.apply(parsed, Optional.of("expert=2,model=2"), List.of("batch=", "d_ff=expert"));
    Program viaFile = apply(Optional.of("expert=2,model=2"), "batch=", "d_ff=expert");
    assertEquals(viaFile, viaProgram);
    assertEquals(parsed, ShardingFlags.apply(parsed, Optional.empty(), List.of()));
  }

  @Test
  void fileRulesAreCheckedAgainstTheMeshFromTheFlag() {
    assertRendered(() -> apply(Optional.of("data=2,model=2")),
        "s.swc:10:13: error: experts = expert: the mesh has no axis 'expert'; mesh axes: data, model (--mesh data=2,model=2);"
            + " use one of them or add expert=N to --mesh");
    assertRendered(() -> apply(Optional.of("")),
        "s.swc:10:13: error: experts = expert: the mesh has no axis 'expert'; --mesh '' declares no axes, so the layer runs"
            + " on one device; add expert=N to --mesh, or remove the rule");
    // ... and a --layout can take the rule back.
    assertEquals(List.of(), apply(Optional.of(""), "experts=").layout().axes("experts"));
  }

  @Test
  void meshFlagErrors() {
    assertRendered(() -> ShardingFlags.parseMesh("data=2,expert=x"),
        "--mesh data=2,expert=x: error: expert=x: 'x' is not a number; " + SIZE + "'expert'");
    assertRendered(() -> ShardingFlags.parseMesh("data=2,data=4"),
        "--mesh data=2,data=4: error: data=4: duplicate mesh axis 'data', first declared as 'data=2'; remove one of them");
    assertRendered(() -> ShardingFlags.parseMesh("data=0,expert=1.5,model=-2"),
        "--mesh data=0,expert=1.5,model=-2: error: data=0: must be at least 1; " + SIZE + "'data'",
        "--mesh data=0,expert=1.5,model=-2: error: expert=1.5: '1.5' is not an integer; " + SIZE + "'expert'",
        "--mesh data=0,expert=1.5,model=-2: error: model=-2: must be at least 1; " + SIZE + "'model'");
    assertRendered(() -> ShardingFlags.parseMesh("data,=2,expert="),
        "--mesh data,=2,expert=: error: expected axis=size, got 'data'; write --mesh data=<size>, e.g. --mesh data=2,expert=4",
        "--mesh data,=2,expert=: error: expected axis=size, got '=2'; write --mesh <axis>=<size>, e.g. --mesh data=2,expert=4",
        "--mesh data,=2,expert=: error: expert=: the size is missing; " + SIZE + "'expert'");
    assertRendered(() -> ShardingFlags.parseMesh("data=2,,expert=4"),
        "--mesh data=2,,expert=4: error: empty entry in 'data=2,,expert=4'; write --mesh axis=size,axis=size, e.g. --mesh data=2,expert=4");
    assertRendered(() -> ShardingFlags.parseMesh("Data=2"),
        "--mesh Data=2: error: Data=2: mesh axis name 'Data' must be lower snake_case (a lowercase letter, then lowercase"
            + " letters, digits or '_'); use a name such as 'data'");
    assertRendered(() -> ShardingFlags.parseMesh("data=65536,expert=65536"),
        "--mesh data=65536,expert=65536: error: the mesh data=65536,expert=65536 has more than 2147483647 devices; use fewer or smaller axes");
  }

  @Test
  void layoutFlagErrors() {
    assertRendered(() -> ShardingFlags.parseLayout("expert=expert"),
        "--layout expert=expert: error: expert=expert: unknown dimension 'expert' in layout; did you mean 'experts'? " + DIMENSIONS);
    assertRendered(() -> ShardingFlags.parseLayout("batch=data,batch=expert"),
        "--layout batch=data,batch=expert: error: batch=expert: duplicate layout rule for 'batch', first as 'batch=data'; remove one of them");
    assertRendered(() -> ShardingFlags.parseLayout("batch=data+expert+data"),
        "--layout batch=data+expert+data: error: batch=data+expert+data: axis 'data' appears twice; a dimension is split over"
            + " each mesh axis at most once: write batch=data+expert");
    assertRendered(() -> ShardingFlags.parseLayout("batch,=data"),
        "--layout batch,=data: error: expected dimension=axes, got 'batch'; write --layout batch=<axes> with axes joined by '+'"
            + " (nothing for whole), e.g. --layout batch=data+expert",
        "--layout batch,=data: error: expected dimension=axes, got '=data'; write --layout <dimension>=<axes> with axes joined"
            + " by '+' (nothing for whole), e.g. --layout batch=data+expert");
    assertRendered(() -> ShardingFlags.parseLayout("batch=data+,group=+expert"),
        "--layout batch=data+,group=+expert: error: batch=data+: empty axis name; join axes with '+', e.g. batch=data+expert",
        "--layout batch=data+,group=+expert: error: group=+expert: empty axis name; join axes with '+', e.g. group=data+expert");
    assertRendered(() -> ShardingFlags.parseLayout("batch=(data,expert),experts=expert"),
        "--layout batch=(data,expert),experts=expert: error: batch=(data,expert): write the axes joined by '+', e.g. batch=data+expert");
    assertRendered(() -> ShardingFlags.parseLayout("batch=data,,d_model="),
        "--layout batch=data,,d_model=: error: empty entry in 'batch=data,,d_model='; write --layout dim=axes,dim=axes with axes"
            + " joined by '+', e.g. --layout batch=data+expert,d_model=");
  }

  @Test
  void layoutFlagAxisNotInTheMesh() {
    assertRendered(() -> apply(Optional.empty(), "d_ff=model,group=data+expret"),
        "--layout d_ff=model,group=data+expret: error: d_ff=model: the mesh has no axis 'model'; mesh axes: data, expert"
            + " (mesh block at 8:1); use one of them or add 'model = N' to the mesh block",
        "--layout d_ff=model,group=data+expret: error: group=data+expret: the mesh has no axis 'expret'; did you mean 'expert'?"
            + " mesh axes: data, expert (mesh block at 8:1)");
  }

  @Test
  void fileSetMeshAndLayoutErrorsAreReportedTogether() {
    assertRendered(() -> Overrides.load("s.swc", SPEC.replace("seq = 64", "seq = 0"), List.of("batch=x"),
            Optional.of("data=2,expert=y"), List.of("experts=expret")),
        "s.swc:3:9: error: seq = 0: must be at least 1; expected a positive integer",
        "--set batch=x: error: batch = x: 'x' is not a number; expected a positive integer",
        "--mesh data=2,expert=y: error: expert=y: 'y' is not a number; " + SIZE + "'expert'",
        "--layout experts=expret: error: experts=expret: the mesh has no axis 'expret'; did you mean 'expert'? mesh axes:"
            + " data, expert (--mesh data=2,expert=y)");
  }

  @Test
  void noFlagsIsTheSameAsParseProgram() {
    assertEquals(SpecFile.parse("s.swc", SPEC), apply(Optional.empty()));
    assertEquals(rules(SpecFile.parse("s.swc", SPEC).layout()), rules(apply(Optional.empty(), "").layout()));
  }
}
