package dev.switchc.bench;

import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The Switch layer as a Java user would write it today with TensorFlow Java's ops, without XLA:
 * Mesh TensorFlow's algorithm (appendix F) with one-hot dispatch and combine tensors and einsums.
 * f32, relu, no noise; groups of consecutive tokens as in switchc.
 */
final class TfOpsPeer implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> x, router, wi, wo;
  private final Operand<TFloat32> y;
  private final long groups, groupSize, dModel;

  TfOpsPeer(long groups, long groupSize, long dModel, long experts, long capacity) {
    this.groups = groups;
    this.groupSize = groupSize;
    this.dModel = dModel;
    Ops tf = Ops.create(graph);
    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(groups, groupSize, dModel)));
    router = tf.withName("router").placeholder(TFloat32.class);
    wi = tf.withName("wi").placeholder(TFloat32.class);
    wo = tf.withName("wo").placeholder(TFloat32.class);
    Operand<TFloat32> logits = tf.linalg.einsum(List.of(x, router), "gsd,de->gse");
    Operand<TFloat32> probs = tf.nn.softmax(logits);
    Operand<TInt32> expert = tf.math.argMax(logits, tf.constant(-1), TInt32.class);
    Operand<TFloat32> gate = tf.max(probs, tf.constant(-1));
    Operand<TFloat32> mask = tf.oneHot(expert, tf.constant((int) experts), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> position = tf.sum(tf.math.mul(tf.math.cumsum(mask, tf.constant(1), Cumsum.exclusive(true)), mask), tf.constant(-1));
    // one_hot of a position >= capacity is all zeros: overflowing tokens drop out of both tensors
    Operand<TFloat32> dispatch = tf.math.mul(tf.expandDims(mask, tf.constant(-1)),
        tf.expandDims(tf.oneHot(tf.dtypes.cast(position, TInt32.class), tf.constant((int) capacity), tf.constant(1f), tf.constant(0f)), tf.constant(2)));
    Operand<TFloat32> combine = tf.math.mul(dispatch, tf.expandDims(tf.expandDims(gate, tf.constant(-1)), tf.constant(-1)));
    Operand<TFloat32> expertIn = tf.linalg.einsum(List.of(x, dispatch), "gsd,gsec->egcd");
    Operand<TFloat32> h = tf.nn.relu(tf.linalg.einsum(List.of(expertIn, wi), "egcd,edf->egcf"));
    Operand<TFloat32> out = tf.linalg.einsum(List.of(h, wo), "egcf,efd->egcd");
    y = tf.linalg.einsum(List.of(out, combine), "egcd,gsec->gsd");
    session = new Session(graph);
  }

  /**
   * The peer with its weights in native tensors created once, as a Java user would keep them:
   * each run feeds only the input (the same footing as switchc's {@code ProgramRun.bind}).
   */
  final class Bound implements AutoCloseable {
    private final TFloat32 tr, ti, to;

    Bound(Map<String, float[]> params, long experts, long dFf) {
      tr = tensor(params.get("router/w"), dModel, experts);
      ti = tensor(params.get("experts/wi"), experts, dModel, dFf);
      to = tensor(params.get("experts/wo"), experts, dFf, dModel);
    }

    float[] run(float[] input) {
      try (TFloat32 tx = tensor(input, groups, groupSize, dModel);
           Result r = session.runner().feed(x, tx).feed(router, tr).feed(wi, ti).feed(wo, to).fetch(y).run()) {
        float[] out = new float[Math.toIntExact(groups * groupSize * dModel)];
        r.get(0).asRawTensor().data().asFloats().read(out);
        return out;
      }
    }

    @Override
    public void close() {
      tr.close();
      ti.close();
      to.close();
    }
  }

  /** y, row-major [groups * group_size, d_model], for row-major inputs. */
  float[] run(Map<String, float[]> params, float[] input, long experts, long dFf) {
    try (TFloat32 tx = tensor(input, groups, groupSize, dModel);
         TFloat32 tr = tensor(params.get("router/w"), dModel, experts);
         TFloat32 ti = tensor(params.get("experts/wi"), experts, dModel, dFf);
         TFloat32 to = tensor(params.get("experts/wo"), experts, dFf, dModel);
         Result r = session.runner().feed(x, tx).feed(router, tr).feed(wi, ti).feed(wo, to).fetch(y).run()) {
      float[] out = new float[Math.toIntExact(groups * groupSize * dModel)];
      r.get(0).asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  private static TFloat32 tensor(float[] data, long... dims) {
    TFloat32 t = TFloat32.tensorOf(Shape.of(dims));
    t.asRawTensor().data().asFloats().write(data);
    return t;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
