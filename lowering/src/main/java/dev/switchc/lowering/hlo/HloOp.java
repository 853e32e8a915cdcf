package dev.switchc.lowering.hlo;

import java.util.List;

/**
 * Structured StableHLO operations: lowering builds these, {@code StableHloPrinter} alone spells
 * them as text. Attributes are positional (dimension numbers), as in the StableHLO spec.
 */
public sealed interface HloOp {
  HloValue result();

  List<HloValue> operands();

  /** A splat constant. */
  record Constant(HloValue result, double value) implements HloOp {
    public List<HloValue> operands() {
      return List.of();
    }
  }

  /** A constant integer tensor given element by element, row-major (index tables). */
  record IntTable(HloValue result, List<Integer> values) implements HloOp {
    public IntTable {
      values = List.copyOf(values);
    }

    public List<HloValue> operands() {
      return List.of();
    }
  }

  record Iota(HloValue result, int dimension) implements HloOp {
    public List<HloValue> operands() {
      return List.of();
    }
  }

  /** Elementwise ops without attributes, by StableHLO name: add, exponential, chlo.erf, select... */
  record Elementwise(HloValue result, String name, List<HloValue> operands) implements HloOp {
    public Elementwise {
      operands = List.copyOf(operands);
    }
  }

  enum CompareType { FLOAT, SIGNED }

  record Compare(HloValue result, String direction, CompareType type, HloValue lhs, HloValue rhs) implements HloOp {
    public List<HloValue> operands() {
      return List.of(lhs, rhs);
    }
  }

  record Convert(HloValue result, HloValue operand) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record Reshape(HloValue result, HloValue operand) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record Transpose(HloValue result, HloValue operand, List<Integer> permutation) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record BroadcastInDim(HloValue result, HloValue operand, List<Integer> dimensions) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record DotGeneral(HloValue result, HloValue lhs, HloValue rhs, List<Integer> lhsBatch, List<Integer> rhsBatch,
      List<Integer> lhsContract, List<Integer> rhsContract) implements HloOp {
    public List<HloValue> operands() {
      return List.of(lhs, rhs);
    }
  }

  /** The body of a reduction: a binary op, or argmax over (value, index) pairs, lowest index on ties. */
  enum Combiner {
    ADD, MAX, MIN, ARGMAX;

    /** The StableHLO op that combines two values: add, maximum, minimum. */
    public String opName() {
      return switch (this) {
        case ADD -> "add";
        case MAX -> "maximum";
        case MIN -> "minimum";
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
    public Reduce {
      operands = List.copyOf(operands);
      inits = List.copyOf(inits);
    }
  }

  /** Inclusive running sum along one dimension (reduce_window with a left-padded window). */
  record CumulativeSum(HloValue result, HloValue operand, HloValue zero, int dimension) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand, zero);
    }
  }

  /** stablehlo.pad with per-dimension low/high edge padding (negative high padding crops). */
  record Pad(HloValue result, HloValue operand, HloValue padValue, List<Long> low, List<Long> high) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand, padValue);
    }
  }

  record Concatenate(HloValue result, List<HloValue> operands, int dimension) implements HloOp {
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
    public List<HloValue> operands() {
      return List.of(operand, indices);
    }
  }

  /** stablehlo.scatter with an add combiner; updates are [index batch dims..., window dims...]. */
  record ScatterAdd(HloValue result, HloValue operand, HloValue indices, HloValue updates, List<Integer> updateWindowDims,
      List<Integer> insertedWindowDims, List<Integer> scatterDimsToOperandDims, int indexVectorDim) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand, indices, updates);
    }
  }

  // Multi-device ops. Replica groups hold partition ids (one replica, N partitions); channel
  // handles are unique per collective in a module.

  record AllReduce(HloValue result, HloValue operand, List<List<Integer>> groups, Combiner combiner, int channel) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record AllGather(HloValue result, HloValue operand, int dimension, List<List<Integer>> groups, int channel) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  record AllToAll(HloValue result, HloValue operand, int splitDimension, int concatDimension, List<List<Integer>> groups, int channel)
      implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }

    public int splitCount() {
      return groups.get(0).size();
    }
  }

  /** This device's partition id, a {@code tensor<ui32>}. */
  record PartitionId(HloValue result) implements HloOp {
    public List<HloValue> operands() {
      return List.of();
    }
  }

  record DynamicSlice(HloValue result, HloValue operand, List<HloValue> starts, List<Long> sizes) implements HloOp {
    public List<HloValue> operands() {
      List<HloValue> all = new java.util.ArrayList<>();
      all.add(operand);
      all.addAll(starts);
      return all;
    }
  }

  /** {@code stablehlo.custom_call @target(operand)} with an {@code mhlo.sharding} attribute. */
  record ShardingCall(HloValue result, String target, HloValue operand, HloSharding sharding) implements HloOp {
    public List<HloValue> operands() {
      return List.of(operand);
    }
  }

  /** {@code func.call @callee}; {@code result()} is the first of {@code results}. */
  record Call(List<HloValue> results, String callee, List<HloValue> operands) implements HloOp {
    public Call {
      results = List.copyOf(results);
      operands = List.copyOf(operands);
    }

    public HloValue result() {
      return results.get(0);
    }
  }
}
