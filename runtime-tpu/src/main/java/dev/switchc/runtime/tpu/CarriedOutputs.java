package dev.switchc.runtime.tpu;

import dev.switchc.lowering.ModuleSignature;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.RuntimeInputException;
import dev.switchc.runtime.ShardedArrays;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which outputs of a {@link PjrtProgram#runCarrying} run stay on the devices, and which kept input
 * each becomes: {@code into[output]} is the input's index, or -1 for an output copied out. Checked
 * before any native call: a carried output must have its input's type and the same tile on every
 * device, or device d's result would not be device d's shard of the next run's input.
 */
final class CarriedOutputs {
  private final int[] into;

  private CarriedOutputs(int[] into) {
    this.into = into;
  }

  boolean carried(int output) {
    return into[output] >= 0;
  }

  int input(int output) {
    return into[output];
  }

  boolean isEmpty() {
    return Arrays.stream(into).allMatch(i -> i < 0);
  }

  /**
   * {@code carry} (output name to kept input name) against {@code global}'s ports, their layouts
   * on {@code devices} devices and the names of the kept inputs.
   */
  static CarriedOutputs of(Map<String, String> carry, ModuleSignature global, List<ShardedArrays> inputs, List<ShardedArrays> outputs, Set<String> kept, int devices) {
    if (carry == null) throw new RuntimeInputException("carry must be non-null (a map from output name to kept input name)");
    int[] into = new int[global.outputs().size()];
    Arrays.fill(into, -1);
    Set<String> targets = new HashSet<>();
    for (Map.Entry<String, String> e : carry.entrySet()) {
      int j = index(global.outputs(), e.getKey(), "output");
      if (!kept.contains(e.getValue()))
        throw new RuntimeInputException("cannot carry output '" + e.getKey() + "' into '" + e.getValue() + "': the kept inputs are " + kept);
      if (!targets.add(e.getValue())) throw new RuntimeInputException("two outputs are carried into the kept input '" + e.getValue() + "'; carry one");
      int i = index(global.inputs(), e.getValue(), "input");
      Port out = global.outputs().get(j), in = global.inputs().get(i);
      if (!out.type().equals(in.type()))
        throw new RuntimeInputException("cannot carry output '" + out.name() + "' (" + out.type() + ") into input '" + in.name() + "' (" + in.type() + "): the types differ");
      ShardedArrays o = outputs.get(j), n = inputs.get(i);
      for (int d = 0; d < devices; d++)
        if (!o.tileOf(d).equals(n.tileOf(d)) || !o.localDims().equals(n.localDims()))
          throw new RuntimeInputException("cannot carry output '" + out.name() + "' into input '" + in.name() + "': device " + d + " holds the tile at "
              + o.tileOf(d) + " " + o.localDims() + " of the output but needs " + n.tileOf(d) + " " + n.localDims() + " of the input (their shardings differ)");
      into[j] = i;
    }
    return new CarriedOutputs(into);
  }

  /** The index of port {@code name} among {@code ports}. */
  static int index(List<Port> ports, String name, String kind) {
    for (int i = 0; i < ports.size(); i++) if (ports.get(i).name().equals(name)) return i;
    throw new RuntimeInputException("no " + kind + " '" + name + "'; the " + kind + "s are " + ports.stream().map(Port::name).toList());
  }
}
