package dev.switchc.runtime;

import dev.switchc.lowering.Port;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a run's inputs against the signature in Java, before any native call: TensorFlow's own
 * messages for these mistakes are positional ("parameter 0 shape: f32[2,2]") and arrive only after
 * native work has started. Collects every problem, not only the first.
 */
public final class InputCheck {
  private InputCheck() {}

  /**
   * The inputs in signature order, or a {@link RuntimeInputException} listing every problem;
   * {@code program} names the runtime's program in the message ({@code CpuProgram.run}).
   */
  public static List<HostTensor> byName(List<Port> ports, Map<String, HostTensor> inputs, String program) {
    if (inputs == null) throw new RuntimeInputException("inputs must be non-null (a map from input name to tensor)");
    List<String> problems = new ArrayList<>();
    List<HostTensor> ordered = new ArrayList<>(ports.size());
    for (Port p : ports) {
      if (!inputs.containsKey(p.name())) {
        problems.add("missing input '" + p.name() + "' (expected " + p.type() + ")");
        continue;
      }
      HostTensor t = inputs.get(p.name());
      checkOne(p, t, problems);
      ordered.add(t);
    }
    Set<String> known = new LinkedHashSet<>();
    for (Port p : ports) known.add(p.name());
    for (String name : inputs.keySet())
      if (!known.contains(name)) problems.add("unexpected input '" + name + "' (the inputs are " + known + ")");
    throwIfAny(problems, program);
    return ordered;
  }

  /** Checks inputs given positionally, in signature order. */
  public static List<HostTensor> byPosition(List<Port> ports, List<HostTensor> inputs, String program) {
    if (inputs == null) throw new RuntimeInputException("inputs must be non-null (a list in signature order)");
    List<String> problems = new ArrayList<>();
    if (inputs.size() != ports.size())
      problems.add("expected " + ports.size() + " inputs " + ports.stream().map(Port::name).toList()
          + " in signature order, got " + inputs.size());
    for (int i = 0; i < Math.min(ports.size(), inputs.size()); i++) checkOne(ports.get(i), inputs.get(i), problems);
    throwIfAny(problems, program);
    return List.copyOf(inputs);
  }

  private static void checkOne(Port p, HostTensor t, List<String> problems) {
    if (t == null) {
      problems.add("input '" + p.name() + "' is null (expected " + p.type() + ")");
      return;
    }
    if (t.type().equals(p.type())) return;
    String line = "input '" + p.name() + "': expected " + p.type() + ", got " + t.type();
    // Same dimensions in another order are still wrong: the data is row-major in the given order
    // and the runtime never transposes silently.
    if (t.dtype() == p.type().dtype() && t.shape().sameDimsAs(p.type().shape()))
      line += " (same dimensions in another order; lay the data out in the expected order)";
    problems.add(line);
  }

  private static void throwIfAny(List<String> problems, String program) {
    if (problems.isEmpty()) return;
    StringBuilder sb = new StringBuilder(program + " rejected its inputs; nothing was run:");
    for (String p : problems) sb.append("\n  - ").append(p);
    throw new RuntimeInputException(sb.toString(), problems);
  }
}
