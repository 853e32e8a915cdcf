package dev.switchc.bench;

import dev.switchc.lowering.CompiledModule;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/** A bare XlaCallModule session for a module of two f32 scalars to one: no checks, no conversions. */
final class BareCall implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Output<TFloat32> a, b;
  private final Operation call;

  BareCall(CompiledModule module) {
    Ops tf = Ops.create(graph);
    a = tf.withName("a").placeholder(TFloat32.class).output();
    b = tf.withName("b").placeholder(TFloat32.class).output();
    OperationBuilder op = graph.opBuilder("XlaCallModule", "call", tf.scope());
    op.addInputList(new Output<?>[] {a, b});
    op.setAttr("version", 9L);
    op.setAttr("module", module.text());
    op.setAttr("Tin", new DataType[] {DataType.DT_FLOAT, DataType.DT_FLOAT});
    op.setAttr("Tout", new DataType[] {DataType.DT_FLOAT});
    op.setAttr("Sout", new org.tensorflow.ndarray.Shape[] {org.tensorflow.ndarray.Shape.scalar()});
    op.setAttr("platforms", new String[] {"CPU"});
    op.setAttr("dim_args_spec", new String[0]);
    call = op.build();
    session = new Session(graph);
  }

  float run(float x, float y) {
    try (TFloat32 tx = TFloat32.scalarOf(x); TFloat32 ty = TFloat32.scalarOf(y);
         Result r = session.runner().feed(a, tx).feed(b, ty).fetch(call.output(0)).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
