package dev.switchc.runtime.tpu;

import static dev.switchc.runtime.cpu.spmd.EndToEndTest.einsum;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.inputs;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.layout;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.localInputs;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.localOps;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.mesh;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.relabels;
import static dev.switchc.runtime.cpu.spmd.EndToEndTest.unsharded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.DType;
import dev.switchc.ir.Func;
import dev.switchc.ir.Shard;
import dev.switchc.lowering.Lower;
import dev.switchc.lowering.SpmdLower;
import dev.switchc.lowering.StableHloPrinter;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import dev.switchc.runtime.cpu.spmd.EndToEndTest;
import dev.switchc.runtime.cpu.spmd.SpmdProgram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPMD modules compiled by XLA's SPMD partitioner and run on N XLA CPU devices with XLA's own
 * collectives ({@link PjrtProgram} on a {@link CpuClient}), checked against the unsharded program,
 * plain Java and switchc's emulation of the mesh: the same fixtures the emulation is tested on.
 */
class XlaMeshProgramTest {
  static PjrtProgram xla(HloModule spmd, Func f) {
    return PjrtProgram.compile(CpuClient.create(spmd.numPartitions()), true, spmd, Lower.signature(f));
  }

  static Map<String, HostTensor> onXla(HloModule spmd, Func f, Map<String, HostTensor> in) {
    try (PjrtProgram p = xla(spmd, f)) {
      return p.run(in);
    }
  }

  static Map<String, HostTensor> emulated(HloModule spmd, Func f, Map<String, HostTensor> in) {
    try (SpmdProgram p = SpmdProgram.load(spmd, Lower.signature(f))) {
      return p.run(in);
    }
  }

