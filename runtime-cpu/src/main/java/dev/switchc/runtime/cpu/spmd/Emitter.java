package dev.switchc.runtime.cpu.spmd;

import dev.switchc.ir.DType;
import dev.switchc.lowering.hlo.HloOp;
import dev.switchc.lowering.hlo.HloType;
import dev.switchc.lowering.hlo.HloValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends structured ops to one function under construction and hands out fresh values; the
 * only mutable object of the emulation. The helpers build the few op shapes the emulation needs
 * more than once, each computing its result type.
 */
final class Emitter {
  private final List<HloOp> ops = new ArrayList<>();
  private int nextId;

  HloValue fresh(HloType type) {
    return new HloValue(nextId++, type);
  }

  HloValue emit(HloOp op) {
    ops.add(op);
    return op.result();
  }

  List<HloOp> ops() {
    return List.copyOf(ops);
  }

  static HloType type(DType dtype, List<Long> dims) {
    return new HloType(dtype, dims);
  }

  /** A constant i32 tensor of {@code dims} holding {@code values} row-major. */
  HloValue table(List<Long> dims, List<Integer> values) {
    return emit(new HloOp.IntTable(fresh(type(DType.I32, dims)), values));
  }

  HloValue iota(DType dtype, List<Long> dims, int dimension) {
    return emit(new HloOp.Iota(fresh(type(dtype, dims)), dimension));
  }

  HloValue convert(HloValue x, DType to) {
    return x.type().dtype() == to ? x : emit(new HloOp.Convert(fresh(x.type().withDtype(to)), x));
  }

  HloValue reshape(HloValue x, List<Long> dims) {
    return x.type().dims().equals(dims) ? x : emit(new HloOp.Reshape(fresh(type(x.type().dtype(), dims)), x));
  }

  HloValue broadcast(HloValue x, List<Long> dims, List<Integer> mapping) {
    return emit(new HloOp.BroadcastInDim(fresh(type(x.type().dtype(), dims)), x, mapping));
  }

  /** Same-typed binary elementwise op (add, maximum, minimum...). */
  HloValue elementwise(HloOp.ElementwiseFn fn, HloValue lhs, HloValue rhs) {
    return emit(new HloOp.Elementwise(fresh(lhs.type()), fn, List.of(lhs, rhs)));
  }

  /** Concatenation along {@code dimension}; a single piece is returned as it is. */
  HloValue concatenate(List<HloValue> pieces, int dimension) {
    if (pieces.size() == 1) return pieces.get(0);
    List<Long> dims = new ArrayList<>(pieces.get(0).type().dims());
    long total = 0;
    for (HloValue p : pieces) total += p.type().dims().get(dimension);
    dims.set(dimension, total);
    return emit(new HloOp.Concatenate(fresh(type(pieces.get(0).type().dtype(), dims)), pieces, dimension));
  }

  /**
   * {@code result[d] = x[row, s_1 : s_1 + sizes_1, ..., s_r : s_r + sizes_r]} with
   * {@code (row, s_1, ..., s_r) = starts[d]}: a gather whose index vectors {@code starts}
   * ({@code [N, 1 + r]} i32) pick a source row of the stacked {@code x} ({@code [R, dims...]})
   * and a start in it, per output row. Starts clamp into range exactly as in
   * {@code dynamic_slice}: both ops clamp each start to {@code [0, dim - size]}.
   */
  HloValue sliceRows(HloValue x, HloValue starts, List<Long> sizes) {
    int rank = sizes.size();
    if (x.type().rank() != rank + 1 || starts.type().rank() != 2 || starts.type().dims().get(1) != rank + 1)
      throw new IllegalArgumentException("sliceRows: " + x.type() + " with starts " + starts.type() + " and sizes " + sizes);
    List<Long> resultDims = new ArrayList<>();
    resultDims.add(starts.type().dims().get(0));
    resultDims.addAll(sizes);
    List<Long> sliceSizes = new ArrayList<>();
    sliceSizes.add(1L);
    sliceSizes.addAll(sizes);
    return emit(new HloOp.Gather(fresh(type(x.type().dtype(), resultDims)), x, starts, Dims.range(1, rank + 1), List.of(0),
        Dims.range(0, rank + 1), 1, sliceSizes));
  }
}
