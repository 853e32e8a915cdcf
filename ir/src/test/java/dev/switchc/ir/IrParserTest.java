package dev.switchc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The printed IR reads back into the function that printed it. */
class IrParserTest {
  /** One well-typed op of every kind. */
  static final String EVERY_OP = """
      func @every_op(
          %0 "x": f32[a=4, k=3]
          %1 "w": f32[k=3, b=2]
          %2 "index": i32[t=4]
          %3 "table": f32[v=10, d=3]
          %4 "updates": f32[t=4, d=3]
      ) {
        %5 = constant 0.5 : f32[]
        %6 = constant 1 : pred[]
        %7 = iota[a] : i32[a=4]
        %8 = exp %0 : f32[a=4, k=3]
        %9 = neg %7 : i32[a=4]
        %10 = add %0, %5 : f32[a=4, k=3]
        %11 = shr %7, %9 : i32[a=4]
        %12 = lt %0, %5 : pred[a=4, k=3]
        %13 = select %12, %0, %10 : f32[a=4, k=3]
        %14 = cast %13 : bf16[a=4, k=3]
        %15 = einsum %0, %1 : f32[a=4, b=2]
        %16 = reduce_max[k] %0 : f32[a=4]
        %17 = arg_max[k] %0 : i32[a=4]
        %18 = one_hot[e] %17 : f32[a=4, e=3]
        %19 = cumsum[a, exclusive] %7 : i32[a=4]
        %20 = cumsum[a] %16 : f32[a=4]
        %21 = reshape %0 : f32[n=12]
        %22 = relabel %0 : f32[c=4, m=3]
        %23 = gather[v=%2] %3 : f32[t=4, d=3]
        %24 = scatter_add[v=%2] %3, %4 : f32[v=10, d=3]
        %25 = all_reduce.sum[data, expert] %15 : f32[a=4, b=2]
        %26 = all_gather[a over data] %0 : f32[a=8, k=3]
        %27 = local_slice[a over data] %0 : f32[a=2, k=3]
        %28 = all_to_all[split a, concat k over expert] %0 : f32[a=2, k=6]
        %29 = device_coordinate[data, expert] : i32[]
        %30 = constant -Infinity : f32[]
        %31 = constant 6.103515625E-7 : f32[]
        return "y" = %13, "z" = %25
      }
      """;

  @Test
  void printsBackToTheSameTextAndVerifies() {
    Func f = IrParser.parse("every_op.ir", EVERY_OP);
    Verifier.verify(f);
    assertEquals(EVERY_OP, IrPrinter.print(f));
    assertEquals(27, f.body().size());
    assertEquals(new SourceLoc("every_op.ir", 8, 1, ""), f.body().get(0).loc());
  }

  @Test
  void commentsAndLocationsAreIgnored() {
    Func f = IrParser.parse("c", """
        func @f(
            %0 "x": f32[a=2]   // the input
        ) {
          %1 = exp %0 : f32[a=2]    // t.swc:3:5 experts = 3
          return "y" = %1
        }
        """);
    assertEquals(Op.UnaryFn.EXP, ((Op.Unary) f.body().get(0)).fn());
  }

  @Test
  void syntaxErrorsNameTheLine() {
    IrParser.IrSyntaxError e = assertThrows(IrParser.IrSyntaxError.class, () -> IrParser.parse("bad.ir", """
        func @f(
        ) {
          %0 = frobnicate : f32[]
          return "y" = %0
        }
        """));
    assertEquals("bad.ir:3: unknown op 'frobnicate'", e.getMessage());
    e = assertThrows(IrParser.IrSyntaxError.class, () -> IrParser.parse("bad.ir", """
        func @f(
        ) {
          %1 = exp %0 : f32[]
          return "y" = %1
        }
        """));
    assertTrue(e.getMessage().startsWith("bad.ir:3: %0 is never defined"), e.getMessage());
    e = assertThrows(IrParser.IrSyntaxError.class, () -> IrParser.parse("bad.ir", "func @f(\n) {\n  %0 = constant 1.0 : q8[]\n"));
    assertEquals("bad.ir:3: unknown dtype 'q8'", e.getMessage());
  }
}
