package dev.switchc.tests;

import static dev.switchc.tests.CliTest.args;
import static dev.switchc.tests.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.report.PlanText;
import dev.switchc.frontend.Mode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code switchc plan --train} shows the backward after the training-mode forward plan: the
 * gradients' bytes per device and the backward's collectives (then the step's memory per device). Without {@code --train} the plan
 * has no backward section, and the forward part of {@code --train}'s text is exactly the plan
 * it printed before.
 */
class ShardedGradPlanCliTest {
  /**
   * The layer with batch 4, seq 32, d_model 32, d_ff 64, 4 experts, groups of 32 tokens (4 groups,
   * one per device on data=2,expert=2), capacity factor 0.5: floor(32 x 0.5 / 4) = 4 slots per
   * expert and group.
   */
  static final List<String> LAYER = List.of("--set", "batch=4", "--set", "seq=32", "--set", "d_model=32", "--set", "d_ff=64",
      "--set", "experts=4", "--set", "group_size=32", "--set", "capacity_factor=0.5", "--set", "min_capacity=1", "--mesh", "data=2,expert=2");

  /**
   * Gradients per device: router/w 32 x 4 x 4 = 512 B, experts/wi and experts/wo 2 x 32 x 64 x 4 =
   * 16384 B each (2 of 4 experts), x 1 x 32 x 32 x 4 = 4096 B (1 of 4 sequences): 37376 B; whole:
   * 512 + 2 x 32768 + 16384 = 82432 B. Collectives: the combine's backward all-to-all (4 experts x
   * 1 group x 4 slots x 32 x 4 = 2048 B, half of it sent), the expert weights' all-reduces over data
   * only (each device sends 2 (n-1)/n of 16384 B = 16384 B), the dispatch's backward all-to-all
   * (from the experts' layout: 2 experts x 2 groups x 4 slots x 32 x 4 = 2048 B), and the router's
   * all-reduce over data and expert (2 x 3/4 x 512 = 768 B sent).
   */
  static final String BACKWARD = """

      backward (4 gradients of the training loss, one per float argument, sharded by the same rules)
        gradients         36.50 KiB per device (all devices: 80.50 KiB, each laid out as its parameter)

      backward collectives (after the forward's)
        kind        axes         group  dtype  operand per device  operand bytes  sent per device  from
        all_to_all  expert       2      f32    f32[4x1x4x32]       2.00 KiB       1.00 KiB         --set experts=4 experts=4
        all_reduce  data         2      f32    f32[2x64x32]        16.00 KiB      16.00 KiB        --set d_ff=64 d_ff=64
        all_reduce  data         2      f32    f32[2x32x64]        16.00 KiB      16.00 KiB        --set d_ff=64 d_ff=64
        all_to_all  expert       2      f32    f32[2x2x4x32]       2.00 KiB       1.00 KiB         --set experts=4 experts=4
        all_reduce  data+expert  4      f32    f32[32x4]           512 B          768 B            --set experts=4 experts=4
        sent per device per step: all_to_all 2.00 KiB, all_reduce 32.75 KiB
      """;

  @Test
  void trainShowsTheBackwardsCollectives() {
    CliTest.Outcome train = cli(args("plan", CliTest.EXAMPLE, LAYER, "--train"));
    assertEquals(0, train.status(), train.err());
    CliTest.Outcome forwardOnly = cli(args("plan", CliTest.EXAMPLE, LAYER));
    assertFalse(forwardOnly.out().contains("backward"), forwardOnly.out());
    int at = train.out().indexOf("\nbackward (");
    assertTrue(at > 0, train.out());
    // The memory per device follows the backward (PlanMemoryCliTest checks it).
    int memory = train.out().indexOf("\nmemory per device, one training step");
    assertTrue(memory > at, train.out());
    assertEquals(BACKWARD, train.out().substring(at, memory));
    Compilation forward = Compilation.of(dev.switchc.frontend.spec.ProgramSource.ofFile(CliTest.EXAMPLE,
        List.of("batch=4", "seq=32", "d_model=32", "d_ff=64", "experts=4", "group_size=32", "capacity_factor=0.5", "min_capacity=1"),
        Optional.of("data=2,expert=2"), List.of()).load(), Mode.TRAIN);
    assertEquals(PlanText.render(forward.plan()), train.out().substring(0, at), "before the backward, --train prints the training-mode forward plan as before");
  }

  /**
   * Every preset's training plan shows its backward, and the backward has one all-to-all for each
   * of the forward's (the reverse one), with the same operand sizes. Two per Switch layer: Switch-C
   * 15 + 15 (every FFN), switch-base-8 6 + 6 (every other of 12 + 12), tiny-switch-lm 2 (both
   * decoder layers); none for a dense model.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"switch-c, 60", "switch-base-8, 24", "tiny-switch-lm, 4", "tiny-dense, 0"})
  void everyForwardAllToAllHasItsReverse(String preset, int allToAlls) {
    ModelCliTest.Outcome o = ModelCliTest.cli("plan", "--preset", preset, "--train");
    assertEquals(0, o.status(), o.err());
    int at = o.out().indexOf("\nbackward (");
    assertTrue(at > 0, o.out());
    List<String> forward = allToAlls(o.out().substring(0, at)), backward = allToAlls(o.out().substring(at));
    assertEquals(allToAlls, forward.size(), "forward all-to-alls");
    assertEquals(forward.size(), backward.size(), "backward all-to-alls");
    assertEquals(forward.stream().sorted().toList(), backward.stream().sorted().toList(), "the same operands, sent the other way");
  }

  /** The all-to-all rows of a plan's text, without their 'from' column (kind, axes, group, dtype, operand, bytes). */
  static List<String> allToAlls(String text) {
    return text.lines().filter(l -> l.startsWith("  all_to_all")).map(l -> String.join(" ", java.util.Arrays.asList(l.trim().split("\\s+")).subList(0, 7))).toList();
  }
}
