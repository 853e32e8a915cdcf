package dev.switchc.driver.io;

/** Reorders Fortran (column-major) data into C (row-major) order. */
final class Layout {
  private Layout() {}

  @FunctionalInterface
  private interface IndexPair {
    void apply(int cIndex, int fIndex);
  }

  static float[] fortranToC(float[] fortran, long[] shape) {
    if (shape.length < 2) {
      return fortran; // 0-D and 1-D layouts coincide
    }
    float[] c = new float[fortran.length];
    forEachIndex(shape, fortran.length, (ci, fi) -> c[ci] = fortran[fi]);
    return c;
  }

  static int[] fortranToC(int[] fortran, long[] shape) {
    if (shape.length < 2) {
      return fortran;
    }
    int[] c = new int[fortran.length];
    forEachIndex(shape, fortran.length, (ci, fi) -> c[ci] = fortran[fi]);
    return c;
  }

  /**
   * Walks the elements in C order with an odometer over the multi-index, keeping the matching
   * Fortran offset up to date incrementally instead of recomputing it per element.
   */
  private static void forEachIndex(long[] shape, int count, IndexPair action) {
    if (count == 0) {
      return;
    }
    int rank = shape.length;
    // count > 0 means every dimension is >= 1 and all products fit in an int.
    int[] dims = new int[rank];
    int[] fStride = new int[rank];
    int stride = 1;
    for (int ax = 0; ax < rank; ax++) {
      dims[ax] = (int) shape[ax];
      fStride[ax] = stride; // Fortran order: the first axis varies fastest
      stride *= dims[ax];
    }
    int[] index = new int[rank];
    int f = 0;
    for (int c = 0; c < count; c++) {
      action.apply(c, f);
      for (int ax = rank - 1; ax >= 0; ax--) { // C order: the last axis varies fastest
        if (++index[ax] < dims[ax]) {
          f += fStride[ax];
          break;
        }
        f -= fStride[ax] * (dims[ax] - 1);
        index[ax] = 0;
      }
    }
  }
}
