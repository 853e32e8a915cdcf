package dev.switchc.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operations of the named-dimension IR. Every op defines exactly one value, {@code out}; its
 * meaning is defined by dimension names, never by positions, so passes (sharding, autodiff) reason
 * about names and the lowering picks positions. Ops are chosen for simple gradient rules: an
 * einsum's gradient is two einsums, a gather's is a scatter-add and vice versa.
 */
public sealed interface Op {
  Value out();

  List<Value> inputs();

  SourceLoc loc();

  /**
   * The one dispatch point over op kinds: a pass that must handle every op implements this, and
   * adding an op kind adds a method here, so every such pass stops compiling until it handles it.
   */
  <R> R accept(Visitor<R> v);

  /** One method per op kind. */
  interface Visitor<R> {
    R constant(Constant op);

    R iota(Iota op);

    R unary(Unary op);

    R binary(Binary op);

    R compare(Compare op);

    R select(Select op);

    R cast(Cast op);

    R einsum(Einsum op);

    R reduce(Reduce op);

    R argMax(ArgMax op);

    R oneHot(OneHot op);

    R cumsum(Cumsum op);

    R reshape(Reshape op);

    R relabel(Relabel op);

    R gather(Gather op);

    R scatterAdd(ScatterAdd op);

    R allReduce(AllReduce op);

    R allGather(AllGather op);

    R allToAll(AllToAll op);

    R deviceCoordinate(DeviceCoordinate op);

    R localSlice(LocalSlice op);
  }

  /** A tensor filled with one value. */
  record Constant(Value out, double value, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.constant(this);
    }

