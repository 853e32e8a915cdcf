package dev.switchc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each verifier rule, broken on purpose; tests are named after the rule they break. */
class VerifierTest {
  static final Dim G = new Dim("group", 2), T = new Dim("token", 4), D = new Dim("d_model", 8), E = new Dim("experts", 3);
  static final SourceLoc HERE = new SourceLoc("t.swc", 3, 5, "experts = 3");

  static Value v(int id, DType dt, Dim... dims) {
    return new Value(id, new TensorType(dt, Shape.of(dims)));
  }

  static String failure(List<Binding> params, List<Op> body) {
    Value last = body.get(body.size() - 1).out();
    Func f = new Func("f", params, body, List.of(new Binding("r", last)));
    return assertThrows(Verifier.IrVerificationError.class, () -> Verifier.verify(f)).getMessage();
  }

  @Test
  void ssa_c1_useBeforeDefinition() {
    Value x = v(0, DType.F32, G, T);
    String m = failure(List.of(), List.of(new Op.Unary(v(1, DType.F32, G, T), Op.UnaryFn.EXP, x, HERE)));
    assertTrue(m.startsWith("IR verification failed: ssa_c1: %0 is used before it is defined at op 0 (t.swc:3:5)"), m);
    assertTrue(m.contains("--> %1 = exp %0 : f32[group=2, token=4]"), m);
  }

  @Test
  void einsum_c3_mismatchedSizes() {
    Value a = v(0, DType.F32, G, T, D), b = v(1, DType.F32, new Dim("d_model", 7), E);
    String m = failure(List.of(new Binding("a", a), new Binding("b", b)), List.of(new Op.Einsum(v(2, DType.F32, G, T, E), a, b, HERE)));
    assertTrue(m.contains("einsum_c3: dim 'd_model' has sizes 8 and 7"), m);
  }

  @Test
  void einsum_c4_droppedFreeDim() {
    Value a = v(0, DType.F32, G, T, D), b = v(1, DType.F32, D, E);
    String m = failure(List.of(new Binding("a", a), new Binding("b", b)), List.of(new Op.Einsum(v(2, DType.F32, G, E), a, b, HERE)));
    assertTrue(m.contains("einsum_c4: lhs dim token=4 is neither contracted nor in the result"), m);
  }

  @Test
  void binary_c3_operandDimMissingFromResult() {
    Value a = v(0, DType.F32, G, T), b = v(1, DType.F32, G, D);
    String m = failure(List.of(new Binding("a", a), new Binding("b", b)), List.of(new Op.Binary(v(2, DType.F32, G, T), Op.BinaryFn.ADD, a, b, HERE)));
    assertTrue(m.contains("binary_c3: operand %1 [group=2, d_model=8] has dims missing from the result [group=2, token=4]"), m);
  }

  @Test
  void reshape_c2_sizeChanges() {
    Value a = v(0, DType.F32, G, T);
    String m = failure(List.of(new Binding("a", a)), List.of(new Op.Reshape(v(1, DType.F32, new Dim("flat", 9)), a, HERE)));
    assertTrue(m.contains("reshape_c2: [group=2, token=4] and [flat=9] differ in size"), m);
  }

  @Test
  void relabel_c2_sizeChangesAtAPosition() {
    Value a = v(0, DType.F32, G, T);
    String m = failure(List.of(new Binding("a", a)), List.of(new Op.Relabel(v(1, DType.F32, new Dim("group_unsplit", 2), new Dim("slot", 5)), a, HERE)));
    assertTrue(m.contains("relabel_c2: position 1 changes size token=4 -> slot=5"), m);
  }

  @Test
  void gather_c7_wrongResultDims() {
    Value table = v(0, DType.F32, E, G, D), idx = v(1, DType.I32, G, T);
    String m = failure(List.of(new Binding("t", table), new Binding("i", idx)),
        List.of(new Op.Gather(v(2, DType.F32, G, T), table, Map.of("experts", idx), HERE)));
    assertTrue(m.contains("gather_c7: rows must have dims [group=2, token=4, d_model=8], got [group=2, token=4]"), m);
  }

  @Test
  void one_hot_c1_indexMustBeI32() {
    Value idx = v(0, DType.F32, G, T);
    String m = failure(List.of(new Binding("i", idx)), List.of(new Op.OneHot(v(1, DType.F32, G, T, E), idx, "experts", HERE)));
    assertTrue(m.contains("one_hot_c1: index must be i32"), m);
  }

  @Test
  void func_c1_duplicateResultName() {
    Value a = v(0, DType.F32, G);
    Func f = new Func("f", List.of(new Binding("a", a)), List.of(), List.of(new Binding("r", a), new Binding("r", a)));
    assertTrue(assertThrows(Verifier.IrVerificationError.class, () -> Verifier.verify(f)).getMessage().contains("func_c1: result name 'r' is used twice"));
  }

  @Test
  void aWellFormedFunctionPassesUnchanged() {
    FuncBuilder b = new FuncBuilder("ok");
    FuncBuilder.Ops o = b.at(HERE);
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(G, T, D)));
    Value w = b.param("w", new TensorType(DType.F32, Shape.of(D, E)));
    Value logits = o.einsum(x, w, Shape.of(G, T, E));
    b.result("argmax", o.argmax(logits, "experts"));
    Func f = b.build();
    assertEquals(f, Verifier.verify(f));
    assertEquals("""
        func @ok(
            %0 "x": f32[group=2, token=4, d_model=8]
            %1 "w": f32[d_model=8, experts=3]
        ) {
          %2 = einsum %0, %1 : f32[group=2, token=4, experts=3]
          %3 = arg_max[experts] %2 : i32[group=2, token=4]
          return "argmax" = %3
        }
        """, IrPrinter.print(f));
  }

  @Test
  void shapesRejectDuplicateDimNames() {
    assertThrows(IllegalArgumentException.class, () -> Shape.of(G, new Dim("group", 3)));
  }
}
