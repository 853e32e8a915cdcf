package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchc.driver.Compilation;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.model.Presets;
import dev.switchc.ir.DType;
import dev.switchc.ir.plan.CollectiveKind;
import dev.switchc.ir.plan.Plan;
import dev.switchc.lowering.Lower;
import dev.switchc.runtime.tpu.CpuClient;
import dev.switchc.runtime.tpu.HloCollective;
import dev.switchc.runtime.tpu.PjrtProgram;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plan tells the truth about XLA: after XLA's SPMD partitioner and optimizer, every
 * cross-device collective of the program XLA will run is one that {@code switchc plan} lists, with
 * the same kind, replica groups, element type and bytes, and XLA has inserted none of its own (no
 * resharding the plan does not know about) and dropped none. XLA may combine several all-reduces
 * of the same groups into one with several operands: each operand is then matched on its own. It
 * may also split an array all-to-all into one operand per peer: their bytes add up to the plan's.
 */
class XlaCollectivesTest {
  static Stream<Arguments> programs() {
    return Stream.of(
        Arguments.of("switch layer", "data=2,expert=4", List.of(), Mode.EVAL),
        Arguments.of("switch layer", "expert=2,model=2", List.of(), Mode.TRAIN),
        // batch over data only: the pass gathers x (all_gather) before cutting groups over (data, expert)
        Arguments.of("switch layer", "data=2,expert=2", List.of("batch=data"), Mode.EVAL),
        Arguments.of("tiny-switch", "data=2,expert=2", List.of(), Mode.EVAL),
        Arguments.of("tiny-switch", "data=2,expert=2,model=2", List.of(), Mode.TRAIN));
  }

  static Program program(String name, String mesh, List<String> layout) {
    if (name.equals("switch layer"))
      return dev.switchc.frontend.spec.ProgramSource.ofFile(java.nio.file.Path.of("../examples/switch-layer.swc"),
          List.of("batch=8", "seq=32", "d_model=64", "d_ff=128", "group_size=16"), Optional.of(mesh), layout).load();
    return Presets.load(name, List.of("dropout=0.1", "expert_dropout=0.4", "router_jitter=0.05"), Optional.of(mesh), layout);
  }

  @ParameterizedTest(name = "{0} on {1} {2} {3}")
  @MethodSource("programs")
  void everyCollectiveXlaRunsIsOneThePlanLists(String name, String mesh, List<String> layout, Mode mode) {
    Compilation c = Compilation.of(program(name, mesh, layout), mode);
    if (!layout.isEmpty())
      assertTrue(c.plan().collectives().stream().anyMatch(p -> p.kind() == CollectiveKind.ALL_GATHER), "layout " + layout + " needs an all_gather");
    int[] counts = assertXlaRunsExactlyThePlansCollectives(c);
    System.out.printf("XlaCollectivesTest, %s on %s %s %s: %d collectives in XLA's partitioned program, %d in the plan, %d combined all-reduces%n",
        name, mesh, layout, mode, counts[0], c.plan().collectives().size(), counts[1]);
  }

  /** Every collective of XLA's partitioned {@code c} is one of its plan's, and none of the plan's is missing; returns XLA's count and how many were combined all-reduces. */
  static int[] assertXlaRunsExactlyThePlansCollectives(Compilation c) {
    List<HloCollective> xla;
    try (PjrtProgram p = PjrtProgram.compile(CpuClient.create(c.program().mesh().value().devices()), true, c.spmd(),
        Lower.signature(c.global()))) {
      xla = HloCollective.parse(p.optimizedHlo());
    }
    List<Plan.Collective> unmatched = new ArrayList<>(c.plan().collectives());
    assertFalse(unmatched.isEmpty(), "the plan lists collectives on a mesh of several devices");
    int combined = 0;
    for (HloCollective x : xla) {
      CollectiveKind kind = kind(x);
      if (kind == CollectiveKind.ALL_REDUCE) {
        // Each operand of a (possibly combined) all-reduce is one all-reduce of the plan.
        for (HloCollective.Operand operand : x.operands()) take(unmatched, x, kind, dtype(operand.type()), operand.bytes());
        if (x.operands().size() > 1) combined++;
      } else {
        DType dtype = dtype(x.operands().get(0).type());
        assertTrue(x.operands().stream().allMatch(o -> dtype(o.type()) == dtype), x.line());
        take(unmatched, x, kind, dtype, x.operandBytes());
      }
    }
    assertEquals(List.of(), unmatched, "collectives the plan lists that XLA's program does not run");
    return new int[] {xla.size(), combined};
  }

  /** Removes from {@code plan} a collective XLA's {@code x} (or one operand of it) is. */
  static void take(List<Plan.Collective> plan, HloCollective x, CollectiveKind kind, DType dtype, long bytes) {
    for (Plan.Collective p : plan)
      if (p.kind() == kind && p.dtype() == dtype && p.localBytes() == bytes && sameGroups(p.replicaGroups(), x.groups())) {
        plan.remove(p);
        return;
      }
    fail("XLA's partitioned program has a collective the plan does not list (" + kind + ", " + dtype + ", " + bytes + " bytes per device, groups "
        + x.groups() + "):\n  " + x.line() + "\nplan collectives left: " + plan);
  }

  /** The same groups, each with its members in the same order (the order of an all-to-all's pieces); the order of groups is free. */
  static boolean sameGroups(List<List<Integer>> plan, List<List<Integer>> xla) {
    return plan.size() == xla.size() && new HashSet<>(plan).equals(new HashSet<>(xla));
  }

  static CollectiveKind kind(HloCollective x) {
    return switch (x.opcode()) {
      case "all-reduce" -> CollectiveKind.ALL_REDUCE;
      case "all-gather" -> CollectiveKind.ALL_GATHER;
      case "all-to-all" -> CollectiveKind.ALL_TO_ALL;
      default -> throw new AssertionError("XLA's program has a " + x.opcode() + ", a kind of collective the plan never lists:\n  " + x.line());
    };
  }

  static DType dtype(String hloType) {
    return switch (hloType) {
      case "f32" -> DType.F32;
      case "bf16" -> DType.BF16;
      case "s32" -> DType.I32;
      case "u32" -> DType.U32;
      case "pred" -> DType.PRED;
      default -> throw new AssertionError("element type " + hloType + " in a collective");
    };
  }

}
