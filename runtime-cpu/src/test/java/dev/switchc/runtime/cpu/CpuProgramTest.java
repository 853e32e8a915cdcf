package dev.switchc.runtime.cpu;

import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.Bf16;
import static dev.switchc.runtime.cpu.Fixtures.module;
import static dev.switchc.runtime.cpu.Fixtures.port;
import static dev.switchc.runtime.cpu.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchc.ir.DType;
import dev.switchc.ir.Shape;
import dev.switchc.lowering.CompiledModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Numeric runs of small hand-written StableHLO modules. */
class CpuProgramTest {
  static final Shape BD = shape("batch", 2, "d", 3);

  static final CompiledModule ADD = module("""
      module @add {
        func.func public @main(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>) -> (tensor<2x3xf32>) {
          %0 = stablehlo.add %arg0, %arg1 : tensor<2x3xf32>
          return %0 : tensor<2x3xf32>
        }
      }
      """,
      List.of(port("x", DType.F32, BD), port("y", DType.F32, BD)),
      List.of(port("sum", DType.F32, BD)));

  @Test
  void addsTwoNamedInputs() {
    try (CpuProgram p = CpuProgram.load(ADD)) {
      Map<String, HostTensor> out = p.run(Map.of(
          "x", HostTensor.f32(BD, new float[] {1, 2, 3, 4, 5, 6}),
          "y", HostTensor.f32(BD, new float[] {10, 20, 30, 40, 50, 60})));
      assertEquals(List.of("sum"), List.copyOf(out.keySet()));
      assertEquals(HostTensor.f32(BD, new float[] {11, 22, 33, 44, 55, 66}), out.get("sum"));
    }
  }

  @Test
  void reusesOneProgramForSeveralRuns() {
    try (CpuProgram p = CpuProgram.load(ADD)) {
      for (int run = 0; run < 3; run++) {
        float[] x = new float[6];
        float[] y = new float[6];
        float[] want = new float[6];
        for (int i = 0; i < 6; i++) {
          x[i] = run * 100 + i;
          y[i] = -run * i * 0.5f;
          want[i] = x[i] + y[i];
        }
        List<HostTensor> out = p.run(List.of(HostTensor.f32(BD, x), HostTensor.f32(BD, y)));
        assertArrayEquals(want, out.get(0).floats(), "run " + run);
      }
    }
  }

  static final Shape N4 = shape("n", 4);

  static final CompiledModule MULTI = module("""
      module @multi {
        func.func public @main(%arg0: tensor<4xf32>, %arg1: tensor<4xbf16>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xbf16>) {
          %0 = stablehlo.convert %arg1 : (tensor<4xbf16>) -> tensor<4xf32>
          %1 = stablehlo.add %arg0, %0 : tensor<4xf32>
          %2 = stablehlo.convert %arg0 : (tensor<4xf32>) -> tensor<4xi32>
          %3 = stablehlo.iota dim = 0 : tensor<4xi32>
          %4 = stablehlo.add %2, %3 : tensor<4xi32>
          %5 = stablehlo.add %arg1, %arg1 : tensor<4xbf16>
          return %1, %4, %5 : tensor<4xf32>, tensor<4xi32>, tensor<4xbf16>
        }
      }
      """,
      List.of(port("x", DType.F32, N4), port("y", DType.BF16, N4)),
      List.of(port("sum", DType.F32, N4), port("idx", DType.I32, N4), port("twice", DType.BF16, N4)));

  @Test
  void multipleOutputsOfEachDtype() {
    float big = Bf16.roundToBf16(3.0e38f); // finite in bf16, doubles to infinity
    try (CpuProgram p = CpuProgram.load(MULTI)) {
      Map<String, HostTensor> out = p.run(Map.of(
          "x", HostTensor.f32(N4, new float[] {10, 20, -3, 7}),
          // Rounded to bf16 on the host, ties to even: 1 + 2^-8 -> 1.0, 1 + 3*2^-8 -> 1 + 2^-6.
          "y", HostTensor.bf16(N4, new float[] {1.00390625f, 1.01171875f, -2.5f, 3.0e38f})));
      assertEquals(List.of("sum", "idx", "twice"), List.copyOf(out.keySet()));
      assertArrayEquals(new float[] {11f, 21.015625f, -5.5f, big + 7f}, out.get("sum").floats());
      assertEquals(HostTensor.i32(N4, new int[] {10, 21, -1, 10}), out.get("idx"));
      assertEquals(DType.BF16, out.get("twice").dtype());
      assertArrayEquals(new float[] {2f, 2.03125f, -5f, Float.POSITIVE_INFINITY}, out.get("twice").floats());
    }
  }

