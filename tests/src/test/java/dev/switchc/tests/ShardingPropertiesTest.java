package dev.switchc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.Backend;
import dev.switchc.driver.Compilation;
import dev.switchc.driver.UserInputError;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.Program;
import dev.switchc.frontend.SwitchLayerSpec;
import dev.switchc.frontend.model.Presets;
import dev.switchc.frontend.spec.Overrides;
import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.plan.CollectiveKind;
import dev.switchc.ir.plan.Plan;
import dev.switchc.tests.Cases.Case;
import dev.switchc.tests.reference.SwitchReference;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the sharding pass (issue 11) over random meshes (1-3 axes, sizes 1 to 4, at most 8
 * devices), random layout rules (including unknown axes, an axis used twice, and sizes that do not
 * divide) and random small layers and tiny models. Each case ends in one of two ways:
 *
 * <ul>
 *   <li>a user error at a place in the spec (a {@link CompileError} whose every diagnostic has a
 *       file and line), never an internal error; a rule naming an unknown axis or one axis twice is
 *       always refused;
 *   <li>a sharded program whose plan bytes are the formulas below (computed here, from the mesh and
 *       the rules as the README states them) and whose run in the CPU emulation of the mesh equals
 *       the single-device run; with size-1 axes, also the per-device program and collectives of
 *       the mesh without them (defect 1 of issue 11).
 * </ul>
 *
 * Tries are few and fixed (each compiled case runs two programs); the seed is random, and jqwik
 * prints it and the shrunk spec file on failure.
 */
class ShardingPropertiesTest {
  static final String FILE = "prop.swc";
  static final List<String> LAYER_DIMS = List.of("batch", "seq", "d_model", "d_ff", "experts", "group", "token", "expert_capacity",
      "experts_unsplit", "group_unsplit");
  /** The dims of the dispatched tokens, before and after the all-to-all: with their default rules the bytes are the paper's. */
  static final List<String> DISPATCH_DIMS = List.of("experts_unsplit", "group", "expert_capacity", "d_model", "experts", "group_unsplit");
  static final List<String> AXIS_NAMES = List.of("data", "expert", "model", "pipe", "rows");
  static final String UNKNOWN_AXIS = "bogus";

  /** A layer's sizes, as written in its spec file. */
  record LayerSizes(int batch, int seq, int dModel, int dFf, int experts, int groupSize, String capacityFactor, String dispatch,
      String activation, int minCapacity) {}

  /** A spec file: the layer, a mesh and the layout rules that replace defaults (an empty tuple is "whole"). */
  record LayerCase(LayerSizes sizes, List<MeshAxis> mesh, Map<String, List<String>> rules) {
    String specText() {
      LayerSizes s = sizes;
      StringBuilder b = new StringBuilder("switch_layer {\n");
      b.append("  batch = ").append(s.batch()).append("\n  seq = ").append(s.seq()).append("\n  d_model = ").append(s.dModel())
          .append("\n  d_ff = ").append(s.dFf()).append("\n  experts = ").append(s.experts()).append("\n  group_size = ").append(s.groupSize())
          .append("\n  capacity_factor = ").append(s.capacityFactor()).append("\n  min_capacity = ").append(s.minCapacity())
          .append("\n  dispatch = ").append(s.dispatch()).append("\n  activation = ").append(s.activation()).append("\n}\nmesh {\n");
      for (MeshAxis a : mesh) b.append("  ").append(a.name()).append(" = ").append(a.size()).append('\n');
      b.append("}\n");
      if (!rules.isEmpty()) {
        b.append("layout {\n");
        rules.forEach((dim, axes) -> b.append("  ").append(dim).append(" = ")
            .append(axes.size() == 1 ? axes.get(0) : "(" + String.join(", ", axes) + ")").append('\n'));
        b.append("}\n");
      }
      return b.toString();
    }

    @Override
    public String toString() {
      return "\n" + specText();
    }
  }

  // ---- generators ----

  /** 1-3 axes of size 1 to 4, at most {@code maxDevices} devices. */
  static Arbitrary<List<MeshAxis>> meshes(int maxDevices) {
    Arbitrary<MeshAxis> axis = Combinators.combine(Arbitraries.of(AXIS_NAMES), Arbitraries.frequency(Tuple.of(2, 1), Tuple.of(5, 2), Tuple.of(2, 4),
        Tuple.of(1, 3))).as(MeshAxis::new);
    return axis.list().ofMinSize(1).ofMaxSize(3).uniqueElements(MeshAxis::name).filter(m -> devices(m) <= maxDevices);
  }

