package dev.switchc.lowering;

import dev.switchc.ir.Binding;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.ShardedFunc;
import dev.switchc.ir.TensorLayout;
import dev.switchc.lowering.hlo.HloFunc;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloSharding;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import dev.switchc.lowering.hlo.HloModule;
import java.util.ArrayList;
import java.util.List;

/**
 * Lowers a sharded function to the hand-partitioned SPMD form XLA's partitioner accepts, the form
 * JAX emits for {@code shard_map}: {@code main} takes and returns global arrays annotated with
 * their tiled {@code mhlo.sharding}; each argument enters a manual region through
 * {@code @Sharding} and {@code @SPMDFullToShardShape}, the per-device body (with its explicit
 * collectives) is the function {@code @shmap_body}, and each result leaves through
 * {@code @Sharding} and {@code @SPMDShardToFullShape}.
 */
public final class SpmdLower {
  private SpmdLower() {}

  public static final String BODY = "shmap_body";

  public static HloModule run(ShardedFunc s) {
    Lower.Channels channels = new Lower.Channels();
    HloFunc body = Lower.function(s.local(), BODY, s.mesh(), channels);
    List<HloOp> ops = new ArrayList<>();
    int[] next = {0};
    List<HloValue> args = new ArrayList<>(), locals = new ArrayList<>();
    List<HloSharding> argShardings = new ArrayList<>(), resultShardings = new ArrayList<>();
    for (int i = 0; i < s.local().params().size(); i++) {
      Binding p = s.local().params().get(i);
      TensorLayout layout = s.layoutOf(p.value());
      HloSharding sharding = sharding(layout, s.mesh());
      HloValue arg = new HloValue(next[0]++, Lower.type(layout.global().dtype(), layout.global().shape()));
      args.add(arg);
      argShardings.add(sharding);
      HloValue annotated = add(ops, new HloOp.ShardingCall(new HloValue(next[0]++, arg.type()), HloOp.ShardingTarget.SHARDING, arg, sharding));
      locals.add(add(ops, new HloOp.ShardingCall(new HloValue(next[0]++, body.args().get(i).type()), HloOp.ShardingTarget.FULL_TO_SHARD, annotated, HloSharding.MANUAL)));
    }
    List<HloValue> bodyResults = new ArrayList<>();
    for (HloValue r : body.returns()) bodyResults.add(new HloValue(next[0]++, r.type()));
    ops.add(new HloOp.Call(bodyResults, BODY, locals));
    List<HloValue> returns = new ArrayList<>();
    for (int i = 0; i < bodyResults.size(); i++) {
      Binding r = s.local().results().get(i);
      TensorLayout layout = s.layoutOf(r.value());
      HloSharding sharding = sharding(layout, s.mesh());
      resultShardings.add(sharding);
      HloValue manual = add(ops, new HloOp.ShardingCall(new HloValue(next[0]++, bodyResults.get(i).type()), HloOp.ShardingTarget.SHARDING, bodyResults.get(i), HloSharding.MANUAL));
      returns.add(add(ops, new HloOp.ShardingCall(new HloValue(next[0]++, Lower.type(layout.global().dtype(), layout.global().shape())),
          HloOp.ShardingTarget.SHARD_TO_FULL, manual, sharding)));
    }
    HloFunc main = new HloFunc("main", args, ops, returns);
    return new HloModule(s.local().name(), main, List.of(body), s.local().params().stream().map(Binding::name).toList(),
        s.local().results().stream().map(Binding::name).toList(), s.mesh().devices(), argShardings, resultShardings);
  }

  private static HloValue add(List<HloOp> ops, HloOp op) {
    ops.add(op);
    return op.result();
  }

  /**
   * The tiled sharding of a tensor: tiles per dim from its layout; devices as iota over the mesh
   * transposed so that each dim's axes come in order (major first), then the unused axes, over
   * which the tensor is replicated.
   */
  public static HloSharding sharding(TensorLayout layout, Mesh mesh) {
    if (!layout.partialOver().isEmpty()) throw new IllegalArgumentException("a partial sum cannot leave the manual region: " + layout.describe());
    List<String> used = layout.splitAxes();
    if (used.isEmpty()) return HloSharding.REPLICATED;
    List<Long> tiles = new ArrayList<>();
    List<Integer> perm = new ArrayList<>();
    for (Dim d : layout.global().shape().dims()) {
      tiles.add((long) mesh.size(layout.axes(d.name())));
      for (String a : layout.axes(d.name())) perm.add(mesh.indexOf(a));
    }
    long replicas = 1;
    for (MeshAxis a : mesh.axes())
      if (!used.contains(a.name())) {
        perm.add(mesh.indexOf(a.name()));
        replicas *= a.size();
      }
    if (replicas > 1) tiles.add(replicas);
    return new HloSharding(HloSharding.Kind.TILED, tiles, mesh.axes().stream().map(MeshAxis::size).toList(), perm, replicas > 1);
  }
}
