package dev.switchc.ir.plan;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Op;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.TensorLayout;
import dev.switchc.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Computes a {@link Plan} from the sharding pass's output; every number derives from the per-device IR. */
public final class PlanBuilder {
  private PlanBuilder() {}

  /** {@code inputs}: the parameters of the function that are data rather than trained weights. */
  public static Plan build(ShardedFunc s, Set<String> inputs, Map<String, String> facts) {
    List<Plan.Tensor> tensors = new ArrayList<>();
    long paramBytes = 0;
    Set<Integer> results = new java.util.HashSet<>();
    for (Binding r : s.local().results()) results.add(r.value().id());
    for (int i = 0; i < s.local().params().size(); i++) {
      Binding p = s.local().params().get(i);
      boolean input = inputs.contains(p.name());
      tensors.add(tensor(s, p.value(), p.name(), input ? Plan.Kind.INPUT : Plan.Kind.PARAMETER, "argument of @main"));
      if (!input) paramBytes += p.value().type().bytes();
    }
    for (Op op : s.local().body()) {
      String source = op.loc() + (op.loc().what().isEmpty() ? "" : " " + op.loc().what());
      String name = s.local().results().stream().filter(r -> r.value().id() == op.out().id()).map(Binding::name).findFirst()
          .orElse(op.out() + " " + dev.switchc.ir.IrPrinter.opName(op));
      tensors.add(tensor(s, op.out(), name, results.contains(op.out().id()) ? Plan.Kind.RESULT : Plan.Kind.ACTIVATION, source));
    }
    List<Plan.Collective> collectives = new ArrayList<>();
    long flops = 0;
    Map<String, long[]> parts = new java.util.LinkedHashMap<>();
    for (Op op : s.local().body()) {
      long f = flops(op);
      flops += f;
      Plan.Collective c = collective(s, op);
      if (c != null) collectives.add(c);
      if (!op.loc().scope().isEmpty()) {
        long[] part = parts.computeIfAbsent(op.loc().scope(), k -> new long[2]);
        part[0] += f;
        part[1] += c == null ? 0 : c.bytesSentPerDevice();
      }
    }
    List<Plan.Part> partList = new ArrayList<>();
    parts.forEach((name, t) -> partList.add(new Plan.Part(name, t[0], t[1])));
    Set<String> dims = new LinkedHashSet<>();
    for (Binding p : s.global().params()) dims.addAll(p.value().shape().names());
    for (Op op : s.global().body()) dims.addAll(op.out().shape().names());
    return new Plan(s.global().name(), s.mesh(), Plan.rules(s.layout(), List.copyOf(dims)), facts, tensors,
        new Plan.Device(paramBytes, activationPeak(s), flops), collectives, partList);
  }

  private static Plan.Tensor tensor(ShardedFunc s, Value v, String name, Plan.Kind kind, String source) {
    TensorLayout l = s.layoutOf(v);
    return new Plan.Tensor(name, kind, l.global(), l.split(), l.partialOver(), v.type(), v.type().bytes(), source);
  }

  /** 2 per multiply-add for einsums; 1 per output element for arithmetic; 1 per input element for reductions. */
  static long flops(Op op) {
    if (op instanceof Op.Einsum e) {
      Set<String> seen = new java.util.HashSet<>();
      long n = 2;
      for (Value v : List.of(e.lhs(), e.rhs()))
        for (Dim d : v.shape().dims()) if (seen.add(d.name())) n = Math.multiplyExact(n, d.size());
      return n;
    }
    if (op instanceof Op.Reduce r) return r.x().shape().elements();
    if (op instanceof Op.AllReduce a) return a.x().shape().elements();
    if (op instanceof Op.Cumsum c) return c.x().shape().elements();
    if (op instanceof Op.ArgMax a) return a.x().shape().elements();
    if (op instanceof Op.Unary || op instanceof Op.Binary || op instanceof Op.Compare || op instanceof Op.Select) return op.out().shape().elements();
    return 0;
  }

  private static Plan.Collective collective(ShardedFunc s, Op op) {
    String source = op.loc() + (op.loc().what().isEmpty() ? "" : " " + op.loc().what());
    if (op instanceof Op.AllReduce a) {
      int k = s.mesh().size(a.axes());
      long b = a.x().type().bytes();
      return new Plan.Collective("all_reduce", a.axes(), k, a.x().dtype(), a.x().type(), b, 2 * (k - 1) * b / k, source, s.mesh().groups(a.axes()));
    }
    if (op instanceof Op.AllToAll a) {
      int k = s.mesh().size(a.axis());
      long b = a.x().type().bytes();
      return new Plan.Collective("all_to_all", List.of(a.axis()), k, a.x().dtype(), a.x().type(), b, (k - 1) * b / k, source, s.mesh().groups(List.of(a.axis())));
    }
    if (op instanceof Op.AllGather g) {
      int k = s.mesh().size(g.axis());
      long b = g.x().type().bytes();
      return new Plan.Collective("all_gather", List.of(g.axis()), k, g.x().dtype(), g.x().type(), b, (k - 1) * b, source, s.mesh().groups(List.of(g.axis())));
    }
    return null;
  }

  /** The largest total of live per-device activation bytes at any point of the program order. */
  private static long activationPeak(ShardedFunc s) {
    Map<Integer, Integer> lastUse = new HashMap<>();
    List<Op> body = s.local().body();
    for (int i = 0; i < body.size(); i++) for (Value in : body.get(i).inputs()) lastUse.put(in.id(), i);
    for (Binding r : s.local().results()) lastUse.put(r.value().id(), body.size());
    long live = 0, peak = 0;
    Map<Integer, List<Value>> dying = new HashMap<>();
    for (int i = 0; i < body.size(); i++) {
      Value out = body.get(i).out();
      live += out.type().bytes();
      peak = Math.max(peak, live);
      dying.computeIfAbsent(lastUse.getOrDefault(out.id(), i), k -> new ArrayList<>()).add(out);
      for (Value v : dying.getOrDefault(i, List.of())) live -= v.type().bytes();
    }
    return peak;
  }
}
