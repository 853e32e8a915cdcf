package dev.switchc.runtime.cpu;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/** The one place that maps our dtypes and named shapes to TensorFlow's. */
final class TfTypes {
  private TfTypes() {}

  static DataType dataType(DType d) {
    return switch (d) {
      case F32 -> DataType.DT_FLOAT;
      case BF16 -> DataType.DT_BFLOAT16;
      case F64 -> DataType.DT_DOUBLE;
      case I32 -> DataType.DT_INT32;
      case PRED, U32 -> throw unsupported(d);
    };
  }

  static Class<? extends TType> tensorClass(DType d) {
    return switch (d) {
      case F32 -> TFloat32.class;
      case BF16 -> TBfloat16.class;
      case F64 -> TFloat64.class;
      case I32 -> TInt32.class;
      case PRED, U32 -> throw unsupported(d);
    };
  }

  /** TensorFlow shapes are positional: the names are dropped, the row-major order kept. */
  static org.tensorflow.ndarray.Shape shape(Shape s) {
    return org.tensorflow.ndarray.Shape.of(sizes(s));
  }

  static long[] sizes(Shape s) {
    return s.dims().stream().mapToLong(Dim::size).toArray();
  }

  private static IllegalArgumentException unsupported(DType d) {
    return new IllegalArgumentException("dtype " + d.specName() + " has no CPU runtime mapping");
  }
}
