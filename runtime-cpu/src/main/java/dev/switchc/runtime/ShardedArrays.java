package dev.switchc.runtime;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.hlo.HloSharding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a global row-major array of one shape lies on an N-device mesh under an XLA sharding, and
 * the moves between the global array and the per-device shards stacked {@code [N, local...]}
 * (device d's shard is row d).
 *
 * <p>{@code TILED}: the array is cut into {@code tiles[i]} equal pieces along each dim i; tile t,
 * row-major over {@code tiles} (with the trailing replication count when
 * {@code lastTileDimReplicate}, so consecutive t are replicas of one tile), is held by device
 * {@code sharding.devices().get(t)}. {@code REPLICATED}: every device holds the whole array.
 * {@code MANUAL} is not a layout of a global array and is refused.
 *
 * <p>Assembling checks that every replica of a tile holds the same bits; the first disagreement is
 * an {@link IllegalStateException} naming the result, the tile and the two devices.
 *
 * <p>Immutable and thread-safe.
 */
public final class ShardedArrays {
  private final List<Long> globalDims, localDims;
  private final HloSharding sharding;
  private final int devices;
  /** tileOf[d]: device d's tile coordinates (the data dims only, not the replica index). */
  private final long[][] tileOf;
  private final long localCount;

  private ShardedArrays(List<Long> globalDims, List<Long> localDims, HloSharding sharding, int devices, long[][] tileOf) {
    this.globalDims = List.copyOf(globalDims);
    this.localDims = List.copyOf(localDims);
    this.sharding = sharding;
    this.devices = devices;
    this.tileOf = tileOf;
    this.localCount = product(localDims);
  }

  /**
   * The layout of a {@code globalDims} array under {@code sharding} on {@code devices} devices;
   * {@link IllegalArgumentException} when the sharding does not fit the shape or the mesh.
   */
  public static ShardedArrays of(List<Long> globalDims, HloSharding sharding, int devices) {
    if (devices < 1) throw new IllegalArgumentException("a mesh needs at least one device, got " + devices);
    int rank = globalDims.size();
    long[][] tileOf = new long[devices][rank];
    List<Long> local = new ArrayList<>(globalDims);
    switch (sharding.kind()) {
      case REPLICATED -> { } // every device holds tile (0, ..., 0), the whole array
      case MANUAL -> throw new IllegalArgumentException("sharding {manual} describes a per-device value, not how a global array lies on the mesh");
      case TILED -> {
        List<Long> tiles = sharding.tiles();
        int expectedRank = rank + (sharding.lastTileDimReplicate() ? 1 : 0);
        if (tiles.size() != expectedRank)
          throw new IllegalArgumentException("sharding " + sharding.spell() + " has " + tiles.size() + " tile counts; a rank-" + rank + " array needs "
              + expectedRank + (sharding.lastTileDimReplicate() ? " (one per dim plus the replication count)" : " (one per dim)"));
        long total = product(tiles);
        List<Integer> order = sharding.devices();
        if (total != devices || order.size() != devices)
          throw new IllegalArgumentException("sharding " + sharding.spell() + " has " + total + " tiles over " + order.size() + " devices, but the mesh has "
              + devices + " devices");
        Set<Integer> seen = new HashSet<>();
        for (int dev : order)
          if (dev < 0 || dev >= devices || !seen.add(dev))
            throw new IllegalArgumentException("sharding " + sharding.spell() + " device order " + order + " is not a permutation of 0.." + (devices - 1));
        for (int i = 0; i < rank; i++) {
          if (tiles.get(i) < 1 || globalDims.get(i) % tiles.get(i) != 0)
            throw new IllegalArgumentException("sharding " + sharding.spell() + " cuts dim " + i + " of size " + globalDims.get(i) + " into "
                + tiles.get(i) + " tiles: not evenly divisible");
          local.set(i, globalDims.get(i) / tiles.get(i));
        }
        for (int t = 0; t < devices; t++) {
          long rest = t;
          long[] coords = new long[tiles.size()];
          for (int i = tiles.size() - 1; i >= 0; i--) {
            coords[i] = rest % tiles.get(i);
            rest /= tiles.get(i);
          }
          tileOf[order.get(t)] = Arrays.copyOf(coords, rank);
        }
      }
    }
    return new ShardedArrays(globalDims, local, sharding, devices, tileOf);
  }

  public List<Long> globalDims() {
    return globalDims;
  }

  /** The shape each device holds. */
  public List<Long> localDims() {
    return localDims;
  }

  public HloSharding sharding() {
    return sharding;
  }

  public int devices() {
    return devices;
  }

  /** Device {@code device}'s tile coordinates, one per dim (all 0 when replicated). */
  public List<Long> tileOf(int device) {
    return Arrays.stream(tileOf[device]).boxed().toList();
  }

  // ---- arrays ----

  /** The shards of a global row-major array, stacked [N, local...]. */
  public float[] shard(float[] global) {
    requireLength("global array", global.length, product(globalDims));
    float[] out = new float[Math.toIntExact(devices * localCount)];
    forEachRow((d, localOffset, globalOffset, length) -> System.arraycopy(global, globalOffset, out, localOffset, length));
    return out;
  }

  public int[] shard(int[] global) {
    requireLength("global array", global.length, product(globalDims));
    int[] out = new int[Math.toIntExact(devices * localCount)];
    forEachRow((d, localOffset, globalOffset, length) -> System.arraycopy(global, globalOffset, out, localOffset, length));
    return out;
  }

  /**
   * The global array from stacked per-device shards; every element must have the same bits on
   * every device that holds it ({@code name} names the result in the error).
   */
  public float[] assemble(float[] stacked, String name) {
    requireLength("stacked array", stacked.length, devices * localCount);
    float[] out = new float[Math.toIntExact(product(globalDims))];
    int[] owner = owners();
    forEachRow((d, localOffset, globalOffset, length) -> {
      if (owner[d] == d) System.arraycopy(stacked, localOffset, out, globalOffset, length);
      else for (int i = 0; i < length; i++)
        if (Float.floatToRawIntBits(stacked[localOffset + i]) != Float.floatToRawIntBits(out[globalOffset + i]))
          throw disagreement(name, owner[d], d, (localOffset - d * localCount) + i, globalOffset + i, out[globalOffset + i] + "", stacked[localOffset + i] + "");
    });
    return out;
  }

  public int[] assemble(int[] stacked, String name) {
    requireLength("stacked array", stacked.length, devices * localCount);
    int[] out = new int[Math.toIntExact(product(globalDims))];
    int[] owner = owners();
    forEachRow((d, localOffset, globalOffset, length) -> {
      if (owner[d] == d) System.arraycopy(stacked, localOffset, out, globalOffset, length);
      else for (int i = 0; i < length; i++)
        if (stacked[localOffset + i] != out[globalOffset + i])
          throw disagreement(name, owner[d], d, (localOffset - d * localCount) + i, globalOffset + i, out[globalOffset + i] + "", stacked[localOffset + i] + "");
    });
    return out;
  }

  // ---- tensors ----

  /**
   * The shards of {@code global}, stacked with a leading dim named {@code deviceDim} of size N:
   * {@code [deviceDim=N, local dims under the global dims' names...]}.
   */
  public HostTensor shard(HostTensor global, String deviceDim) {
    requireDims(global.type());
    TensorType stacked = stackedType(global.type(), deviceDim);
    return global.dtype() == DType.I32 ? HostTensor.ofInts(stacked, shard(global.ints())) : HostTensor.ofFloats(stacked, shard(global.floats()));
  }

  /** The global tensor of type {@code global} from stacked shards, replicas checked. */
  public HostTensor assemble(HostTensor stacked, TensorType global, String name) {
    requireDims(global);
    return global.dtype() == DType.I32 ? HostTensor.ofInts(global, assemble(stacked.ints(), name))
        : HostTensor.ofFloats(global, assemble(stacked.floats(), name));
  }

  /** {@code [deviceDim=N, local...]}, the local dims keeping the global dims' names. */
  public TensorType stackedType(TensorType global, String deviceDim) {
    requireDims(global);
    List<Dim> dims = new ArrayList<>();
    dims.add(new Dim(deviceDim, devices));
    for (int i = 0; i < localDims.size(); i++) dims.add(new Dim(global.shape().dims().get(i).name(), localDims.get(i)));
    return new TensorType(global.dtype(), new Shape(dims));
  }

  /** The per-device type: the global dims' names with the local sizes. */
  public TensorType localType(TensorType global) {
    requireDims(global);
    List<Dim> dims = new ArrayList<>();
    for (int i = 0; i < localDims.size(); i++) dims.add(new Dim(global.shape().dims().get(i).name(), localDims.get(i)));
    return new TensorType(global.dtype(), new Shape(dims));
  }

  // ---- internals ----

  private interface RowVisitor {
    void row(int device, int localOffset, int globalOffset, int length);
  }

  /**
   * Visits every innermost row of every device's shard in device order, then row-major: where it
   * starts in the stacked array and in the global array, and its length.
   */
  private void forEachRow(RowVisitor visitor) {
    if (localCount == 0) return;
    int rank = globalDims.size();
    int rowLength = rank == 0 ? 1 : Math.toIntExact(localDims.get(rank - 1));
    long rows = localCount / rowLength;
    long[] globalStride = new long[rank];
    long stride = 1;
    for (int i = rank - 1; i >= 0; i--) {
      globalStride[i] = stride;
      stride *= globalDims.get(i);
    }
    long[] pos = new long[Math.max(rank - 1, 0)];
    for (int d = 0; d < devices; d++) {
      Arrays.fill(pos, 0);
      for (long r = 0; r < rows; r++) {
        long g = 0;
        for (int i = 0; i < rank; i++) g += (tileOf[d][i] * localDims.get(i) + (i < rank - 1 ? pos[i] : 0)) * globalStride[i];
        visitor.row(d, Math.toIntExact(d * localCount + r * rowLength), Math.toIntExact(g), rowLength);
        for (int i = rank - 2; i >= 0; i--) { // next row, row-major over the leading local dims
          if (++pos[i] < localDims.get(i)) break;
          pos[i] = 0;
        }
      }
    }
  }

  /** For each device, the lowest device holding the same tile (itself when it is the first). */
  private int[] owners() {
    int[] owner = new int[devices];
    for (int d = 0; d < devices; d++) {
      owner[d] = d;
      for (int e = 0; e < d; e++)
        if (Arrays.equals(tileOf[e], tileOf[d])) {
          owner[d] = e;
          break;
        }
    }
    return owner;
  }

  private IllegalStateException disagreement(String name, int first, int second, long localIndex, long globalIndex, String a, String b) {
    return new IllegalStateException("result '" + name + "': tile " + tileOf(second) + " is held by devices " + first + " and " + second
        + ", which disagree at local element " + unravel(localIndex, localDims) + " (global " + unravel(globalIndex, globalDims) + "): " + a
        + " on device " + first + ", " + b + " on device " + second + "; the sharding " + sharding.spell() + " says they are replicas");
  }

  private static List<Long> unravel(long index, List<Long> dims) {
    Long[] out = new Long[dims.size()];
    for (int i = dims.size() - 1; i >= 0; i--) {
      out[i] = index % dims.get(i);
      index /= dims.get(i);
    }
    return List.of(out);
  }

  private void requireDims(TensorType t) {
    List<Long> dims = t.shape().dims().stream().map(Dim::size).toList();
    if (!dims.equals(globalDims)) throw new IllegalArgumentException("a " + t + " tensor does not have the global dims " + globalDims + " of this layout");
    // Gradient checks run before sharding, on one device; sharded programs stay f32/bf16/i32.
    if (t.dtype() == DType.F64) throw new IllegalArgumentException("a " + t + " tensor cannot be sharded: f64 is for single-device gradient checks");
  }

  private static void requireLength(String what, long actual, long expected) {
    if (actual != expected) throw new IllegalArgumentException(what + " has " + actual + " elements, expected " + expected);
  }

  private static long product(List<Long> dims) {
    long n = 1;
    for (long d : dims) n = Math.multiplyExact(n, d);
    return n;
  }
}
