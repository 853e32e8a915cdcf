package dev.switchc.cli;

import dev.switchc.cli.io.FloatArray;
import dev.switchc.cli.io.Safetensors;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer parameters in safetensors files: {@code router/w} [d_model, experts], {@code experts/wi}
 * [experts, d_model, d_ff], {@code experts/wo} [experts, d_ff, d_model]; f32, or bf16/f16
 * converted on reading. A file must hold exactly these tensors with exactly these shapes.
 */
final class ParamFiles {
  private ParamFiles() {}

  static Map<String, float[]> load(Path file, SwitchLayerSpec spec) throws IOException {
    return load(file, ParameterInit.params(spec), "a Switch layer");
  }

  /** The tensors of {@code file}, which must be exactly {@code expected}; {@code what} names the program in messages. */
  static Map<String, float[]> load(Path file, List<ParamSpec> expected, String what) throws IOException {
    Map<String, FloatArray> tensors = Safetensors.read(file).tensors();
    List<String> problems = new ArrayList<>();
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ParamSpec p : expected) {
      FloatArray t = tensors.get(p.name());
      if (t == null) problems.add("missing tensor '" + p.name() + "'; the spec needs shape " + p.shape());
      else if (!Arrays.equals(t.shape(), sizes(p.shape())))
        problems.add("tensor '" + p.name() + "' has shape " + Arrays.toString(t.shape()) + " but the spec needs " + p.shape()
            + "; regenerate the file with --save-params for this spec, or fix the spec's sizes");
      else {
        String bad = firstNonFinite(t.data());
        if (bad != null) problems.add("tensor '" + p.name() + "' holds " + bad + "; parameters must be finite numbers");
        else out.put(p.name(), t.data());
      }
    }
    for (String name : tensors.keySet())
      if (expected.stream().noneMatch(p -> p.name().equals(name)))
        problems.add("unexpected tensor '" + name + "'; " + what + " has exactly "
            + (expected.size() <= 12 ? String.join(", ", expected.stream().map(ParamSpec::name).toList()) : expected.size() + " tensors, such as "
                + String.join(", ", expected.stream().limit(4).map(ParamSpec::name).toList())));
    if (!problems.isEmpty())
      throw new UserInputError(file + ": " + String.join("\n" + file + ": ", problems));
    return out;
  }

  static void save(Path file, SwitchLayerSpec spec, Map<String, float[]> params) throws IOException {
    save(file, ParameterInit.params(spec), params, "switchc-switch-layer");
  }

  static void save(Path file, List<ParamSpec> specs, Map<String, float[]> params, String format) throws IOException {
    Map<String, FloatArray> tensors = new LinkedHashMap<>();
    for (ParamSpec p : specs) tensors.put(p.name(), new FloatArray(sizes(p.shape()), params.get(p.name())));
    Safetensors.write(file, tensors, Map.of("format", format));
  }

  /** "NaN at element 12" for the first non-finite value, or null. */
  static String firstNonFinite(float[] v) {
    for (int i = 0; i < v.length; i++) if (!Float.isFinite(v[i])) return v[i] + " at element " + i;
    return null;
  }

  static long[] sizes(Shape s) {
    return s.dims().stream().mapToLong(Dim::size).toArray();
  }
}
