package dev.switchc.frontend;

import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.RuleOrigin;
import dev.switchc.ir.SourceLoc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout a Switch layer gets on a mesh when the user writes no rule for a dimension: the
 * paper's data, expert and model parallelism (sections 5.4-5.5, appendix F) in Mesh TensorFlow's
 * terms. Axis names carry the meaning:
 *
 * <ul>
 *   <li>the <em>batch-like</em> axes are every mesh axis except {@value #MODEL}, in mesh order
 *       ({@code data}, {@code expert}, and any other name);
 *   <li>{@code batch} and {@code group} (the tokens) are split over all batch-like axes, with
 *       {@value #EXPERT} last (minor) wherever it stands in the mesh: the all-to-all moves it from
 *       the groups to the experts, and only the minor axis of a dim moves without regrouping
 *       (on {@code expert=2,data=2} a major {@code expert} would cost an all-gather and a slice of
 *       the groups over {@code data} around each all-to-all);
 *   <li>{@code group_unsplit} (the groups once dispatched to the experts) over the batch-like axes
 *       other than {@value #EXPERT}: the all-to-all of appendix F moves the {@code expert} axis from
 *       the groups to the experts;
 *   <li>{@code experts} over {@value #EXPERT}, if the mesh has it;
 *   <li>{@code d_ff} over {@value #MODEL}, if the mesh has it (each expert's FFN model-parallel);
 *   <li>every other dimension ({@code seq}, {@code d_model}, {@code token}, {@code expert_capacity},
 *       {@code experts_unsplit}) whole.
 * </ul>
 *
 * <p>So {@code data=2,expert=4} gives {@code batch = group = (data, expert)}, {@code experts =
 * expert}, {@code group_unsplit = data}; a single device gives every dimension whole. A layout
 * rule the user writes replaces the default of its dimension only ({@code d_ff = ()} removes the
 * default {@code d_ff = model}); defaults never depend on the user's other rules.
 *
 * <p>A layout here names every one of the program's dimensions ({@link ProgramKind#dimensions()};
 * whole ones map to no axes); its {@code where} says for each where the rule came from (a default's
 * place is the spec file, or DSL source file, at line 0 with {@code what = "default rule batch =
 * (data, expert)"}), and its origins say whether it was written or defaulted.
 */
public final class DefaultLayout {
  private DefaultLayout() {}

  /** The mesh axis for model parallelism: never batch-like; splits {@code d_ff}. */
  public static final String MODEL = "model";
  /** The mesh axis for expert parallelism: splits {@code experts}. */
  public static final String EXPERT = "expert";

  private static final String DEFAULT = "default rule ";

  /** The default rule of every dimension of a Switch layer on {@code mesh}, in the layer's order. */
  public static Map<String, List<String>> rules(Mesh mesh) {
    return rules(mesh, SwitchLayerSpec.KIND.dimensions());
  }

  /**
   * The default rule of each of {@code dims} on {@code mesh}, in that order. Attention heads go
   * with {@code d_ff} over {@value #MODEL} (Megatron-style model parallelism, as Mesh TensorFlow's T5).
   */
  public static Map<String, List<String>> rules(Mesh mesh, List<String> dims) {
    List<String> batchLike = mesh.axes().stream().map(MeshAxis::name).filter(a -> !a.equals(MODEL)).toList();
    List<String> expertMinor = new java.util.ArrayList<>(batchLike.stream().filter(a -> !a.equals(EXPERT)).toList());
    if (batchLike.contains(EXPERT)) expertMinor.add(EXPERT);
    Map<String, List<String>> rules = new LinkedHashMap<>();
    for (String dim : dims) rules.put(dim, List.of());
    put(rules, "batch", expertMinor);
    put(rules, "group", expertMinor);
    put(rules, "group_unsplit", batchLike.stream().filter(a -> !a.equals(EXPERT)).toList());
    if (mesh.has(EXPERT)) put(rules, "experts", List.of(EXPERT));
    if (mesh.has(MODEL)) {
      put(rules, "d_ff", List.of(MODEL));
      put(rules, "heads", List.of(MODEL));
    }
    return rules;
  }

  private static void put(Map<String, List<String>> rules, String dim, List<String> axes) {
    if (rules.containsKey(dim)) rules.put(dim, axes);
  }

  /** {@link #forLayer(Mesh, String)} for code that has no file to name, e.g. tests of later passes. */
  public static Layout forLayer(Mesh mesh) {
    return forLayer(mesh, "<default layout>");
  }

  /**
   * The default layout on {@code mesh}; each rule is located at {@code file} line 0 (see {@link #at}).
   * Programs from a spec file or the DSL locate their default rules at the mesh axis instead.
   */
  public static Layout forLayer(Mesh mesh, String file) {
    Map<String, List<String>> rules = rules(mesh);
    Map<String, SourceLoc> where = new LinkedHashMap<>();
    rules.forEach((dim, axes) -> where.put(dim, at(file, dim, axes)));
    return new Layout(rules, where, Layout.originsOf(rules.keySet(), RuleOrigin.DEFAULT));
  }

  /** Where a default rule comes from: {@code file}, line 0, {@code what = "default rule d_ff = model"}. */
  public static SourceLoc at(String file, String dim, List<String> axes) {
    return new SourceLoc(file, 0, 0, DEFAULT + text(dim, axes));
  }

  /** A rule in spec-file notation: {@code batch = (data, expert)}, {@code experts = expert}, {@code d_model = ()}. */
  public static String text(String dim, List<String> axes) {
    return dim + " = " + (axes.size() == 1 ? axes.get(0) : "(" + String.join(", ", axes) + ")");
  }
}
