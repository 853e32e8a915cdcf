package dev.switchc.lowering.hlo;

import java.util.List;

/**
 * Structured StableHLO operations: lowering builds these, {@code StableHloPrinter} alone spells
 * them as text. Attributes are positional (dimension numbers), as in the StableHLO spec.
 */
public sealed interface HloOp {
  HloValue result();

  /** Every value the op defines, in the order the printer numbers them ({@code %N#0, %N#1}); most ops define one. */
  default List<HloValue> results() {
    return List.of(result());
  }

  List<HloValue> operands();

  /**
   * The one dispatch point over StableHLO op kinds (the printer, the mesh emulation): adding a
   * kind adds a method here, so every such pass stops compiling until it handles it.
   */
  <R> R accept(Visitor<R> v);

  /** One method per op kind. */
  interface Visitor<R> {
    R constant(Constant op);

    R intTable(IntTable op);

    R iota(Iota op);

    R elementwise(Elementwise op);

    R compare(Compare op);

    R convert(Convert op);

    R reshape(Reshape op);

    R transpose(Transpose op);

    R broadcastInDim(BroadcastInDim op);

    R dotGeneral(DotGeneral op);

    R reduce(Reduce op);

    R cumulativeSum(CumulativeSum op);

    R pad(Pad op);

    R concatenate(Concatenate op);

    R gather(Gather op);

    R scatterAdd(ScatterAdd op);

    R allReduce(AllReduce op);

    R allGather(AllGather op);

    R allToAll(AllToAll op);

    R partitionId(PartitionId op);

    R dynamicSlice(DynamicSlice op);

    R shardingCall(ShardingCall op);

    R call(Call op);
  }

