package dev.switchc.runtime.cpu;

import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import static dev.switchc.runtime.cpu.Fixtures.module;
import static dev.switchc.runtime.cpu.Fixtures.port;
import static dev.switchc.runtime.cpu.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.DType;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.CompiledModule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every failure path: the caller's inputs, modules XLA rejects, signatures that lie. */
class CpuProgramErrorsTest {
  static final Shape BSD = shape("batch", 8, "seq", 64, "d_model", 128);
  static final int N = 8 * 64 * 128;

  /**
   * Its text does not parse, so any native call would end in XlaCompileException: getting a
   * RuntimeInputException instead proves the input check ran before native code.
   */
  static final CompiledModule BROKEN = module("""
      module @broken {
        func.func public @main(%arg0: tensor<8x64x128xf32>, %arg1: tensor<8x64x128xbf16>) -> (tensor<8x64x128xf32>) {
          %0 = stablehlo.add %arg0, %argX : tensor<8x64x128xf32>
          return %0 : tensor<8x64x128xf32>
        }
      }
      """,
      List.of(port("x", DType.F32, BSD), port("h", DType.BF16, BSD)), List.of(port("y", DType.F32, BSD)));

  static CpuProgram broken;

  @BeforeAll
  static void load() {
    broken = CpuProgram.load(BROKEN);
  }

  @AfterAll
  static void close() {
    broken.close();
  }

  static HostTensor x() {
    return HostTensor.f32(BSD, new float[N]);
  }

  static HostTensor h() {
    return HostTensor.bf16(BSD, new float[N]);
  }

  @Test
  void wrongShapeNamesInputAndBothShapes() {
    Shape other = shape("batch", 8, "seq", 32, "d_model", 128);
    var e = assertThrows(RuntimeInputException.class,
        () -> broken.run(Map.of("x", HostTensor.f32(other, new float[8 * 32 * 128]), "h", h())));
    assertEquals("""
        CpuProgram.run rejected its inputs; nothing was run:
          - input 'x': expected f32[batch=8, seq=64, d_model=128], got f32[batch=8, seq=32, d_model=128]""",
        e.getMessage());
    assertEquals(1, e.problems().size());
  }

  @Test
  void wrongDtype() {
    var e = assertThrows(RuntimeInputException.class, () -> broken.run(Map.of("x", x(), "h", x())));
    assertTrue(e.getMessage().contains(
        "input 'h': expected bf16[batch=8, seq=64, d_model=128], got f32[batch=8, seq=64, d_model=128]"), e.getMessage());
  }

  @Test
  void transposedDimsAreNotAccepted() {
    Shape swapped = shape("seq", 64, "batch", 8, "d_model", 128);
    var e = assertThrows(RuntimeInputException.class,
        () -> broken.run(Map.of("x", HostTensor.f32(swapped, new float[N]), "h", h())));
    assertTrue(e.getMessage().contains("got f32[seq=64, batch=8, d_model=128] (same dimensions in another order"),
        e.getMessage());
  }

  @Test
  void missingAndUnexpectedNamesAreAllListed() {
    Map<String, HostTensor> in = new HashMap<>();
    in.put("x", x());
    in.put("hidden", h());
    var e = assertThrows(RuntimeInputException.class, () -> broken.run(in));
    assertEquals(List.of(
        "missing input 'h' (expected bf16[batch=8, seq=64, d_model=128])",
        "unexpected input 'hidden' (the inputs are [x, h])"), e.problems());
  }

  @Test
  void nullInput() {
    Map<String, HostTensor> in = new HashMap<>();
    in.put("x", x());
    in.put("h", null);
    var e = assertThrows(RuntimeInputException.class, () -> broken.run(in));
    assertEquals(List.of("input 'h' is null (expected bf16[batch=8, seq=64, d_model=128])"), e.problems());
  }

  @Test
  void positionalCountAndTypes() {
    var e = assertThrows(RuntimeInputException.class, () -> broken.run(List.of(h())));
    assertEquals(List.of(
        "expected 2 inputs [x, h] in signature order, got 1",
        "input 'x': expected f32[batch=8, seq=64, d_model=128], got bf16[batch=8, seq=64, d_model=128]"), e.problems());
  }

