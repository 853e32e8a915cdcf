package dev.switchc.lowering.hlo;

import dev.switchc.ir.DType;
import java.util.List;

/** A StableHLO ranked tensor type: element type and static positional dims. */
public record HloType(DType dtype, List<Long> dims) {
  public HloType {
    dims = List.copyOf(dims);
    for (long d : dims) if (d < 0) throw new IllegalArgumentException("dynamic or negative dim in " + dims);
  }

  public int rank() {
    return dims.size();
  }

  public HloType withDtype(DType t) {
    return new HloType(t, dims);
  }

  public HloType scalar() {
    return new HloType(dtype, List.of());
  }
}