  @Test
  void batchedDotGeneral() {
    Shape a = shape("batch", 2, "m", 2, "k", 3);
    Shape b = shape("batch", 2, "k", 3, "n", 2);
    Shape c = shape("batch", 2, "m", 2, "n", 2);
    CompiledModule dot = module("""
        module @dot {
          func.func public @main(%arg0: tensor<2x2x3xf32>, %arg1: tensor<2x3x2xf32>) -> (tensor<2x2x2xf32>) {
            %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<2x2x3xf32>, tensor<2x3x2xf32>) -> tensor<2x2x2xf32>
            return %0 : tensor<2x2x2xf32>
          }
        }
        """,
        List.of(port("a", DType.F32, a), port("b", DType.F32, b)), List.of(port("c", DType.F32, c)));
    float[] av = new float[12];
    float[] bv = new float[12];
    for (int i = 0; i < 12; i++) {
      av[i] = i - 5;
      bv[i] = (i * 7) % 5 - 2;
    }
    float[] want = new float[8];
    for (int bt = 0; bt < 2; bt++)
      for (int m = 0; m < 2; m++)
        for (int n = 0; n < 2; n++)
          for (int k = 0; k < 3; k++) want[bt * 4 + m * 2 + n] += av[bt * 6 + m * 3 + k] * bv[bt * 6 + k * 2 + n];
    try (CpuProgram p = CpuProgram.load(dot)) {
      HostTensor got = p.run(Map.of("a", HostTensor.f32(a, av), "b", HostTensor.f32(b, bv))).get("c");
      assertEquals(HostTensor.f32(c, want), got);
    }
  }

  @Test
  void moduleWithoutInputsAndScalarOutput() {
    CompiledModule m = module("""
        module @noinputs {
          func.func public @main() -> (tensor<3xi32>, tensor<f32>) {
            %0 = stablehlo.iota dim = 0 : tensor<3xi32>
            %1 = stablehlo.constant dense<2.5> : tensor<f32>
            return %0, %1 : tensor<3xi32>, tensor<f32>
          }
        }
        """,
        List.of(), List.of(port("i", DType.I32, shape("n", 3)), port("s", DType.F32, Shape.SCALAR)));
    try (CpuProgram p = CpuProgram.load(m, CpuOptions.intraOpThreads(1))) {
      List<HostTensor> out = p.run(List.of());
      assertArrayEquals(new int[] {0, 1, 2}, out.get(0).ints());
      assertEquals(HostTensor.f32(Shape.SCALAR, new float[] {2.5f}), out.get(1));
    }
  }

  /** The host's rounding must agree bit for bit with XLA's f32 -> bf16 convert. */
  @Test
  void hostBf16RoundingMatchesXla() {
    java.util.Random rnd = new java.util.Random(42);
    List<Float> values = new ArrayList<>(List.of(1.00390625f, 1.01171875f, -1.00390625f, 0f, -0f, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, (float) Math.PI, 65504f,
        1e-30f, Float.MIN_NORMAL));
    while (values.size() < 1024) {
      int bits = rnd.nextInt();
      float f = Float.intBitsToFloat(bits);
      // Subnormals are left out: whether XLA flushes them is its business, not rounding's.
      if (Math.abs(f) >= Float.MIN_NORMAL || f == 0) values.add(f);
      values.add(Float.intBitsToFloat((bits & 0xFFFF0000) | 0x8000)); // exact ties
    }
    int n = values.size();
    Shape s = shape("n", n);
    CompiledModule m = module("""
        module @round {
          func.func public @main(%arg0: tensor<Nxf32>) -> (tensor<Nxbf16>) {
            %0 = stablehlo.convert %arg0 : (tensor<Nxf32>) -> tensor<Nxbf16>
            return %0 : tensor<Nxbf16>
          }
        }
        """.replace("N", Integer.toString(n)), List.of(port("x", DType.F32, s)), List.of(port("r", DType.BF16, s)));
    float[] in = new float[n];
    for (int i = 0; i < n; i++) in[i] = values.get(i);
    try (CpuProgram p = CpuProgram.load(m)) {
      float[] xla = p.run(List.of(HostTensor.f32(s, in))).get(0).floats();
      for (int i = 0; i < n; i++) {
        float host = Bf16.roundToBf16(in[i]);
        if (Float.isNaN(host) || Float.isNaN(xla[i])) assertEquals(Float.isNaN(host), Float.isNaN(xla[i]), "value " + in[i]);
        else assertEquals(Float.floatToRawIntBits(xla[i]), Float.floatToRawIntBits(host), "value " + in[i]);
      }
    }
  }

  @Test
  void runsFromSeveralThreads() throws Exception {
    try (CpuProgram p = CpuProgram.load(ADD)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          float base = t * 1000;
          done.add(pool.submit(() -> {
            for (int r = 0; r < 25; r++) {
              float[] x = {base, base + 1, base + 2, base + 3, base + 4, r};
              float[] want = {2 * base, 2 * base + 2, 2 * base + 4, 2 * base + 6, 2 * base + 8, 2 * r};
              assertArrayEquals(want, p.run(List.of(HostTensor.f32(BD, x), HostTensor.f32(BD, x))).get(0).floats());
            }
            return null;
          }));
        }
        for (Future<?> f : done) f.get();
      } finally {
        pool.shutdown();
      }
    }
  }
}