  static Stream<Arguments> einsumMeshes() {
    return Stream.of(Arguments.of("model=2", "d=model"), Arguments.of("data=2,model=2", "batch=data,d=model"),
        Arguments.of("model=2,data=2", "batch=data,d=model"), Arguments.of("data=2,model=4", "batch=data,d=model"),
        Arguments.of("data=2,model=2", "d=model+data"), Arguments.of("data=2,model=2", "batch=model,d=data"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("einsumMeshes")
  void einsumWithAnAllReduceEqualsTheUnshardedProgramAndTheEmulation(String meshSpec, String layoutSpec) {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh(meshSpec), layout(layoutSpec)));
    Map<String, HostTensor> exact = inputs(f, 1, true); // small integers: every order of additions gives the same bits
    Map<String, HostTensor> got = onXla(spmd, f, exact);
    assertEquals(unsharded(f, exact), got);
    assertArrayEquals(EndToEndTest.plainEinsum(exact.get("x").floats(), exact.get("w").floats(), 4, 8, 6), got.get("y").floats());
    Map<String, HostTensor> g = inputs(f, 7, false);
    float[] want = emulated(spmd, f, g).get("y").floats(), xla = onXla(spmd, f, g).get("y").floats();
    double scale = 0;
    for (float v : want) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < want.length; i++) assertEquals(want[i], xla[i], 1e-6 * scale, "y[" + i + "] on XLA vs the emulation");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("relabelMeshes")
  void allToAllAndAllGatherMoveDataWithoutChangingIt(String meshSpec) {
    Func f = relabels(8, 8);
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh(meshSpec), layout("a=expert,b2=expert")));
    Map<String, HostTensor> in = inputs(f, 3, false);
    Map<String, HostTensor> got = onXla(spmd, f, in);
    for (String name : List.of("swapped", "whole", "split")) assertArrayEquals(in.get("x").floats(), got.get(name).floats(), name);
    assertEquals(unsharded(f, in), got);
  }

  static Stream<Arguments> relabelMeshes() {
    return Stream.of(Arguments.of("expert=2"), Arguments.of("expert=4"), Arguments.of("data=2,expert=2"), Arguments.of("expert=2,data=2"),
        Arguments.of("data=2,expert=4"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("localMeshes")
  void localOpsEqualTheUnshardedProgram(String meshSpec, String layoutSpec) {
    Func f = localOps();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh(meshSpec), layout(layoutSpec)));
    Map<String, HostTensor> in = localInputs(f);
    Map<String, HostTensor> single = unsharded(f, in), got = onXla(spmd, f, in);
    for (String name : single.keySet())
      if (single.get(name).dtype() == DType.I32) assertArrayEquals(single.get(name).ints(), got.get(name).ints(), name);
      else assertArrayEquals(single.get(name).floats(), got.get(name).floats(), 1e-6f, name);
  }

  static Stream<Arguments> localMeshes() {
    return Stream.of(Arguments.of("data=2", "batch=data"), Arguments.of("data=4", "batch=data"), Arguments.of("model=2,data=2", "batch=data"));
  }

  @Test
  void transposedAllReduceGroupsFailTheReplicaCheck() {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("data=2,model=2"), layout("batch=data,d=model")));
    HloModule wrong = EndToEndTest.withGroups(spmd, EndToEndTest::transposed);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> onXla(wrong, f, inputs(f, 1, true)));
    assertTrue(e.getMessage().startsWith("result 'y': tile [0, 0] is held by devices 0 and 1, which disagree at local element"), e.getMessage());
  }

  @Test
  void allToAllOverTheWrongAxisFailsTheReplicaCheck() {
    Func f = relabels(8, 8);
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("data=2,expert=2"), layout("a=expert,b2=expert")));
    HloModule wrong = EndToEndTest.withAllToAllGroups(spmd, List.of(List.of(0, 2), List.of(1, 3)));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> onXla(wrong, f, inputs(f, 3, false)));
    assertTrue(e.getMessage().startsWith("result 'swapped': tile [0, 0] is held by devices 0 and 2, which disagree"), e.getMessage());
  }

  @Test
  void allToAllInAnotherGroupOrderGivesWrongNumbers() {
    Func f = relabels(8, 8);
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("expert=4"), layout("a=expert,b2=expert")));
    Map<String, HostTensor> in = inputs(f, 3, false);
    Map<String, HostTensor> bad = onXla(EndToEndTest.withAllToAllGroups(spmd, List.of(List.of(0, 2, 1, 3))), f, in);
    assertFalse(java.util.Arrays.equals(in.get("x").floats(), bad.get("swapped").floats()), "the permuted group moved the wrong pieces");
    assertArrayEquals(in.get("x").floats(), bad.get("whole").floats(), "the other results do not use the all_to_all");
  }

  @Test
  void keptInputsStayOnTheDevicesBetweenRuns() {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("data=2,model=2"), layout("batch=data,d=model")));
    Map<String, HostTensor> a = inputs(f, 1, true), b = inputs(f, 9, true);
    try (PjrtProgram p = xla(spmd, f)) {
      Executable.Resident w = p.keep(Map.of("w", a.get("w")));
      assertEquals(p.run(a), p.run(w, Map.of("x", a.get("x"))));
      Map<String, HostTensor> mixed = new LinkedHashMap<>(Map.of("x", b.get("x"), "w", a.get("w")));
      assertEquals(p.run(mixed), p.run(w, Map.of("x", b.get("x"))));
      assertThrows(RuntimeInputException.class, () -> p.run(w, Map.of("x", a.get("x"), "w", a.get("w"))), "given twice");
      assertThrows(RuntimeInputException.class, () -> p.keep(Map.of("bias", a.get("w"))), "not an input");
      w.close();
      assertThrows(IllegalStateException.class, () -> p.run(w, Map.of("x", a.get("x"))), "closed");
    }
  }

  @Test
  void badInputsAreRejectedBeforeAnythingRuns() {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("model=2"), layout("d=model")));
    try (PjrtProgram p = xla(spmd, f)) {
      Map<String, HostTensor> in = new LinkedHashMap<>();
      in.put("x", HostTensor.f32(EndToEndTest.f32("d", 8, "batch", 4).shape(), new float[32]));
      RuntimeInputException e = assertThrows(RuntimeInputException.class, () -> p.run(in));
      assertTrue(e.getMessage().startsWith("PjrtProgram.run rejected its inputs; nothing was run:\n  - input 'x': expected f32[batch=4, d=8]"),
          e.getMessage());
      assertEquals(unsharded(f, inputs(f, 1, true)), p.run(inputs(f, 1, true)), "the program still runs");
    }
    assertThrows(IllegalStateException.class, () -> {
      PjrtProgram p = xla(spmd, f);
      p.close();
      p.run(inputs(f, 1, true));
    });
  }

  @Test
  void aModuleXlaRejectsGivesXlasMessageAndLeavesNothingBehind() {
    Func f = einsum();
    HloModule spmd = SpmdLower.run(Shard.run(f, mesh("data=2,model=2"), layout("batch=data,d=model")));
    long[] before = XlaBridge.liveHandles();
    // x's sharding with a device listed twice: the StableHLO is well formed, XLA's sharding check refuses it.
    String sharding = spmd.argShardings().get(0).spell();
    String text = StableHloPrinter.print(spmd).replaceFirst(java.util.regex.Pattern.quote("\"" + sharding + "\""),
        "\"" + sharding.replaceFirst("\\].*\\}", "]0,0,2,3}") + "\"");
    assertTrue(text.contains("]0,0,2,3}"), "the module must hold the broken sharding: " + sharding);
    try (CpuClient client = CpuClient.create(4)) {
      XlaException e = assertThrows(XlaException.class, () -> PjrtProgram.compile(client, false, spmd, text, Lower.signature(f)));
      assertTrue(e.getMessage().contains("device 0 is not unique in tile assignment"), e.getMessage());
      XlaException garbage = assertThrows(XlaException.class, () -> PjrtProgram.compile(client, false, spmd, "module {", Lower.signature(f)));
      assertTrue(garbage.getMessage().contains("expected"), garbage.getMessage());
      try (PjrtProgram ok = PjrtProgram.compile(client, false, spmd, Lower.signature(f))) {
        assertEquals(unsharded(f, inputs(f, 1, true)), ok.run(inputs(f, 1, true)), "the client still works");
      }
    }
    assertArrayEquals(before, XlaBridge.liveHandles(), "every client, executable and buffer is freed");
  }

  @Test
  void aMeshTooLargeForTheCpuClientIsRefusedBeforeXlaSeesIt() {
    RuntimeInputException e = assertThrows(RuntimeInputException.class, () -> CpuClient.create(CpuClient.MAX_DEVICES + 1));
    assertEquals("a mesh of 1025 devices: XLA's CPU client runs 1 to 1024 devices here; use a smaller mesh", e.getMessage());
  }

  @Test
  void theBridgeRunsOnTheNativesItWasBuiltFor() {
    XlaBridge.load();
    assertEquals(TfNatives.EXPECTED_BUILD_IDS, List.of(XlaBridge.nativesBuildIds()));
    assertEquals(TfNatives.EXPECTED_BUILD_IDS, List.of(XlaBridge.expectedBuildIds()));
    String options = XlaBridge.describeCompileOptions(PjrtCompileOptions.spmd(new long[] {3, 1, 2, 0}));
    for (String want : List.of("num_replicas: 1", "num_partitions: 4", "use_spmd_partitioning: true", "replica_count: 1", "computation_count: 4"))
      assertTrue(options.contains(want), want + " in " + options);
    assertTrue(options.replaceAll("\\s+", " ").matches(".*replica_device_ids: 3 .*replica_device_ids: 1 .*replica_device_ids: 2 .*replica_device_ids: 0.*"),
        options);
  }
}