  /** Up to {@code most} rules over {@code dims}; mostly the mesh's axes, sometimes an unknown one, sometimes an axis twice. */
  static Arbitrary<Map<String, List<String>>> rules(List<MeshAxis> mesh, List<String> dims, int most) {
    Arbitrary<String> axis = Arbitraries.frequencyOf(Tuple.of(30, Arbitraries.of(mesh.stream().map(MeshAxis::name).toList())),
        Tuple.of(1, Arbitraries.just(UNKNOWN_AXIS)));
    // Distinct axes up to the mesh's count (more would force the unknown one in), now and then one twice.
    Arbitrary<List<String>> tuple = Arbitraries.frequencyOf(Tuple.of(8, axis.list().ofMaxSize(Math.min(2, mesh.size())).uniqueElements()),
        Tuple.of(1, axis.list().ofSize(2)));
    return Arbitraries.maps(Arbitraries.of(dims), tuple).ofMaxSize(most).map(m -> {
      Map<String, List<String>> ordered = new LinkedHashMap<>();
      for (String d : dims) if (m.containsKey(d)) ordered.put(d, m.get(d));
      return ordered;
    });
  }

  /** Sizes; the group size mostly divides batch * seq (else the spec is refused before sharding, which teaches little). */
  static Arbitrary<LayerSizes> layerSizes() {
    Arbitrary<Integer> experts = Arbitraries.frequency(Tuple.of(3, 8), Tuple.of(3, 4), Tuple.of(2, 2), Tuple.of(1, 1), Tuple.of(1, 3));
    Arbitrary<int[]> dims = Combinators.combine(Arbitraries.of(1, 2, 4, 8, 8), Arbitraries.of(2, 4, 8, 8), Arbitraries.of(4, 8), Arbitraries.of(4, 8, 16),
        experts).as((batch, seq, dModel, dFf, e) -> new int[] {batch, seq, dModel, dFf, e});
    Arbitrary<int[]> withGroups = dims.flatMap(d -> {
      List<Integer> divisors = java.util.stream.IntStream.of(2, 2, 4, 4, 8, 16).filter(g -> d[0] * d[1] % g == 0).boxed().toList();
      return Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.of(divisors)), Tuple.of(1, Arbitraries.of(2, 4, 8, 16)))
          .map(g -> new int[] {d[0], d[1], d[2], d[3], d[4], g});
    });
    return Combinators.combine(withGroups, Arbitraries.of("0.5", "1.0", "1.25", "2.0"), Arbitraries.of("gather", "einsum"),
        Arbitraries.of("relu", "gelu"), Arbitraries.of(1, 2)).as((d, cf, dispatch, activation, minCapacity) -> new LayerSizes(d[0], d[1], d[2], d[3],
        d[4], d[5], cf, dispatch, activation, minCapacity));
  }

  @Provide
  Arbitrary<LayerCase> layerCases() {
    return meshes(8).flatMap(mesh -> Combinators.combine(layerSizes(), rules(mesh, LAYER_DIMS, 3)).as((s, r) -> new LayerCase(s, mesh, r)));
  }

  // ---- the layer property ----

  @Property(tries = 100, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
  void aLayerIsRefusedAtARuleOrRunsAsOnOneDevice(@ForAll("layerCases") LayerCase c) {
    Optional<Compilation> compiled = compileOrUserError(() -> Compilation.of(Overrides.load(FILE, c.specText(), List.of(), Optional.empty(),
        List.of()), Mode.EVAL), FILE);
    boolean mustRefuse = c.rules().values().stream().anyMatch(axes -> axes.contains(UNKNOWN_AXIS) || new HashSet<>(axes).size() < axes.size());
    Statistics.label("outcome").collect(compiled.isPresent() ? "compiled" : "refused");
    if (compiled.isEmpty()) return;
    assertFalse(mustRefuse, "a rule naming an unknown axis or one axis twice must be refused");
    Compilation comp = compiled.get();
    Map<String, Integer> mesh = sizes(c.mesh());
    collectivesFollowTheFormulas(comp.plan(), c.mesh());
    assertEquals(layerParameterBytes(c, mesh), comp.plan().perDevice().parameterBytes(), "per-device parameter bytes");
    if (DISPATCH_DIMS.stream().noneMatch(c.rules()::containsKey)) dispatchAllToAllsAreThePapers(c, comp.plan(), mesh);
    Statistics.label("devices").collect(devices(c.mesh()));
    Statistics.label("collectives").collect(comp.plan().collectives().stream().map(x -> x.kind().toString()).distinct().sorted().toList());
    if (mesh.containsValue(1) && devices(c.mesh()) > 1) sizeOneAxesChangeNothing(c, comp);
    runsAsOnOneDevice(comp);
  }

  /** Defect 1 of issue 11: the mesh without its size-1 axes (and rules without them) gives the same per-device program and plan collectives. */
  static void sizeOneAxesChangeNothing(LayerCase c, Compilation comp) {
    List<MeshAxis> splitting = c.mesh().stream().filter(a -> a.size() > 1).toList();
    Set<String> dropped = c.mesh().stream().filter(a -> a.size() == 1).map(MeshAxis::name).collect(Collectors.toSet());
    Map<String, List<String>> rules = new LinkedHashMap<>();
    c.rules().forEach((dim, axes) -> rules.put(dim, axes.stream().filter(a -> !dropped.contains(a)).toList()));
    LayerCase without = new LayerCase(c.sizes(), splitting, rules);
    Compilation other = Compilation.of(Overrides.load(FILE, without.specText(), List.of(), Optional.empty(), List.of()), Mode.EVAL);
    assertEquals(dev.switchc.ir.IrPrinter.print(other.sharded().local()), dev.switchc.ir.IrPrinter.print(comp.sharded().local()),
        "the per-device program on the mesh without its size-1 axes:" + without);
    assertEquals(other.plan().collectives().stream().map(x -> x.kind() + " " + x.axes() + " " + x.local() + " " + x.replicaGroups()).toList(),
        comp.plan().collectives().stream().map(x -> x.kind() + " " + x.axes() + " " + x.local() + " " + x.replicaGroups()).toList());
  }

  /**
   * The two all-to-alls of appendix F when the dispatched tensor's dims have their default rules:
   * each moves [E, groups per device, C, d_model] over 'expert', none when 'expert' is absent or 1.
   */
  static void dispatchAllToAllsAreThePapers(LayerCase c, Plan plan, Map<String, Integer> mesh) {
    List<Plan.Collective> a2a = plan.collectives().stream().filter(x -> x.kind() == CollectiveKind.ALL_TO_ALL).toList();
    int expert = mesh.getOrDefault("expert", 1);
    if (expert == 1) {
      assertEquals(List.of(), a2a, "no expert axis to move");
      return;
    }
    LayerSizes s = c.sizes();
    long groups = (long) s.batch() * s.seq() / s.groupSize(), batchLike = product(mesh, defaultAxes(c.mesh(), "group"));
    long capacity = SwitchReference.expertCapacity(s.groupSize(), new BigDecimal(s.capacityFactor()), s.experts(), s.minCapacity());
    assertEquals(2, a2a.size(), "one all-to-all to the experts and one back: " + a2a);
    for (Plan.Collective x : a2a) {
      assertEquals(List.of("expert"), x.axes());
      assertEquals(s.experts() * (groups / batchLike) * capacity * s.dModel() * 4, x.localBytes(), "E x groups per device x C x d_model, f32");
    }
  }

  static long layerParameterBytes(LayerCase c, Map<String, Integer> mesh) {
    LayerSizes s = c.sizes();
    java.util.function.ToLongFunction<String> parts = dim -> product(mesh, c.rules().getOrDefault(dim, defaultAxes(c.mesh(), dim)));
    long router = s.dModel() / parts.applyAsLong("d_model") * (s.experts() / parts.applyAsLong("experts_unsplit"));
    long expert = s.experts() / parts.applyAsLong("experts") * (s.dModel() / parts.applyAsLong("d_model")) * (s.dFf() / parts.applyAsLong("d_ff"));
    return 4 * (router + 2 * expert);
  }

  void runsAsOnOneDevice(Compilation sharded) {
    Case c = Cases.of("property", sharded.program().definition(SwitchLayerSpec.class), Mode.EVAL, 7);
    Runs.Layer single = ShardedRunTest.run(Program.single(c.layer()), c);
    Runs.Layer many = Runs.layer(sharded, new Backend.Emulation(), c.params(), c.x());
    assertArrayEquals(single.tokensPerExpert(), many.tokensPerExpert(), "tokens per expert");
    assertEquals(single.droppedFraction(), many.droppedFraction(), "dropped fraction");
    assertEquals(single.auxLoss(), many.auxLoss(), 1e-6 + 1e-5 * Math.abs(single.auxLoss()), "aux loss");
    // Split contractions add in another order: equal within f32 rounding of the output's scale.
    Compare.closeToScale("y", many.y(), Compare.toDouble(single.y()), 1e-5);
  }

  // ---- whole models ----

  record ModelCase(List<MeshAxis> mesh, Map<String, List<String>> rules, int topK, String dispatch) {
    String meshFlag() {
      return c(mesh.stream().map(MeshAxis::toString));
    }

    /** The --layout flag: {@code batch=data+expert,d_model=}. */
    List<String> layoutFlags() {
      return rules.isEmpty() ? List.of() : List.of(c(rules.entrySet().stream().map(e -> e.getKey() + "=" + String.join("+", e.getValue()))));
    }

    List<String> sets() {
      return List.of("top_k=" + topK, "dispatch=" + dispatch, "capacity_factor=1.25", "min_capacity=1", "switch_every=1");
    }

    private static String c(java.util.stream.Stream<String> parts) {
      return parts.collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
      return "tiny-switch " + sets() + " --mesh " + meshFlag() + " --layout " + layoutFlags();
    }
  }

  @Provide
  Arbitrary<ModelCase> modelCases() {
    List<String> dims = List.of("batch", "seq", "dec_seq", "d_model", "heads", "d_kv", "d_ff", "vocab", "experts", "group", "token",
        "expert_capacity", "experts_unsplit", "group_unsplit");
    // tiny-switch has batch 4 and 8 groups: more than 4 devices on the batch-like axes is refused. One
    // rule at most: a model run is dear, and the layer property covers the refusals.
    return meshes(4).flatMap(mesh -> Combinators.combine(rules(mesh, dims, 1), Arbitraries.of(1, 2), Arbitraries.of("gather", "einsum"))
        .as((r, k, d) -> new ModelCase(mesh, r, k, d)));
  }

  @Property(tries = 5, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
  void aTinyModelIsRefusedAtARuleOrRunsAsOnOneDevice(@ForAll("modelCases") ModelCase c) {
    Optional<Compilation> compiled = compileOrUserError(() -> Compilation.of(Presets.load("tiny-switch", c.sets(), Optional.of(c.meshFlag()),
        c.layoutFlags()), Mode.EVAL), null);
    Statistics.label("outcome").collect(compiled.isPresent() ? "compiled" : "refused");
    if (compiled.isEmpty()) return;
    Compilation sharded = compiled.get();
    collectivesFollowTheFormulas(sharded.plan(), c.mesh());
    Runs.assertModelRunsAsOnOneDevice(sharded);
  }

  // ---- shared checks, written from the README and the paper ----

  /**
   * The compiled program, or empty when the user made a mistake that the compiler reported at a
   * place in what they wrote ({@code file}, or any named place when null). Any other exception is a
   * compiler bug and fails the property.
   */
  static Optional<Compilation> compileOrUserError(Supplier<Compilation> compile, String file) {
    try {
      return Optional.of(compile.get());
    } catch (CompileError e) {
      Statistics.label("refused by").collect(e.diagnostics().stream().map(d -> reason(d.message())).distinct().sorted().toList());
      for (Diagnostic d : e.diagnostics()) {
        assertTrue(file == null ? !d.loc().file().isEmpty() && !d.loc().file().equals("<unknown>") : d.loc().file().equals(file),
            "diagnostic without a place: " + d.render());
        assertTrue(file == null || d.loc().line() > 0, "diagnostic without a line: " + d.render());
        assertFalse(d.message().isBlank(), d.render());
      }
      return Optional.empty();
    } catch (UserInputError e) {
      assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a user error without a message");
      return Optional.empty();
    }
  }

  /** What kind of mistake a message reports, for the statistics. */
  static String reason(String message) {
    for (String known : List.of("cannot shard", "are both mapped", "must stay whole", "names mesh axis", "uses a mesh axis twice", "has no axis", "appears twice",
        "divide"))
      if (message.contains(known)) return known;
    return message.length() > 60 ? message.substring(0, 60) : message;
  }

  /**
   * Every collective: a group of at least 2 devices (the product of its axes), the replica groups
   * of those axes (devices that differ only along them, in row-major order over them), operand
   * bytes from its per-device type, and bytes sent per device by the ring formulas: all-to-all
   * (k-1)/k of the operand, all-reduce 2(k-1)/k, all-gather (k-1) times the operand.
   */
  static void collectivesFollowTheFormulas(Plan plan, List<MeshAxis> mesh) {
    Map<String, Integer> sizes = sizes(mesh);
    for (Plan.Collective x : plan.collectives()) {
      long k = product(sizes, x.axes());
      assertEquals(k, x.groupSize(), x.toString());
      assertTrue(k >= 2, "a collective over a one-device group: " + x);
      assertEquals(replicaGroups(mesh, x.axes()), new HashSet<>(x.replicaGroups()), "replica groups of " + x);
      long b = x.local().shape().elements() * x.dtype().bytes();
      assertEquals(b, x.localBytes(), x.toString());
      long sent = switch (x.kind()) {
        case ALL_TO_ALL -> (k - 1) * b / k;
        case ALL_REDUCE -> 2 * (k - 1) * b / k;
        case ALL_GATHER -> (k - 1) * b;
        default -> throw new AssertionError("this layer makes no " + x.kind());
      };
      assertEquals(sent, x.bytesSentPerDevice(), x.toString());
    }
  }

  /** Devices numbered row-major over the mesh; a group holds those equal off {@code over}, ordered row-major along it. */
  static Set<List<Integer>> replicaGroups(List<MeshAxis> mesh, List<String> over) {
    Map<List<Integer>, List<int[]>> byRest = new LinkedHashMap<>();
    for (int d = 0; d < devices(mesh); d++) {
      int[] coord = new int[mesh.size()];
      for (int i = mesh.size() - 1, rest = d; i >= 0; rest /= mesh.get(i).size(), i--) coord[i] = rest % mesh.get(i).size();
      List<Integer> restKey = new ArrayList<>(), overKey = new ArrayList<>();
      for (int i = 0; i < mesh.size(); i++) if (!over.contains(mesh.get(i).name())) restKey.add(coord[i]);
      for (String a : over) for (int i = 0; i < mesh.size(); i++) if (mesh.get(i).name().equals(a)) overKey.add(coord[i]);
      int position = 0;
      for (String a : over) position = position * sizes(mesh).get(a) + overKey.get(over.indexOf(a));
      byRest.computeIfAbsent(restKey, key -> new ArrayList<>()).add(new int[] {position, d});
    }
    Set<List<Integer>> groups = new HashSet<>();
    for (List<int[]> g : byRest.values())
      groups.add(g.stream().sorted((p, q) -> Integer.compare(p[0], q[0])).map(p -> p[1]).toList());
    return groups;
  }

  /**
   * The README's default rules: batch-like axes are all but 'model'; batch and group over them with
   * 'expert' last, group_unsplit over them but 'expert'.
   */
  static List<String> defaultAxes(List<MeshAxis> mesh, String dim) {
    List<String> names = mesh.stream().map(MeshAxis::name).toList(), batchLike = names.stream().filter(a -> !a.equals("model")).toList();
    List<String> expertLast = new ArrayList<>(batchLike.stream().filter(a -> !a.equals("expert")).toList());
    if (batchLike.contains("expert")) expertLast.add("expert");
    return switch (dim) {
      case "batch", "group" -> expertLast;
      case "group_unsplit" -> batchLike.stream().filter(a -> !a.equals("expert")).toList();
      case "experts" -> names.contains("expert") ? List.of("expert") : List.of();
      case "d_ff" -> names.contains("model") ? List.of("model") : List.of();
      default -> List.of();
    };
  }

  static Map<String, Integer> sizes(List<MeshAxis> mesh) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (MeshAxis a : mesh) m.put(a.name(), a.size());
    return m;
  }

  static long product(Map<String, Integer> sizes, List<String> axes) {
    long p = 1;
    for (String a : axes) p *= sizes.get(a);
    return p;
  }

  static int devices(List<MeshAxis> mesh) {
    int n = 1;
    for (MeshAxis a : mesh) n *= a.size();
    return n;
  }
}
