package dev.switchc.lowering;

import java.util.List;

/**
 * The arguments and results of a compiled module's {@code main}, in order, with names and named
 * shapes. Derived from the structured module, never by parsing text; the runtime takes its input
 * checks and its {@code Tout}/{@code Sout} from here.
 */
public record ModuleSignature(List<Port> inputs, List<Port> outputs) {
  public ModuleSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
