package dev.switchc.lowering.hlo;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An XLA sharding annotation. {@code TILED}: the tensor is cut into {@code tiles} pieces per dim
 * (plus a trailing replication count when {@code lastTileDimReplicate}); the device holding each
 * tile, in row-major tile order, is given by iota over {@code meshShape} transposed by
 * {@code permutation} (XLA's {@code devices=[...]<=[...]T(...)} form).
 */
public record HloSharding(Kind kind, List<Long> tiles, List<Integer> meshShape, List<Integer> permutation, boolean lastTileDimReplicate) {
  public enum Kind { TILED, REPLICATED, MANUAL }

  public HloSharding {
    tiles = List.copyOf(tiles);
    meshShape = List.copyOf(meshShape);
    permutation = List.copyOf(permutation);
  }

  public static final HloSharding REPLICATED = new HloSharding(Kind.REPLICATED, List.of(), List.of(), List.of(), false);
  public static final HloSharding MANUAL = new HloSharding(Kind.MANUAL, List.of(), List.of(), List.of(), false);

  /** Device ids in row-major tile order. */
  public List<Integer> devices() {
    int n = meshShape.stream().reduce(1, Math::multiplyExact);
    List<Integer> out = new ArrayList<>();
    int[] dims = meshShape.stream().mapToInt(Integer::intValue).toArray();
    int[] coord = new int[dims.length];
    for (int k = 0; k < n; k++) {
      int rest = k; // k is a row-major index over the permuted mesh dims
      for (int j = permutation.size() - 1; j >= 0; j--) {
        int axis = permutation.get(j);
        coord[axis] = rest % dims[axis];
        rest /= dims[axis];
      }
      int device = 0;
      for (int i = 0; i < dims.length; i++) device = device * dims[i] + coord[i];
      out.add(device);
    }
    return out;
  }

  /** The {@code mhlo.sharding} string. */
  public String spell() {
    if (kind == Kind.REPLICATED) return "{replicated}";
    if (kind == Kind.MANUAL) return "{manual}";
    boolean identity = true;
    for (int i = 0; i < permutation.size(); i++) identity &= permutation.get(i) == i;
    int n = meshShape.stream().reduce(1, Math::multiplyExact);
    String iota = identity ? "<=[" + n + "]"
        : "<=[" + meshShape.stream().map(String::valueOf).collect(Collectors.joining(",")) + "]T("
            + permutation.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")";
    return "{devices=[" + tiles.stream().map(String::valueOf).collect(Collectors.joining(",")) + "]" + iota
        + (lastTileDimReplicate ? " last_tile_dim_replicate" : "") + "}";
  }
}