  /** A splat constant. */
  record Constant(HloValue result, double value) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.constant(this);
    }

    public List<HloValue> operands() {
      return List.of();
    }
  }

  /** A constant integer tensor given element by element, row-major (index tables). */
  record IntTable(HloValue result, List<Integer> values) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.intTable(this);
    }

    public IntTable {
      values = List.copyOf(values);
    }

    public List<HloValue> operands() {
      return List.of();
    }
  }

  record Iota(HloValue result, int dimension) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.iota(this);
    }

    public List<HloValue> operands() {
      return List.of();
    }
  }

  /** The elementwise ops without attributes that lowering and the emulation use. */
  enum ElementwiseFn {
    ADD("stablehlo.add"),
    SUBTRACT("stablehlo.subtract"),
    MULTIPLY("stablehlo.multiply"),
    DIVIDE("stablehlo.divide"),
    REMAINDER("stablehlo.remainder"),
    MAXIMUM("stablehlo.maximum"),
    MINIMUM("stablehlo.minimum"),
    XOR("stablehlo.xor"),
    SHIFT_RIGHT_LOGICAL("stablehlo.shift_right_logical"),
    NEGATE("stablehlo.negate"),
    EXPONENTIAL("stablehlo.exponential"),
    LOG("stablehlo.log"),
    SQRT("stablehlo.sqrt"),
    RSQRT("stablehlo.rsqrt"),
    ABS("stablehlo.abs"),
    TANH("stablehlo.tanh"),
    /** In the CHLO dialect: XLA decomposes it (there is no stablehlo.erf in this XLA). */
    ERF("chlo.erf"),
    SELECT("stablehlo.select");

    private final String opName;

    ElementwiseFn(String opName) {
      this.opName = opName;
    }

    /** The op's full name in the generic form: {@code stablehlo.add}, {@code chlo.erf}. */
    public String opName() {
      return opName;
    }
  }

  /** {@code stablehlo.compare}'s comparison_direction. */
  enum ComparisonDirection { EQ, NE, LT, LE, GT, GE }

  /** The custom calls of the SPMD entry: XLA's partitioner reads them as sharding annotations. */
  enum ShardingTarget {
    /** Annotates a value with a sharding. */
    SHARDING("Sharding"),
    /** Enters a manual region: from the global value to this device's shard. */
    FULL_TO_SHARD("SPMDFullToShardShape"),
    /** Leaves a manual region: from this device's shard to the global value. */
    SHARD_TO_FULL("SPMDShardToFullShape");

    private final String callTarget;

    ShardingTarget(String callTarget) {
      this.callTarget = callTarget;
    }

    /** The call_target_name XLA knows it by. */
    public String callTarget() {
      return callTarget;
    }
  }

  /** Elementwise ops without attributes: add, exponential, chlo.erf, select... */
  record Elementwise(HloValue result, ElementwiseFn fn, List<HloValue> operands) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.elementwise(this);
    }

    public Elementwise {
      operands = List.copyOf(operands);
    }
  }

  enum CompareType { FLOAT, SIGNED }

  record Compare(HloValue result, ComparisonDirection direction, CompareType type, HloValue lhs, HloValue rhs) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.compare(this);
    }

    public List<HloValue> operands() {
      return List.of(lhs, rhs);
    }
  }

  record Convert(HloValue result, HloValue operand) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.convert(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record Reshape(HloValue result, HloValue operand) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.reshape(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record Transpose(HloValue result, HloValue operand, List<Integer> permutation) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.transpose(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record BroadcastInDim(HloValue result, HloValue operand, List<Integer> dimensions) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.broadcastInDim(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record DotGeneral(HloValue result, HloValue lhs, HloValue rhs, List<Integer> lhsBatch, List<Integer> rhsBatch,
      List<Integer> lhsContract, List<Integer> rhsContract) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.dotGeneral(this);
    }

    public List<HloValue> operands() {
      return List.of(lhs, rhs);
    }
  }

  /** The body of a reduction: a binary op, or argmax over (value, index) pairs, lowest index on ties. */
  enum Combiner {
    ADD, MAX, MIN, ARGMAX;

    /** The elementwise op that combines two values: add, maximum, minimum. */
    public ElementwiseFn fn() {
      return switch (this) {
        case ADD -> ElementwiseFn.ADD;
        case MAX -> ElementwiseFn.MAXIMUM;
        case MIN -> ElementwiseFn.MINIMUM;
        case ARGMAX -> throw new IllegalArgumentException("argmax combines (value, index) pairs, not with one op");
      };
    }

    /** The value that leaves the other operand unchanged, the init of a reduction. */
    public double identity(dev.switchc.ir.DType dt) {
      boolean f = dt.isFloat();
      return switch (this) {
        case ADD -> 0;
        case MAX -> f ? Double.NEGATIVE_INFINITY : Integer.MIN_VALUE;
        case MIN -> f ? Double.POSITIVE_INFINITY : Integer.MAX_VALUE;
        case ARGMAX -> throw new IllegalArgumentException("argmax has a pair of inits");
      };
    }
  }

  /**
   * stablehlo.reduce. With {@link Combiner#ARGMAX} it has two operands (values, indices) and two
   * inits, and {@code result} is the index result while {@code valueResult} is the max.
   */
  record Reduce(HloValue result, HloValue valueResult, List<HloValue> operands, List<HloValue> inits, Combiner combiner,
      List<Integer> dimensions) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.reduce(this);
    }

    public Reduce {
      operands = List.copyOf(operands);
      inits = List.copyOf(inits);
    }

    /** (max value, index) for argmax, else the one result. */
    @Override
    public List<HloValue> results() {
      return valueResult == null ? List.of(result) : List.of(valueResult, result);
    }
  }

  /** Inclusive running sum along one dimension (reduce_window with a left-padded window). */
  record CumulativeSum(HloValue result, HloValue operand, HloValue zero, int dimension) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.cumulativeSum(this);
    }

    public List<HloValue> operands() {
      return List.of(operand, zero);
    }
  }

  /** stablehlo.pad with per-dimension low/high edge padding (negative high padding crops). */
  record Pad(HloValue result, HloValue operand, HloValue padValue, List<Long> low, List<Long> high) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.pad(this);
    }

    public List<HloValue> operands() {
      return List.of(operand, padValue);
    }
  }

  record Concatenate(HloValue result, List<HloValue> operands, int dimension) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.concatenate(this);
    }

    public Concatenate {
      operands = List.copyOf(operands);
    }
  }

  /**
   * stablehlo.gather in the form lowering uses: index vector on the last dim of {@code indices};
   * the result is [index batch dims..., offset dims...] with offset dims at the end.
   */
  record Gather(HloValue result, HloValue operand, HloValue indices, List<Integer> offsetDims, List<Integer> collapsedSliceDims,
      List<Integer> startIndexMap, int indexVectorDim, List<Long> sliceSizes) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.gather(this);
    }

    public List<HloValue> operands() {
      return List.of(operand, indices);
    }
  }

  /** stablehlo.scatter with an add combiner; updates are [index batch dims..., window dims...]. */
  record ScatterAdd(HloValue result, HloValue operand, HloValue indices, HloValue updates, List<Integer> updateWindowDims,
      List<Integer> insertedWindowDims, List<Integer> scatterDimsToOperandDims, int indexVectorDim) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.scatterAdd(this);
    }

    public List<HloValue> operands() {
      return List.of(operand, indices, updates);
    }
  }

  // Multi-device ops. Replica groups hold partition ids (one replica, N partitions); channel
  // handles are unique per collective in a module.

  record AllReduce(HloValue result, HloValue operand, List<List<Integer>> groups, Combiner combiner, int channel) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.allReduce(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record AllGather(HloValue result, HloValue operand, int dimension, List<List<Integer>> groups, int channel) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.allGather(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record AllToAll(HloValue result, HloValue operand, int splitDimension, int concatDimension, List<List<Integer>> groups, int channel)
      implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.allToAll(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }

    public int splitCount() {
      return groups.get(0).size();
    }
  }

  /** This device's partition id, a {@code tensor<ui32>}. */
  record PartitionId(HloValue result) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.partitionId(this);
    }

    public List<HloValue> operands() {
      return List.of();
    }
  }

  record DynamicSlice(HloValue result, HloValue operand, List<HloValue> starts, List<Long> sizes) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.dynamicSlice(this);
    }

    public List<HloValue> operands() {
      List<HloValue> all = new java.util.ArrayList<>();
      all.add(operand);
      all.addAll(starts);
      return all;
    }
  }

  /** {@code stablehlo.custom_call @target(operand)} with an {@code mhlo.sharding} attribute. */
  record ShardingCall(HloValue result, ShardingTarget target, HloValue operand, HloSharding sharding) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.shardingCall(this);
    }

    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  /** {@code func.call @callee}; {@code result()} is the first of {@code results}. */
  record Call(List<HloValue> results, String callee, List<HloValue> operands) implements HloOp {
    public <R> R accept(Visitor<R> v) {
      return v.call(this);
    }

    public Call {
      results = List.copyOf(results);
      operands = List.copyOf(operands);
    }

    public HloValue result() {
      return results.get(0);
    }
  }
}