  @Test
  void malformedModuleIsACompileErrorPointingAtStderr() {
    // Valid inputs, so the run reaches XLA, which cannot parse the module.
    var e = assertThrows(XlaCompileException.class, () -> broken.run(Map.of("x", x(), "h", h())));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("XLA could not parse or verify the StableHLO module (TensorFlow says only "
        + "\"Cannot deserialize computation\")."), msg);
    assertTrue(msg.contains("loc(\"-\":LINE:COL): error: ..., was printed on this process's native stderr"), msg);
    assertTrue(msg.contains("    3 |     %0 = stablehlo.add %arg0, %argX : tensor<8x64x128xf32>"), msg);
    assertEquals(BROKEN.text(), e.moduleText());
    // The session stays usable for input checks after a failed compile, and fails the same way again.
    assertThrows(RuntimeInputException.class, () -> broken.run(List.of()));
    assertThrows(XlaCompileException.class, () -> broken.run(List.of(x(), h())));
  }

  @Test
  void unsupportedDialectShowsTheLine() {
    Shape n = shape("n", 4);
    CompiledModule m = module("""
        module @m {
          func.func public @main(%arg0: tensor<4xf32>) -> (tensor<4xf32>) {
            %0 = mhlo.add %arg0, %arg0 : tensor<4xf32>
            return %0 : tensor<4xf32>
          }
        }
        """, List.of(port("x", DType.F32, n)), List.of(port("y", DType.F32, n)));
    try (CpuProgram p = CpuProgram.load(m)) {
      var e = assertThrows(XlaCompileException.class, () -> p.run(List.of(HostTensor.f32(n, new float[4]))));
      assertTrue(e.getMessage().startsWith("XLA rejected the StableHLO module: Module has unsupported dialects"),
          e.getMessage());
      assertTrue(e.getMessage().contains("    3 |     %0 = mhlo.add %arg0, %arg0 : tensor<4xf32>\n"
          + "                 ^"), e.getMessage());
    }
  }

  static final String IDENTITY4 = """
      module @id {
        func.func public @main(%arg0: tensor<4xf32>) -> (tensor<4xf32>) {
          return %arg0 : tensor<4xf32>
        }
      }
      """;

  @Test
  void signatureInputDisagreeingWithModuleIsInternal() {
    Shape n5 = shape("n", 5);
    CompiledModule m = module(IDENTITY4, List.of(port("x", DType.F32, n5)), List.of(port("y", DType.F32, n5)));
    try (CpuProgram p = CpuProgram.load(m)) {
      var e = assertThrows(IllegalStateException.class, () -> p.run(List.of(HostTensor.f32(n5, new float[5]))));
      assertTrue(e.getMessage().startsWith("the module's main does not match its ModuleSignature: "
          + "Call parameter must match argument"), e.getMessage());
    }
  }

  @Test
  void outputShapeDisagreeingWithSignatureNamesTheOutput() {
    // XLA ignores Sout and returns the module's real shape; the runtime must notice.
    CompiledModule m = module(IDENTITY4,
        List.of(port("x", DType.F32, shape("n", 4))), List.of(port("y", DType.F32, shape("a", 2, "b", 2))));
    try (CpuProgram p = CpuProgram.load(m)) {
      var e = assertThrows(IllegalStateException.class,
          () -> p.run(List.of(HostTensor.f32(shape("n", 4), new float[4]))));
      assertEquals("output 'y': XLA returned DT_FLOAT[4] (16 bytes) but the module signature says f32[a=2, b=2]"
          + " (16 bytes); the signature and the module disagree", e.getMessage());
    }
  }

  @Test
  void predPortsAndDuplicateNamesAreRefusedAtLoad() {
    Shape n = shape("n", 4);
    var pred = assertThrows(IllegalArgumentException.class, () -> CpuProgram.load(
        module(IDENTITY4, List.of(port("m", DType.PRED, n)), List.of(port("y", DType.F32, n)))));
    assertTrue(pred.getMessage().startsWith("input 'm' is pred[n=4]: only f32, bf16, f64 and i32 cross the CPU runtime boundary"), pred.getMessage());
    var dup = assertThrows(IllegalArgumentException.class, () -> CpuProgram.load(
        module(IDENTITY4, List.of(port("x", DType.F32, n)), List.of(port("y", DType.F32, n), port("y", DType.F32, n)))));
    assertEquals("output name 'y' appears twice in the module signature", dup.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CpuProgram.load(module(IDENTITY4, List.of(), List.of())));
  }

  @Test
  void closedProgramRefusesToRun() {
    Shape n = shape("n", 4);
    CpuProgram p = CpuProgram.load(module(IDENTITY4, List.of(port("x", DType.F32, n)), List.of(port("y", DType.F32, n))));
    p.close();
    p.close(); // idempotent
    var e = assertThrows(IllegalStateException.class, () -> p.run(List.of(HostTensor.f32(n, new float[4]))));
    assertEquals("cannot run: this CpuProgram is closed; load the module again to run it", e.getMessage());
  }
}
