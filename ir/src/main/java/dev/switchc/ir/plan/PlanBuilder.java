package dev.switchc.ir.plan;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.Op;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.TensorLayout;
import dev.switchc.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
      tensors.add(tensor(s, p.value(), p.name(), input ? Plan.Kind.INPUT : Plan.Kind.PARAMETER, "argument of @main", p.loc().scope()));
      if (!input) paramBytes += p.value().type().bytes();
    }
    for (Op op : s.local().body()) {
      String source = op.loc() + (op.loc().what().isEmpty() ? "" : " " + op.loc().what());
      String name = s.local().results().stream().filter(r -> r.value().id() == op.out().id()).map(Binding::name).findFirst()
          .orElse(op.out() + " " + dev.switchc.ir.IrPrinter.opName(op));
      tensors.add(tensor(s, op.out(), name, results.contains(op.out().id()) ? Plan.Kind.RESULT : Plan.Kind.ACTIVATION, source, op.loc().scope()));
    }
    List<Plan.Collective> collectives = new ArrayList<>();
    long flops = 0;
    Map<String, long[]> parts = new java.util.LinkedHashMap<>();
    for (Op op : s.local().body()) {
      long f = flops(op);
      flops += f;
      Optional<Plan.Collective> c = collective(s, op);
      c.ifPresent(collectives::add);
      if (!op.loc().scope().isEmpty()) {
        long[] part = parts.computeIfAbsent(op.loc().scope(), k -> new long[2]);
        part[0] += f;
        part[1] += c.map(Plan.Collective::bytesSentPerDevice).orElse(0L);
      }
    }
    List<Plan.Part> partList = new ArrayList<>();
    parts.forEach((name, t) -> partList.add(new Plan.Part(name, t[0], t[1])));
    Set<String> dims = new LinkedHashSet<>();
    for (Binding p : s.global().params()) dims.addAll(p.value().shape().names());
    for (Op op : s.global().body()) dims.addAll(op.out().shape().names());
    return new Plan(s.global().name(), s.mesh(), Plan.rules(s.layout(), List.copyOf(dims)), facts, tensors,
        new Plan.Device(paramBytes, ActivationPeak.of(s.local(), v -> true), flops), collectives, partList);
  }

  private static Plan.Tensor tensor(ShardedFunc s, Value v, String name, Plan.Kind kind, String source, String part) {
    TensorLayout l = s.layoutOf(v);
    return new Plan.Tensor(name, kind, l.global(), l.split(), l.partialOver(), v.type(), v.type().bytes(), source, part);
  }

  /** FLOPs of one op on one device; see {@link Plan.Device}. */
  static long flops(Op op) {
    return op.accept(FLOPS);
  }

  /**
   * 2 per multiply-add for einsums; 1 per output element for elementwise arithmetic; 1 per input
   * element for reductions (all-reduce included); none for data movement and index bookkeeping.
   */
  private static final Op.Visitor<Long> FLOPS = new Op.Visitor<>() {
    private long outputs(Op op) {
      return op.out().shape().elements();
    }

    @Override public Long constant(Op.Constant op) { return 0L; }
    @Override public Long iota(Op.Iota op) { return 0L; }
    @Override public Long unary(Op.Unary op) { return outputs(op); }
    @Override public Long binary(Op.Binary op) { return outputs(op); }
    @Override public Long compare(Op.Compare op) { return outputs(op); }
    @Override public Long select(Op.Select op) { return outputs(op); }
    @Override public Long cast(Op.Cast op) { return 0L; }

    @Override
    public Long einsum(Op.Einsum e) {
      Set<String> seen = new java.util.HashSet<>();
      long n = 2;
      for (Value v : List.of(e.lhs(), e.rhs()))
        for (Dim d : v.shape().dims()) if (seen.add(d.name())) n = Math.multiplyExact(n, d.size());
      return n;
    }

    @Override public Long reduce(Op.Reduce op) { return op.x().shape().elements(); }
    @Override public Long argMax(Op.ArgMax op) { return op.x().shape().elements(); }
    @Override public Long oneHot(Op.OneHot op) { return 0L; }
    @Override public Long cumsum(Op.Cumsum op) { return op.x().shape().elements(); }
    @Override public Long reshape(Op.Reshape op) { return 0L; }
    @Override public Long relabel(Op.Relabel op) { return 0L; }
    @Override public Long gather(Op.Gather op) { return 0L; }
    @Override public Long scatterAdd(Op.ScatterAdd op) { return 0L; } // counted as data movement, like gather
    @Override public Long allReduce(Op.AllReduce op) { return op.x().shape().elements(); }
    @Override public Long allGather(Op.AllGather op) { return 0L; }
    @Override public Long allToAll(Op.AllToAll op) { return 0L; }
    @Override public Long deviceCoordinate(Op.DeviceCoordinate op) { return 0L; }
    @Override public Long localSlice(Op.LocalSlice op) { return 0L; }
  };

  /** The collective an op is, with its bytes; empty for every op that moves nothing between devices. */
  private static Optional<Plan.Collective> collective(ShardedFunc s, Op op) {
    String source = op.loc() + (op.loc().what().isEmpty() ? "" : " " + op.loc().what());
    Mesh mesh = s.mesh();
    return op.accept(new Op.Visitor<Optional<Plan.Collective>>() {
      private Optional<Plan.Collective> none() {
        return Optional.empty();
      }

      /** {@code sent}: bytes each device sends over the network for an operand of {@code b} bytes in a group of {@code k}. */
      private Optional<Plan.Collective> of(CollectiveKind kind, Value x, List<String> axes, java.util.function.LongBinaryOperator sent) {
        int k = mesh.size(axes);
        long b = x.type().bytes();
        return Optional.of(new Plan.Collective(kind, axes, k, x.dtype(), x.type(), b, sent.applyAsLong(b, k), source, mesh.groups(axes)));
      }

      @Override public Optional<Plan.Collective> constant(Op.Constant op) { return none(); }
      @Override public Optional<Plan.Collective> iota(Op.Iota op) { return none(); }
      @Override public Optional<Plan.Collective> unary(Op.Unary op) { return none(); }
      @Override public Optional<Plan.Collective> binary(Op.Binary op) { return none(); }
      @Override public Optional<Plan.Collective> compare(Op.Compare op) { return none(); }
      @Override public Optional<Plan.Collective> select(Op.Select op) { return none(); }
      @Override public Optional<Plan.Collective> cast(Op.Cast op) { return none(); }
      @Override public Optional<Plan.Collective> einsum(Op.Einsum op) { return none(); }
      @Override public Optional<Plan.Collective> reduce(Op.Reduce op) { return none(); }
      @Override public Optional<Plan.Collective> argMax(Op.ArgMax op) { return none(); }
      @Override public Optional<Plan.Collective> oneHot(Op.OneHot op) { return none(); }
      @Override public Optional<Plan.Collective> cumsum(Op.Cumsum op) { return none(); }
      @Override public Optional<Plan.Collective> reshape(Op.Reshape op) { return none(); }
      @Override public Optional<Plan.Collective> relabel(Op.Relabel op) { return none(); }
      @Override public Optional<Plan.Collective> gather(Op.Gather op) { return none(); }
      @Override public Optional<Plan.Collective> scatterAdd(Op.ScatterAdd op) { return none(); }

      @Override
      public Optional<Plan.Collective> allReduce(Op.AllReduce a) {
        return of(CollectiveKind.ALL_REDUCE, a.x(), a.axes(), (b, k) -> 2 * (k - 1) * b / k);
      }

      @Override
      public Optional<Plan.Collective> allGather(Op.AllGather g) {
        return of(CollectiveKind.ALL_GATHER, g.x(), List.of(g.axis()), (b, k) -> (k - 1) * b);
      }

      @Override
      public Optional<Plan.Collective> allToAll(Op.AllToAll a) {
        return of(CollectiveKind.ALL_TO_ALL, a.x(), List.of(a.axis()), (b, k) -> (k - 1) * b / k);
      }

      @Override public Optional<Plan.Collective> deviceCoordinate(Op.DeviceCoordinate op) { return none(); }
      @Override public Optional<Plan.Collective> localSlice(Op.LocalSlice op) { return none(); } // each device keeps its piece
    });
  }
}
