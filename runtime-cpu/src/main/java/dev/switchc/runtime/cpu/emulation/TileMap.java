package dev.switchc.runtime.cpu.emulation;

import dev.switchc.lowering.hlo.HloSharding;
import java.util.List;

/**
 * Where each element of the stacked per-device array [N, local...] lives in the global array,
 * by a tensor's XLA sharding: the device holding tile t (row-major over the tiles, replicas last)
 * is {@code sharding.devices().get(t)}. {@code globalIndex[i]} is the row-major global position of
 * stacked element i.
 */
record TileMap(long[] globalDims, long[] localDims, int devices, int[] globalIndex) {
  static TileMap of(long[] global, HloSharding sharding, int devices) {
    int rank = global.length;
    long[] tiles = new long[rank];
    java.util.Arrays.fill(tiles, 1);
    int[][] tileOf = new int[devices][rank];
    if (sharding.kind() == HloSharding.Kind.TILED) {
      List<Long> t = sharding.tiles();
      for (int i = 0; i < rank; i++) tiles[i] = t.get(i);
      List<Integer> order = sharding.devices();
      if (order.size() != devices) throw new IllegalStateException("sharding " + sharding.spell() + " names " + order.size() + " devices, the mesh has " + devices);
      long[] all = t.stream().mapToLong(Long::longValue).toArray();
      for (int k = 0; k < order.size(); k++) {
        int rest = k;
        int[] coords = new int[all.length];
        for (int i = all.length - 1; i >= 0; i--) {
          coords[i] = (int) (rest % all[i]);
          rest /= (int) all[i];
        }
        System.arraycopy(coords, 0, tileOf[order.get(k)], 0, rank);
      }
    } else if (sharding.kind() != HloSharding.Kind.REPLICATED) {
      throw new IllegalStateException("an argument or result of main cannot be " + sharding.spell());
    }
    long[] local = new long[rank];
    for (int i = 0; i < rank; i++) {
      if (global[i] % tiles[i] != 0) throw new IllegalStateException("dim " + i + " of size " + global[i] + " is not divisible into " + tiles[i] + " tiles");
      local[i] = global[i] / tiles[i];
    }
    long localCount = 1;
    for (long l : local) localCount *= l;
    int[] index = new int[Math.toIntExact(devices * localCount)];
    int[] pos = new int[rank];
    for (int d = 0; d < devices; d++) {
      java.util.Arrays.fill(pos, 0);
      for (int e = 0; e < localCount; e++) {
        long g = 0;
        for (int i = 0; i < rank; i++) g = g * global[i] + tileOf[d][i] * local[i] + pos[i];
        index[(int) (d * localCount + e)] = (int) g;
        for (int i = rank - 1; i >= 0; i--) { // next local position, row-major
          if (++pos[i] < local[i]) break;
          pos[i] = 0;
        }
      }
    }
    return new TileMap(global, local, devices, index);
  }

  float[] shard(float[] global) {
    float[] out = new float[globalIndex.length];
    for (int i = 0; i < out.length; i++) out[i] = global[globalIndex[i]];
    return out;
  }

  int[] shard(int[] global) {
    int[] out = new int[globalIndex.length];
    for (int i = 0; i < out.length; i++) out[i] = global[globalIndex[i]];
    return out;
  }

  /** The global array; every replica of an element must hold the same bits. */
  float[] assemble(float[] stacked, String what) {
    int n = 1;
    for (long g : globalDims) n *= (int) g;
    float[] out = new float[n];
    int[] from = new int[n];
    java.util.Arrays.fill(from, -1);
    for (int i = 0; i < stacked.length; i++) {
      int g = globalIndex[i];
      if (from[g] >= 0 && Float.floatToRawIntBits(out[g]) != Float.floatToRawIntBits(stacked[i]))
        throw disagree(what, g, from[g], i, out[g] + " vs " + stacked[i]);
      out[g] = stacked[i];
      from[g] = i;
    }
    return out;
  }

  int[] assemble(int[] stacked, String what) {
    int n = 1;
    for (long g : globalDims) n *= (int) g;
    int[] out = new int[n];
    int[] from = new int[n];
    java.util.Arrays.fill(from, -1);
    for (int i = 0; i < stacked.length; i++) {
      int g = globalIndex[i];
      if (from[g] >= 0 && out[g] != stacked[i]) throw disagree(what, g, from[g], i, out[g] + " vs " + stacked[i]);
      out[g] = stacked[i];
      from[g] = i;
    }
    return out;
  }

  private IllegalStateException disagree(String what, int global, int first, int second, String values) {
    int perDevice = globalIndex.length / devices;
    return new IllegalStateException("result '" + what + "': devices " + first / perDevice + " and " + second / perDevice
        + " hold different values for element " + global + " (" + values + "), though the sharding says they are replicas");
  }
}
