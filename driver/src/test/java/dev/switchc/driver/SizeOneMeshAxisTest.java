package dev.switchc.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.frontend.Mode;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.ir.plan.CollectiveKind;
import dev.switchc.ir.plan.Plan;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Found by PlanRenderersFuzzTest: an expert axis of size 1 ({@code --mesh data=2,expert=1}) made
 * the sharding pass emit an all-to-all over groups of one device, which the IR verifier rejects,
 * so planning failed with an IrVerificationError. An axis of size 1 splits nothing: the plan
 * must move the same bytes and give inputs, parameters and results the same local shapes as
 * without that axis. (All-reduces over it stay, sending nothing, as on a one-device mesh.)
 */
class SizeOneMeshAxisTest {
  private static final String LAYER = "switch_layer { batch = 8 seq = 16 d_model = 8 d_ff = 16 experts = 4 }";

  private static Plan plan(String mesh, List<String> layouts) {
    Compilation c = Compilation.of(Overrides.load("layer.swc", LAYER, List.of(), Optional.of(mesh), layouts), Mode.EVAL);
    c.spmdText(); // the SPMD module is lowered from the same sharded function
    return c.plan();
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {"data=2,expert=1; data=2", "data=1,expert=1; data=1", "expert=1,model=2; model=2",
      "expert=1; expert=1", "data=2,expert=1,model=1; data=2"})
  void planIsThatOfTheMeshWithoutTheAxis(String withSizeOneAxes, String without) {
    for (List<String> layouts : List.of(List.<String>of(), List.of("experts_unsplit="))) {
      Plan a = plan(withSizeOneAxes, layouts), b = plan(without, layouts);
      assertTrue(a.collectives().stream().noneMatch(x -> x.kind() == CollectiveKind.ALL_TO_ALL && x.groupSize() == 1), () -> a.collectives().toString());
      assertEquals(b.collectives().stream().mapToLong(Plan.Collective::bytesSentPerDevice).sum(),
          a.collectives().stream().mapToLong(Plan.Collective::bytesSentPerDevice).sum());
      assertEquals(namedLocalTypes(b), namedLocalTypes(a));
    }
  }

  /**
   * The second finding: group split over axes that are all of size 1 made the reshape of the
   * input into groups gather over one device. The plan is the single device's.
   */
  @Test
  void groupSplitOverSizeOneAxesOnly() {
    Plan a = plan("data=1,expert=1,model=1", List.of("group=data+expert+model")), b = plan("", List.of());
    assertEquals(0, a.collectives().stream().mapToLong(Plan.Collective::bytesSentPerDevice).sum());
    assertEquals(namedLocalTypes(b), namedLocalTypes(a));
  }

  /** Inputs, parameters and results (intermediate values are numbered, %n). */
  private static List<String> namedLocalTypes(Plan p) {
    return p.tensors().stream().filter(t -> !t.name().startsWith("%")).map(t -> t.name() + " " + t.local()).toList();
  }
}
