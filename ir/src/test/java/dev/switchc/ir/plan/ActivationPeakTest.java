package dev.switchc.ir.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Func;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import org.junit.jupiter.api.Test;

/**
 * The liveness peak, worked by hand on programs of 16-byte values (4 f32): a value is live from
 * its op to its last reader, a result to the end; arguments are not counted; values a caller
 * counts elsewhere (a training step's gradients) are left out.
 */
class ActivationPeakTest {
  static final Dim N = new Dim("n", 4);

  @Test
  void peakIsTheMostBytesLiveAtOnceInProgramOrder() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(N)));
    Value a = o.mul(x, x); // live: a (16)
    Value c = o.add(a, x); // live: a, c (32); a dies here
    Value s = o.reduce(Op.ReduceFn.SUM, c, "n"); // live: c, s (20)
    Value g = o.mul(c, c); // live: c, s, g (36); c dies here
    b.result("s", s);
    b.result("g", g);
    Func f = b.build();
    assertEquals(36, ActivationPeak.of(f, v -> true));
    assertEquals(32, ActivationPeak.of(f, v -> v.id() != g.id()), "g counted elsewhere (as a gradient is): a and c at their fullest");
    // Across the point before the reduce (op 2): c, read by the reduce and by g; a died at op 1.
    assertEquals(16, ActivationPeak.liveAcross(f, 2, v -> true));
    // Across the end of the body: the results s and g.
    assertEquals(20, ActivationPeak.liveAcross(f, 4, v -> true));
  }

  @Test
  void aValueNothingReadsIsLiveOnlyAtItsOwnOp() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(N)));
    o.mul(x, x); // dead: 16 B for one op
    Value y = o.add(x, x);
    b.result("y", y);
    assertEquals(16, ActivationPeak.of(b.build(), v -> true));
  }
}
