package dev.switchc.driver;

import dev.switchc.driver.io.FloatArray;
import dev.switchc.driver.io.Safetensors;
import dev.switchc.frontend.ParameterInit.ParamSpec;
import dev.switchc.frontend.ProgramKind;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Shape;
import dev.switchc.driver.io.AtomicFile;
import dev.switchc.driver.io.IoConsumer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A program's parameters in safetensors files, named and shaped exactly as its function's
 * parameters ({@code router/w}, {@code encoder/layer_001/ffn/experts/wi}, ...); f32, or bf16/f16
 * converted on reading. A file must hold exactly these tensors with exactly these shapes.
 */
public final class ParamFiles {
  private ParamFiles() {}

  /** The tensors of {@code file}, which must be exactly {@code expected}, the parameters of a {@code kind} program. */
  public static Map<String, float[]> load(Path file, List<ParamSpec> expected, ProgramKind<?> kind) throws IOException {
    // Names and shapes are checked from the header, before a wrong file's tensors are read.
    Map<String, FloatArray> tensors = Safetensors.read(file, shapes -> report(file, shapeProblems(shapes, expected, kind))).tensors();
    List<String> problems = new ArrayList<>();
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ParamSpec p : expected) {
      float[] data = tensors.get(p.name()).data();
      String bad = firstNonFinite(data);
      if (bad != null) problems.add("tensor '" + p.name() + "' holds " + bad + "; parameters must be finite numbers");
      else out.put(p.name(), data);
    }
    report(file, problems);
    return out;
  }

  private static List<String> shapeProblems(Map<String, long[]> shapes, List<ParamSpec> expected, ProgramKind<?> kind) {
    List<String> problems = new ArrayList<>();
    for (ParamSpec p : expected) {
      long[] shape = shapes.get(p.name());
      if (shape == null) problems.add("missing tensor '" + p.name() + "'; the spec needs shape " + p.shape());
      else if (!Arrays.equals(shape, sizes(p.shape())))
        problems.add("tensor '" + p.name() + "' has shape " + Arrays.toString(shape) + " but the spec needs " + p.shape()
            + "; regenerate the file with --save-params for this spec, or fix the spec's sizes");
    }
    for (String name : shapes.keySet())
      if (expected.stream().noneMatch(p -> p.name().equals(name)))
        problems.add("unexpected tensor '" + name + "'; this " + kind.noun() + " has exactly "
            + (expected.size() <= 12 ? String.join(", ", expected.stream().map(ParamSpec::name).toList()) : expected.size() + " tensors, such as "
                + String.join(", ", expected.stream().limit(4).map(ParamSpec::name).toList())));
    return problems;
  }

  private static void report(Path file, List<String> problems) {
    if (!problems.isEmpty()) throw new UserInputError(file + ": " + String.join("\n" + file + ": ", problems));
  }

  /** Writes {@code params} (of a {@code kind} program) in {@code specs}' order; the file's format names the kind. */
  public static void save(Path file, List<ParamSpec> specs, Map<String, float[]> params, ProgramKind<?> kind) throws IOException {
    AtomicFile.write(file, writer(specs, params, kind));
  }

  /** What {@link #save} writes, for an {@link AtomicFile.Batch}. */
  public static IoConsumer<OutputStream> writer(List<ParamSpec> specs, Map<String, float[]> params, ProgramKind<?> kind) {
    Map<String, FloatArray> tensors = new LinkedHashMap<>();
    for (ParamSpec p : specs) tensors.put(p.name(), new FloatArray(sizes(p.shape()), params.get(p.name())));
    return Safetensors.writer(tensors, Map.of("format", "switchc-" + kind.block().replace('_', '-')));
  }

  /** "NaN at element 12" for the first non-finite value, or null. */
  public static String firstNonFinite(float[] v) {
    for (int i = 0; i < v.length; i++) if (!Float.isFinite(v[i])) return v[i] + " at element " + i;
    return null;
  }

  public static long[] sizes(Shape s) {
    return s.dims().stream().mapToLong(Dim::size).toArray();
  }
}
