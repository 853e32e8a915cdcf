package dev.switchc.bench;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.FuncBuilder;
import dev.switchc.ir.Op;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.Value;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.StableHlo;

/** Reference programs built with the IR: the FLOP-matched dense FFN and a plain matmul. */
final class Programs {
  private Programs() {}

  /** relu(x . wi) . wo on [tokens, d_model]: the dense FFN a Switch layer replaces (same d_model, d_ff). */
  static CompiledModule denseFfn(long tokens, long dModel, long dFf) {
    Dim t = new Dim("token", tokens), d = new Dim("d_model", dModel), f = new Dim("d_ff", dFf);
    FuncBuilder b = new FuncBuilder("dense_ffn");
    FuncBuilder.Ops o = b.unlocated();
    Value x = b.param("x", new TensorType(DType.F32, Shape.of(t, d)));
    Value wi = b.param("wi", new TensorType(DType.F32, Shape.of(d, f)));
    Value wo = b.param("wo", new TensorType(DType.F32, Shape.of(f, d)));
    Value h = o.max(o.einsum(x, wi, Shape.of(t, f)), o.scalar(0, DType.F32));
    b.result("y", o.einsum(h, wo, Shape.of(t, d)));
    return StableHlo.compile(b.build());
  }

  /** [n, n] . [n, n]: 2 n^3 FLOPs, this machine's XLA matmul peak. */
  static CompiledModule matmul(long n) {
    Dim i = new Dim("i", n), k = new Dim("k", n), j = new Dim("j", n);
    FuncBuilder b = new FuncBuilder("matmul");
    FuncBuilder.Ops o = b.unlocated();
    Value a = b.param("a", new TensorType(DType.F32, Shape.of(i, k)));
    Value c = b.param("b", new TensorType(DType.F32, Shape.of(k, j)));
    b.result("c", o.einsum(a, c, Shape.of(i, j)));
    return StableHlo.compile(b.build());
  }

  /** An elementwise add of two scalars: what a call costs when the work is nothing. */
  static CompiledModule tiny() {
    FuncBuilder b = new FuncBuilder("tiny");
    FuncBuilder.Ops o = b.unlocated();
    Value a = b.param("a", new TensorType(DType.F32, Shape.SCALAR));
    Value c = b.param("b", new TensorType(DType.F32, Shape.SCALAR));
    b.result("c", o.binary(Op.BinaryFn.ADD, a, c));
    return StableHlo.compile(b.build());
  }
}
