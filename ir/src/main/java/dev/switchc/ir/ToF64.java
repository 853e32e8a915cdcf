package dev.switchc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The same function computing in f64: every f32 and bf16 value (parameters, op results) becomes
 * f64; integer and pred values stay. Casts between float types become no-ops and are dropped (their
 * users read the cast's input). For gradient checks: central finite differences need about twice
 * the digits f32 has, and a rewrite of the IR checks exactly the program the specs build, with no
 * precision knob threaded through the frontend.
 *
 * <p>Values keep their ids, so a value of the f64 function is the same SSA value as in {@code in}.
 */
public final class ToF64 {
  private ToF64() {}

  public static Func run(Func in) {
    Map<Integer, Value> renamed = new HashMap<>();
    List<Binding> params = new ArrayList<>();
    for (Binding p : in.params()) {
      Value v = widen(p.value());
      renamed.put(v.id(), v);
      params.add(new Binding(p.name(), v, p.loc()));
    }
    List<Op> body = new ArrayList<>();
    for (Op op : in.body()) {
      List<Value> ins = op.inputs().stream().map(v -> renamed.get(v.id())).toList();
      Value out = widen(op.out());
      if (op instanceof Op.Cast && ins.get(0).type().equals(out.type())) {
        renamed.put(out.id(), ins.get(0)); // a float-to-float cast: nothing left to convert
        continue;
      }
      renamed.put(out.id(), out);
      body.add(OpRebuild.with(op, out, ins));
    }
    List<Binding> results = in.results().stream().map(r -> new Binding(r.name(), renamed.get(r.value().id()), r.loc())).toList();
    return Verifier.verify(new Func(in.name(), params, body, results));
  }

  private static Value widen(Value v) {
    return v.dtype() == DType.F32 || v.dtype() == DType.BF16 ? new Value(v.id(), new TensorType(DType.F64, v.shape())) : v;
  }
}
