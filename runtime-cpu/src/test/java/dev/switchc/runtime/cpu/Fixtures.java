package dev.switchc.runtime.cpu;

import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.lowering.CompiledModule;
import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import java.util.ArrayList;
import java.util.List;

/** Small builders so each test reads as: module text, ports, inputs, expected values. */
final class Fixtures {
  private Fixtures() {}

  /** {@code shape("batch", 2, "d", 3)} is [batch=2, d=3]. */
  static Shape shape(Object... nameSize) {
    List<Dim> dims = new ArrayList<>();
    for (int i = 0; i < nameSize.length; i += 2)
      dims.add(new Dim((String) nameSize[i], ((Number) nameSize[i + 1]).longValue()));
    return new Shape(dims);
  }

  static Port port(String name, DType dtype, Shape shape) {
    return new Port(name, new TensorType(dtype, shape));
  }

  static CompiledModule module(String text, List<Port> inputs, List<Port> outputs) {
    return new CompiledModule(text, new ModuleSignature(inputs, outputs));
  }
}
