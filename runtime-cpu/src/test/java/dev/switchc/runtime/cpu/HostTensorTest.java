package dev.switchc.runtime.cpu;

import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.RuntimeInputException;
import static dev.switchc.runtime.cpu.Fixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.ir.DType;
import dev.switchc.ir.TensorType;
import org.junit.jupiter.api.Test;

class HostTensorTest {
  @Test
  void lengthMustMatchShape() {
    var e = assertThrows(RuntimeInputException.class, () -> HostTensor.f32(shape("batch", 2, "d", 3), new float[5]));
    assertEquals("data for f32[batch=2, d=3] must have 6 elements (the product of the shape), got 5", e.getMessage());
  }

  @Test
  void predIsRejected() {
    var e = assertThrows(RuntimeInputException.class,
        () -> HostTensor.zeros(new TensorType(DType.PRED, shape("n", 2))));
    assertTrue(e.getMessage().contains("dtype pred is not supported"), e.getMessage());
  }

  @Test
  void wrongFactoryForDtype() {
    assertThrows(RuntimeInputException.class, () -> HostTensor.ofFloats(new TensorType(DType.I32, shape("n", 1)), new float[1]));
    assertThrows(RuntimeInputException.class, () -> HostTensor.ofInts(new TensorType(DType.F32, shape("n", 1)), new int[1]));
    assertThrows(IllegalStateException.class, () -> HostTensor.i32(shape("n", 1), new int[1]).floats());
  }

  @Test
  void bf16FactoriesRound() {
    HostTensor t = HostTensor.ofFloats(new TensorType(DType.BF16, shape("n", 2)), new float[] {1.00390625f, 1.01171875f});
    assertArrayEquals(new float[] {1.0f, 1.015625f}, t.floats());
    assertEquals(t, HostTensor.bf16(shape("n", 2), new float[] {1.0f, 1.015625f}));
  }

  @Test
  void copiesInAndOut() {
    float[] data = {1, 2};
    HostTensor t = HostTensor.f32(shape("n", 2), data);
    data[0] = 99;
    t.floats()[1] = 99;
    assertArrayEquals(new float[] {1, 2}, t.floats());
  }

  @Test
  void scalar() {
    HostTensor t = HostTensor.f32(dev.switchc.ir.Shape.SCALAR, new float[] {7});
    assertEquals(1, t.size());
    assertEquals("f32[] {7.0}", t.toString());
  }

  @Test
  void f64HoldsDoublesExactly() {
    double[] data = {0.1, 1 + 0x1p-52};
    HostTensor t = HostTensor.f64(shape("n", 2), data);
    data[0] = 99;
    t.doubles()[1] = 99;
    assertArrayEquals(new double[] {0.1, 1 + 0x1p-52}, t.doubles());
    assertEquals(0.1, t.doubleAt(0));
    assertEquals(16, t.type().bytes());
    assertEquals(t, HostTensor.ofDoubles(new TensorType(DType.F64, shape("n", 2)), new double[] {0.1, 1 + 0x1p-52}));
    assertArrayEquals(new double[2], HostTensor.zeros(t.type()).doubles());
  }

  @Test
  void f64NeedsTheDoubleFactory() {
    assertThrows(RuntimeInputException.class, () -> HostTensor.ofFloats(new TensorType(DType.F64, shape("n", 1)), new float[1]));
    assertThrows(RuntimeInputException.class, () -> HostTensor.ofDoubles(new TensorType(DType.F32, shape("n", 1)), new double[1]));
    var e = assertThrows(IllegalStateException.class, () -> HostTensor.f64(shape("n", 1), new double[1]).floats());
    assertEquals("a f64[n=1] tensor holds doubles, not floats", e.getMessage());
  }
}