    public List<Value> inputs() {
      return List.of();
    }
  }

  /** 0, 1, 2, ... along {@code dim}, broadcast over the other dims of {@code out}. */
  record Iota(Value out, String dim, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.iota(this);
    }

    public List<Value> inputs() {
      return List.of();
    }
  }

  enum UnaryFn { NEG, EXP, LOG, ERF, SQRT, RSQRT, ABS, TANH }

  record Unary(Value out, UnaryFn fn, Value x, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.unary(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /** XOR and SHR (logical shift right) take integers only; integer ADD and MUL wrap around (the noise hash needs both). */
  enum BinaryFn { ADD, SUB, MUL, DIV, MAX, MIN, XOR, SHR }

  /** Elementwise; an input lacking some dims of {@code out} is broadcast over them (by name). */
  record Binary(Value out, BinaryFn fn, Value lhs, Value rhs, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.binary(this);
    }

    public List<Value> inputs() {
      return List.of(lhs, rhs);
    }
  }

  enum Cmp { EQ, NE, LT, LE, GT, GE }

  /** Elementwise comparison to a {@code pred} tensor, broadcasting by name. */
  record Compare(Value out, Cmp cmp, Value lhs, Value rhs, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.compare(this);
    }

    public List<Value> inputs() {
      return List.of(lhs, rhs);
    }
  }

  /** {@code pred ? onTrue : onFalse}, broadcasting by name. */
  record Select(Value out, Value pred, Value onTrue, Value onFalse, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.select(this);
    }

    public List<Value> inputs() {
      return List.of(pred, onTrue, onFalse);
    }
  }

  /** Element type conversion (floats round to nearest even; pred converts to 0 or 1). */
  record Cast(Value out, Value x, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.cast(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /**
   * Named contraction: dims in both inputs and in {@code out} are batch dims, dims in both inputs
   * but not in {@code out} are summed, every other input dim must appear in {@code out}.
   */
  record Einsum(Value out, Value lhs, Value rhs, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.einsum(this);
    }

    public List<Value> inputs() {
      return List.of(lhs, rhs);
    }
  }

  enum ReduceFn { SUM, MAX, MIN }

  /** Reduces over the dims of {@code x} that {@code out} lacks. */
  record Reduce(Value out, ReduceFn fn, Value x, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.reduce(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }

    public List<String> reducedDims() {
      return x.shape().names().stream().filter(n -> !out.shape().has(n)).toList();
    }
  }

  /** Index (i32) of the largest element along {@code dim}; the lowest index wins ties. */
  record ArgMax(Value out, Value x, String dim, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.argMax(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /** {@code out[..., dim=k] = (index[...] == k)}; an index outside [0, size) gives all zeros. */
  record OneHot(Value out, Value index, String dim, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.oneHot(this);
    }

    public List<Value> inputs() {
      return List.of(index);
    }
  }

  /** Running sum along {@code dim}; exclusive leaves out the element itself. */
  record Cumsum(Value out, Value x, String dim, boolean exclusive, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.cumsum(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /** Row-major reshape between the dim orders of {@code x} and {@code out}. */
  record Reshape(Value out, Value x, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.reshape(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /**
   * Renames dims position by position without moving data. Exists so that a tensor can change
   * which name (and so which mesh layout) a dimension has: the sharding pass turns a relabel
   * between differently laid out names into an all-to-all, as Mesh TensorFlow does.
   */
  record Relabel(Value out, Value x, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.relabel(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /**
   * {@code out[idx..., rest...] = operand[d = indices[d][idx...] for indexed d, rest...]}. All index
   * tensors (i32) share one shape; an operand dim named in that shape but not indexed is a batch
   * dim (matched by name); the other operand dims are carried through. Out-of-range indices clamp,
   * as in StableHLO; callers mask such rows.
   */
  record Gather(Value out, Value operand, Map<String, Value> indices, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.gather(this);
    }

    public Gather {
      indices = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(indices));
    }

    public List<Value> inputs() {
      List<Value> in = new ArrayList<>();
      in.add(operand);
      in.addAll(indices.values());
      return in;
    }
  }

  /**
   * {@code out = operand}, then {@code out[d = indices[d][idx...], rest...] += updates[idx..., rest...]}.
   * Index conventions as in {@link Gather}; an update whose index is out of range is dropped.
   */
  record ScatterAdd(Value out, Value operand, Value updates, Map<String, Value> indices, SourceLoc loc)
      implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.scatterAdd(this);
    }

    public ScatterAdd {
      indices = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(indices));
    }

    public List<Value> inputs() {
      List<Value> in = new ArrayList<>();
      in.add(operand);
      in.add(updates);
      in.addAll(indices.values());
      return in;
    }
  }

  // Collectives: only in per-device functions made by the sharding pass. Dims keep their names;
  // sizes are per device. Axes name mesh axes; the lowering turns them into replica groups.

  /** Combines {@code x} elementwise across the devices that differ only in {@code axes}. */
  record AllReduce(Value out, Value x, List<String> axes, ReduceFn fn, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.allReduce(this);
    }

    public AllReduce {
      axes = List.copyOf(axes);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /** Concatenates the pieces of {@code dim} held by the devices along {@code axis}, in axis order. */
  record AllGather(Value out, Value x, String axis, String dim, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.allGather(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /**
   * Along {@code axis}: splits {@code splitDim} into one piece per device, sends piece k to the
   * k-th device, and concatenates what arrives along {@code concatDim} (dims named as in {@code x}).
   * {@code out} may rename dims position by position, as a {@link Relabel} does.
   */
  record AllToAll(Value out, Value x, String axis, String splitDim, String concatDim, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.allToAll(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }

  /**
   * This device's index along {@code axes} (major first; i32 scalar): made by the sharding pass,
   * e.g. to offset an iota over a split dim so that each device counts its own piece's global positions.
   */
  record DeviceCoordinate(Value out, List<String> axes, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.deviceCoordinate(this);
    }

    public DeviceCoordinate {
      axes = List.copyOf(axes);
    }

    public List<Value> inputs() {
      return List.of();
    }
  }

  /** Keeps this device's piece of {@code dim} along {@code axis} (from whole to split: no communication). */
  record LocalSlice(Value out, Value x, String axis, String dim, SourceLoc loc) implements Op {
    public <R> R accept(Visitor<R> v) {
      return v.localSlice(this);
    }

    public List<Value> inputs() {
      return List.of(x);
    }
  }
}
