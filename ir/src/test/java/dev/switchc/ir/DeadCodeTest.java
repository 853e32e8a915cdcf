package dev.switchc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeadCodeTest {
  @Test
  void removesOnlyWhatNoResultNeeds() {
    FuncBuilder b = new FuncBuilder("f");
    FuncBuilder.Ops o = b.unlocated();
    Dim n = new Dim("n", 4);
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(n)));
    Value used = o.mul(x, x);
    Value unused = o.reduce(Op.ReduceFn.SUM, o.add(x, x), "n"); // two dead ops
    Value y = o.reduce(Op.ReduceFn.SUM, used, "n");
    b.result("y", y);
    Func f = b.build();
    Func g = DeadCode.run(f);
    assertEquals(List.of(f.body().get(0), f.body().get(3)), g.body());
    assertEquals(f.params(), g.params());
    assertEquals(f.results(), g.results());
    assertEquals(unused.id(), f.body().get(2).out().id());
    assertSame(g, DeadCode.run(g), "nothing more to remove");
  }
}
