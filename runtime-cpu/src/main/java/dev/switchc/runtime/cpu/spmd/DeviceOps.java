package dev.switchc.runtime.cpu.spmd;

import dev.switchc.ir.DType;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The emulation of the ops whose result depends on which device runs them, over values stacked
 * {@code [N, local...]}. Each collective is spelt out from its own {@code replica_groups}, by its
 * StableHLO definition, so a wrong group gives a wrong answer as it would on a real mesh:
 *
 * <ul>
 *   <li>all_reduce: {@code result[d] = op(...op(op(x[m_0], x[m_1]), x[m_2])..., x[m_k-1])} over the
 *       members {@code m_j} of d's group in group order (a left fold: exactly one order of
 *       additions, the same for every member, so the members agree bitwise);
 *   <li>all_gather along j: {@code result[d] = concat_j(x[m_0], ..., x[m_k-1])};
 *   <li>all_to_all: with p = d's position in its group, {@code result[d] = concat_c(piece_p(x[m_0]),
 *       ..., piece_p(x[m_k-1]))}, {@code piece_p} the p-th of k equal pieces along the split dim;
 *   <li>partition_id: an iota over the device axis;
 *   <li>dynamic_slice: each device slices its own operand at its own starts.
 * </ul>
 *
 * Every "x[m]" is one gather over the stacked operand with a constant table of source rows
 * ({@link Emitter#sliceRows}); no collective or partition id is emitted.
 */
final class DeviceOps {
  private DeviceOps() {}

  static HloValue allReduce(Emitter e, HloOp.AllReduce op, HloValue x, int devices, String what) {
    ReplicaGroups g = ReplicaGroups.of(op.groups(), devices, what);
    requireType(what, op.result().type(), op.operand().type(), "the operand's type (all_reduce keeps the type)");
    if (op.combiner() == HloOp.Combiner.ARGMAX)
      throw new IllegalStateException(what + ": combiner ARGMAX is not a binary reduction an all_reduce can apply");
    HloOp.ElementwiseFn combine = op.combiner().fn();
    List<Long> local = op.operand().type().dims();
    HloValue acc = null;
    for (int j = 0; j < g.size(); j++) {
      int member = j;
      HloValue piece = e.sliceRows(x, starts(e, devices, local.size(), d -> g.member(d, member), -1, d -> 0), local);
      acc = acc == null ? piece : e.elementwise(combine, acc, piece);
    }
    return acc;
  }

  static HloValue allGather(Emitter e, HloOp.AllGather op, HloValue x, int devices, String what) {
    ReplicaGroups g = ReplicaGroups.of(op.groups(), devices, what);
    List<Long> local = op.operand().type().dims();
    int dim = op.dimension();
    if (dim < 0 || dim >= local.size())
      throw new IllegalStateException(what + ": all_gather_dim " + dim + " is outside the operand's rank " + local.size() + " (" + Dims.spell(op.operand().type()) + ")");
    List<Long> expected = new ArrayList<>(local);
    expected.set(dim, local.get(dim) * g.size());
    requireType(what, op.result().type(), new HloType(op.operand().type().dtype(), expected),
        "the operand's type with dim " + dim + " times the group size " + g.size());
    List<HloValue> pieces = new ArrayList<>();
    for (int j = 0; j < g.size(); j++) {
      int member = j;
      pieces.add(e.sliceRows(x, starts(e, devices, local.size(), d -> g.member(d, member), -1, d -> 0), local));
    }
    return e.concatenate(pieces, dim + 1);
  }

  static HloValue allToAll(Emitter e, HloOp.AllToAll op, HloValue x, int devices, String what) {
    ReplicaGroups g = ReplicaGroups.of(op.groups(), devices, what);
    List<Long> local = op.operand().type().dims();
    int s = op.splitDimension(), c = op.concatDimension(), k = g.size();
    if (s < 0 || s >= local.size() || c < 0 || c >= local.size())
      throw new IllegalStateException(what + ": split_dimension " + s + " or concat_dimension " + c + " is outside the operand's rank " + local.size());
    if (op.splitCount() != k)
      throw new IllegalStateException(what + ": split_count " + op.splitCount() + " differs from the replica group size " + k);
    if (local.get(s) % k != 0)
      throw new IllegalStateException(what + ": split dimension " + s + " has size " + local.get(s) + ", not divisible by split_count " + k);
    long piece = local.get(s) / k;
    List<Long> sizes = new ArrayList<>(local);
    sizes.set(s, piece);
    List<Long> expected = new ArrayList<>(sizes);
    expected.set(c, sizes.get(c) * k);
    requireType(what, op.result().type(), new HloType(op.operand().type().dtype(), expected),
        "the operand's type with dim " + s + " divided and dim " + c + " multiplied by split_count " + k);
    List<HloValue> pieces = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      int member = j;
      pieces.add(e.sliceRows(x, starts(e, devices, local.size(), d -> g.member(d, member), s, d -> (int) (g.positionOf(d) * piece)), sizes));
    }
    return e.concatenate(pieces, c + 1);
  }

  /** Device d's id: {@code iota} over the device axis, in the op's own type (ui32). */
  static HloValue partitionId(Emitter e, HloOp.PartitionId op, int devices, String what) {
    if (op.result().type().rank() != 0) throw new IllegalStateException(what + ": partition_id must be a 0-d tensor, got " + Dims.spell(op.result().type()));
    return e.iota(op.result().type().dtype(), List.of((long) devices), 0);
  }

  /**
   * A gather whose index vector for device d is (d, its own starts...): each device slices its
   * own operand at the starts it computed. Starts are converted to i32 (the lowering's type).
   */
  static HloValue dynamicSlice(Emitter e, HloOp.DynamicSlice op, HloValue x, List<HloValue> starts, int devices, String what) {
    int rank = op.operand().type().rank();
    if (starts.size() != rank || op.sizes().size() != rank)
      throw new IllegalStateException(what + ": dynamic_slice of a rank-" + rank + " operand has " + starts.size() + " start indices and "
          + op.sizes().size() + " slice sizes");
    requireType(what, op.result().type(), new HloType(op.operand().type().dtype(), op.sizes()), "the slice sizes " + op.sizes());
    List<Long> column = List.of((long) devices, 1L);
    List<HloValue> columns = new ArrayList<>();
    columns.add(e.iota(DType.I32, column, 0));
    for (int i = 0; i < rank; i++) {
      HloValue start = starts.get(i);
      if (op.starts().get(i).type().rank() != 0)
        throw new IllegalStateException(what + ": start index " + i + " must be a 0-d tensor, got " + Dims.spell(op.starts().get(i).type()));
      columns.add(e.reshape(e.convert(start, DType.I32), column));
    }
    return e.sliceRows(x, e.concatenate(columns, 1), op.sizes());
  }

  /**
   * The constant start table {@code [N, 1 + rank]}: row d is (source row, starts...), all starts 0
   * except {@code startOf(d)} in dimension {@code dim} (none when {@code dim < 0}).
   */
  private static HloValue starts(Emitter e, int devices, int rank, IntUnaryOperator sourceRow, int dim, IntUnaryOperator startOf) {
    List<Integer> values = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      values.add(sourceRow.applyAsInt(d));
      for (int i = 0; i < rank; i++) values.add(i == dim ? startOf.applyAsInt(d) : 0);
    }
    return e.table(List.of((long) devices, (long) rank + 1), values);
  }

  private static void requireType(String what, HloType actual, HloType expected, String rule) {
    if (!actual.equals(expected))
      throw new IllegalStateException(what + ": result type " + Dims.spell(actual) + " should be " + Dims.spell(expected) + ", " + rule);
  }
}
