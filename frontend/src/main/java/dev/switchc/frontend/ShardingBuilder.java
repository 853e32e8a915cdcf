package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.Diagnostic;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.RuleOrigin;
import dev.switchc.ir.SourceLoc;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Assembles and checks a mesh and layout rules, however they were written: the spec file's
 * {@code mesh} and {@code layout} blocks, the CLI's {@code --mesh} and {@code --layout}, and the
 * DSL ({@link Program.Builder}). Like {@link SpecBuilder} for a definition's fields, it is the
 * one place where the rules live, so all three give the same results and the same messages.
 *
 * <p>Mistakes in what was written (a bad axis size or name, a duplicate axis or rule, an unknown
 * dimension, an axis twice in one tuple) are recorded as they arrive; whether each rule's axes
 * exist is checked at the end, against the final mesh, so that {@code --mesh} can replace the
 * file's mesh. {@link #problems()} returns everything; {@link #build} fails with it.
 *
 * <p>Not checked here, because they need every tensor: that a dimension's size is divisible by its
 * axes, and that two dimensions of one tensor do not share an axis (the sharding pass does both).
 */
public final class ShardingBuilder {
  /** How a mesh or rule was written; messages quote their fixes in the same notation. */
  public enum Syntax {
    /** A spec file: {@code data = 2}, {@code batch = (data, expert)}. */
    SPEC,
    /** The CLI: {@code --mesh data=2}, {@code --layout batch=data+expert}. */
    FLAG,
    /** The Java DSL: {@code mesh("data", 2)}, {@code layout("batch", "data", "expert")}. */
    DSL;

    /** A mesh axis declaration in this notation, e.g. {@code 'data = N'}. */
    String axis(String name, String size) {
      return switch (this) {
        case SPEC -> "'" + name + " = " + size + "'";
        case FLAG -> name + "=" + size;
        case DSL -> ".mesh(\"" + name + "\", " + size + ")";
      };
    }

    /** What a mesh or rule written in this notation records as its origin. */
    RuleOrigin origin() {
      return switch (this) {
        case SPEC -> RuleOrigin.SPEC_FILE;
        case FLAG -> RuleOrigin.FLAG;
        case DSL -> RuleOrigin.DSL;
      };
    }

    static Syntax of(RuleOrigin origin) {
      return switch (origin) {
        case SPEC_FILE, DEFAULT -> SPEC;
        case FLAG -> FLAG;
        case DSL -> DSL;
      };
    }

    /** A layout rule in this notation, e.g. {@code 'batch = (data, expert)'}. */
    String rule(String dim, List<String> axes) {
      return switch (this) {
        case SPEC -> "'" + DefaultLayout.text(dim, axes) + "'";
        case FLAG -> dim + "=" + String.join("+", axes);
        case DSL -> ".layout(" + Stream.concat(Stream.of(dim), axes.stream())
            .map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + ")";
      };
    }
  }

  /** A rule that passed the written-form checks; {@code axisAt} locates each axis for messages. */
  private record Written(LayoutRule rule, List<SourceLoc> axisAt, RuleOrigin origin) {}

  private final String defaultsFile;
  private Syntax meshSyntax;
  private SourceLoc meshBlock;
  /** The current mesh's valid axes, in order, with where each size was written. */
  private final Map<String, MeshAxis> axes = new LinkedHashMap<>();
  private final Map<String, SourceLoc> axesAt = new LinkedHashMap<>();
  /** Every axis name declared in the current mesh (also rejected ones), with its first declaration. */
  private final Map<String, SourceLoc> declared = new LinkedHashMap<>();
  /** Axes declared with a bad name or size: a rule naming them gets no second error. */
  private final Set<String> rejected = new HashSet<>();

  private Syntax ruleSyntax;
  /** The valid explicit rules by dimension; a later scope's rule replaces an earlier one. */
  private final Map<String, Written> rules = new LinkedHashMap<>();
  /** Dimensions written in the current scope, with the first rule's place: a second is a duplicate. */
  private final Map<String, SourceLoc> scope = new HashMap<>();

  private final List<Diagnostic> errors = new ArrayList<>();
  /** The dimensions a rule may name: those of the program kind ({@link #kind}), a layer's until told. */
  private List<String> dimensions = SwitchLayerSpec.KIND.dimensions();
  private String owner = SwitchLayerSpec.KIND.noun();

  /**
   * An empty mesh (one device) and no rules.
   *
   * @param defaultsFile the file default rules are located in (the spec file, or the DSL's source file)
   * @param syntax how the mesh and rules will be written, until {@link #mesh} or {@link #rules} says otherwise
   * @param meshBlock where the mesh is defined: the {@code mesh} block, the {@code --mesh} option or
   *     the DSL call; for a spec file without a mesh block, the file at line 0 (see {@link #noMeshBlock})
   */
  public ShardingBuilder(String defaultsFile, Syntax syntax, SourceLoc meshBlock) {
    this.defaultsFile = defaultsFile;
    this.meshSyntax = syntax;
    this.meshBlock = meshBlock;
    this.ruleSyntax = syntax;
  }

  /** Rules may name the dimensions of {@code kind}'s programs (by default, a Switch layer's); messages call it by its noun. */
  public ShardingBuilder kind(ProgramKind<?> kind) {
    this.dimensions = kind.dimensions();
    this.owner = kind.noun();
    return this;
  }

  /** How a DSL {@code mesh(...)} call is quoted in messages. */
  public static String meshCall(String name, int size) {
    return "mesh(\"" + Objects.requireNonNull(name, "name") + "\", " + size + ")";
  }

  /** How a DSL {@code layout(...)} call is quoted in messages. */
  public static String layoutCall(String dim, String... axes) {
    StringBuilder call = new StringBuilder("layout(\"").append(Objects.requireNonNull(dim, "dim")).append('"');
    for (String a : axes) call.append(", \"").append(Objects.requireNonNull(a, "axis")).append('"');
    return call.append(')').toString();
  }

  /** A DSL {@code mesh(name, size)} call made at {@code at}. */
  public ShardingBuilder dslAxis(String name, int size, SourceLoc at) {
    return axis(name, at, size, at);
  }

  /** A DSL {@code layout(dim, axes...)} call made at {@code at}. */
  public ShardingBuilder dslRule(String dim, String[] axes, SourceLoc at) {
    return rule(dim, at, Arrays.asList(axes), Collections.nCopies(axes.length, at), at);
  }

  /** The mesh place of a spec file that has no mesh block. */
  public static SourceLoc noMeshBlock(String file) {
    return new SourceLoc(file, 0, 0, "mesh");
  }

  /**
   * Starts a new mesh, replacing every axis declared so far (a {@code --mesh} replaces the file's
   * mesh). Problems already recorded about the old axes stay.
   */
  public ShardingBuilder mesh(Syntax syntax, SourceLoc block) {
    meshSyntax = syntax;
    meshBlock = block;
    axes.clear();
    axesAt.clear();
    declared.clear();
    rejected.clear();
    return this;
  }

  /**
   * Declares mesh axis {@code name} of {@code size} devices.
   *
   * @param nameAt where the name is written (name errors, duplicates)
   * @param at where the size is written, {@code at.what()} quoting the declaration, e.g. {@code data = 2}
   */
  public ShardingBuilder axis(String name, SourceLoc nameAt, long size, SourceLoc at) {
    if (!declare(name, nameAt, at)) return this;
    String why = size < 1 ? "must be at least 1" : size > Integer.MAX_VALUE ? "must be at most " + Integer.MAX_VALUE : null;
    if (why != null) {
      rejected.add(name);
      errors.add(new Diagnostic(at, at.what() + ": " + why + "; expected " + expectedSize(name)));
      return this;
    }
    axes.put(name, new MeshAxis(name, (int) size));
    axesAt.put(name, at);
    return this;
  }

  /**
   * Declares mesh axis {@code name} whose size could not be read: reports {@code why} (e.g.
   * {@code "'x' is not a number"}) with what a size looks like, then {@code hint} (e.g.
   * {@code "; remove the quotes"} or empty).
   */
  public ShardingBuilder badAxis(String name, SourceLoc nameAt, SourceLoc at, String why, String hint) {
    if (!declare(name, nameAt, at)) return this;
    rejected.add(name);
    errors.add(new Diagnostic(at, at.what() + ": " + why + "; expected " + expectedSize(name) + hint));
    return this;
  }

  /** What a mesh axis size looks like, for messages. */
  public static String expectedSize(String axis) {
    return "a positive integer, the number of devices along '" + axis + "'";
  }

  private boolean declare(String name, SourceLoc nameAt, SourceLoc at) {
    SourceLoc first = declared.get(name);
    if (first != null) {
      errors.add(new Diagnostic(nameAt, at.what() + ": duplicate mesh axis '" + name + "', first declared " + place(first)
          + "; remove one of them"));
      return false;
    }
    declared.put(name, nameAt.describing(at.what()));
    if (!name.matches(AXIS_NAME)) {
      rejected.add(name);
      String lower = name.toLowerCase(Locale.ROOT);
      errors.add(new Diagnostic(nameAt, at.what() + ": mesh axis name '" + name + "' must be lower snake_case (a lowercase"
          + " letter, then lowercase letters, digits or '_'); use a name such as '" + (lower.matches(AXIS_NAME) ? lower : "data") + "'"));
      return false;
    }
    return true;
  }

  /** {@link MeshAxis}'s rule for names. */
  private static final String AXIS_NAME = "[a-z][a-z0-9_]*";

  /**
   * Starts a new scope of layout rules written in {@code syntax}: a rule in it replaces an earlier
   * scope's rule of the same dimension (a {@code --layout} over the file's layout block), while two
   * rules for one dimension within it are a duplicate.
   */
  public ShardingBuilder rules(Syntax syntax) {
    ruleSyntax = syntax;
    scope.clear();
    return this;
  }

  /**
   * A layout rule: {@code dim} split over {@code axes}, major first (empty: whole).
   *
   * @param dimAt where the dimension name is written (unknown and duplicate dimensions)
   * @param axisAt where each axis is written (an axis twice, an axis not in the mesh)
   * @param at where the rule is written, {@code at.what()} quoting it; kept in the layout's {@code where}
   */
  public ShardingBuilder rule(String dim, SourceLoc dimAt, List<String> axes, List<SourceLoc> axisAt, SourceLoc at) {
    if (axisAt.size() != axes.size()) throw new IllegalArgumentException("one place per axis: " + axes + " " + axisAt);
    if (!writeDim(dim, dimAt, at)) return this;
    for (int i = 0; i < axes.size(); i++) {
      String a = axes.get(i);
      if (axes.subList(0, i).contains(a)) {
        errors.add(new Diagnostic(axisAt.get(i), at.what() + ": axis '" + a + "' appears twice; a dimension is split over each"
            + " mesh axis at most once: write " + ruleSyntax.rule(dim, axes.stream().distinct().toList())));
        return this;
      }
    }
    rules.put(dim, new Written(new LayoutRule(dim, axes, at), List.copyOf(axisAt), ruleSyntax.origin()));
    return this;
  }

  /** {@link #rule(String, SourceLoc, List, List, SourceLoc)} located entirely at {@code r.at()}. */
  public ShardingBuilder rule(LayoutRule r) {
    return rule(r.dim(), r.at(), r.axes(), Collections.nCopies(r.axes().size(), r.at()), r.at());
  }

  /** {@link #rule(LayoutRule)} for a rule that was written with {@code origin} (kept in the layout it builds). */
  private ShardingBuilder rule(LayoutRule r, RuleOrigin origin) {
    Syntax now = ruleSyntax;
    ruleSyntax = Syntax.of(origin);
    rule(r);
    ruleSyntax = now;
    return this;
  }

  /**
   * A layout rule for {@code dim} whose value could not be read ({@code why}, e.g. a number where
   * an axis name belongs): reported unless the dimension itself is already wrong.
   */
  public ShardingBuilder badRule(String dim, SourceLoc dimAt, SourceLoc at, Diagnostic why) {
    if (writeDim(dim, dimAt, at)) errors.add(why);
    return this;
  }

  private boolean writeDim(String dim, SourceLoc dimAt, SourceLoc at) {
    if (!dimensions.contains(dim)) {
      errors.add(new Diagnostic(dimAt, at.what() + ": unknown dimension '" + dim + "' in layout; "
          + Names.didYouMean(dim, dimensions) + "the " + owner + "'s dimensions: " + String.join(", ", dimensions)));
      return false;
    }
    SourceLoc first = scope.get(dim);
    if (first != null) {
      errors.add(new Diagnostic(dimAt, at.what() + ": duplicate layout rule for '" + dim + "', first " + place(first)
          + "; remove one of them"));
      return false;
    }
    scope.put(dim, dimAt.describing(at.what()));
    return true;
  }

  /** Adds a problem found by the caller (a block-level mistake, say), to be reported with the rest. */
  public ShardingBuilder error(Diagnostic d) {
    errors.add(d);
    return this;
  }

  /**
   * Every problem: those recorded so far, then each rule's axes missing from the mesh and a mesh
   * too large to number its devices. Empty when {@link #build} will succeed.
   */
  public List<Diagnostic> problems() {
    List<Diagnostic> all = new ArrayList<>(errors);
    for (Written w : rules.values()) {
      List<String> ruleAxes = w.rule().axes();
      for (int i = 0; i < ruleAxes.size(); i++) {
        String a = ruleAxes.get(i);
        if (!axes.containsKey(a) && !rejected.contains(a))
          all.add(new Diagnostic(w.axisAt().get(i), w.rule().at().what() + ": the mesh has no axis '" + a + "'; " + missingAxis(a)));
      }
    }
    long devices = 1;
    for (MeshAxis a : axes.values()) {
      devices *= a.size();
      if (devices > Integer.MAX_VALUE) {
        all.add(new Diagnostic(meshBlock, "the mesh " + new Mesh(List.copyOf(axes.values())) + " has more than "
            + Integer.MAX_VALUE + " devices; use fewer or smaller axes"));
        break;
      }
    }
    return all;
  }

  /** Why an axis is missing, and the fix, in the words of wherever the mesh came from. */
  private String missingAxis(String axis) {
    boolean noBlock = meshBlock.line() == 0 && meshSyntax == Syntax.SPEC;
    String add = switch (meshSyntax) {
      case SPEC -> "add " + meshSyntax.axis(axis, "N") + " to the mesh block";
      case FLAG -> "add " + meshSyntax.axis(axis, "N") + " to --mesh";
      case DSL -> "add " + meshSyntax.axis(axis, "N");
    };
    if (declared.isEmpty()) {
      String why = switch (meshSyntax) {
        case SPEC -> noBlock ? "there is no mesh block" : "the mesh block at " + lineCol(meshBlock) + " is empty";
        case FLAG -> "--mesh '" + meshBlock.what() + "' declares no axes";
        case DSL -> "there is no mesh(...) call";
      };
      if (noBlock) add = "add one, e.g. 'mesh { " + axis + " = N }'";
      else if (meshSyntax == Syntax.DSL) add = "add one, e.g. " + meshSyntax.axis(axis, "N");
      return why + ", so the " + owner + " runs on one device; " + add + ", or remove the rule";
    }
    String origin = switch (meshSyntax) {
      case SPEC -> " (mesh block at " + lineCol(meshBlock) + ")";
      case FLAG -> " (" + meshBlock.file() + ")";
      case DSL -> " (from mesh(...) calls)";
    };
    String list = "mesh axes: " + String.join(", ", declared.keySet()) + origin;
    return Names.closest(axis, declared.keySet()).map(c -> "did you mean '" + c + "'? " + list)
        .orElse(list + "; use one of them or " + add);
  }

  /** Only the problems in what was written, not whether the axes exist: for a {@code --layout} read on its own. */
  public List<Diagnostic> writtenProblems() {
    return List.copyOf(errors);
  }

  /** The valid explicit rules so far, by dimension in the order first written. */
  public List<LayoutRule> writtenRules() {
    return rules.values().stream().map(Written::rule).toList();
  }

  /** The mesh declared so far (its valid axes) with where each axis was declared; unchecked. */
  public LocatedMesh currentMesh() {
    return new LocatedMesh(new Mesh(List.copyOf(axes.values())), meshBlock, axesAt, meshSyntax.origin());
  }

  /**
   * The program: {@code definition} on the mesh (one device if no axes), with the layout of every
   * one of its dimensions, each from its explicit rule or else its {@link DefaultLayout default}.
   *
   * @throws CompileError with {@link #problems()}, if any
   */
  public Program build(Located<? extends ProgramSpec> definition) {
    Sharding s = buildSharding();
    return new Program(definition, s.mesh(), s.layout());
  }

  /** A checked mesh and the layout of every one of {@link #dimensions}. */
  public record Sharding(LocatedMesh mesh, Layout layout) {}

  /**
   * The mesh (one device if no axes) and the layout of every dimension, each from its explicit
   * rule or else its {@link DefaultLayout default}.
   *
   * @throws CompileError with {@link #problems()}, if any
   */
  public Sharding buildSharding() {
    List<Diagnostic> problems = problems();
    if (!problems.isEmpty()) throw new CompileError(problems);
    LocatedMesh mesh = currentMesh();
    Map<String, List<String>> layout = new LinkedHashMap<>();
    Map<String, SourceLoc> where = new LinkedHashMap<>();
    Map<String, RuleOrigin> origins = new LinkedHashMap<>();
    DefaultLayout.rules(mesh.value(), dimensions).forEach((dim, dflt) -> {
      Written w = rules.get(dim);
      layout.put(dim, w != null ? w.rule().axes() : dflt);
      where.put(dim, w != null ? w.rule().at() : defaultAt(mesh, dim, dflt));
      origins.put(dim, w != null ? w.origin() : RuleOrigin.DEFAULT);
    });
    return new Sharding(mesh, new Layout(layout, where, origins));
  }

  /**
   * Where a default rule comes from: the declaration of its last (minor) mesh axis, so an error
   * the rule causes points at the mesh line to change; a rule without axes at the defaults file.
   */
  private SourceLoc defaultAt(LocatedMesh mesh, String dim, List<String> axes) {
    SourceLoc generic = DefaultLayout.at(defaultsFile, dim, axes);
    if (axes.isEmpty()) return generic;
    SourceLoc axis = mesh.axes().get(axes.get(axes.size() - 1));
    return axis == null ? generic : new SourceLoc(axis.file(), axis.line(), axis.col(), generic.what());
  }

  /**
   * A builder holding {@code program}'s mesh and its explicit (non-default) rules, in one scope, so
   * that {@link #mesh} and a new {@link #rules} scope can override them (the CLI flags on a parsed
   * program). Rules are located at their recorded places and keep their origins.
   */
  public static ShardingBuilder of(Program program) {
    LocatedMesh mesh = program.mesh();
    ShardingBuilder b = new ShardingBuilder(program.definition().where().block().file(), Syntax.of(mesh.origin()), mesh.block())
        .kind(program.spec().kind());
    for (MeshAxis a : mesh.value().axes()) {
      SourceLoc at = mesh.of(a.name());
      b.axis(a.name(), at, a.size(), at);
    }
    program.layout().rules().forEach((dim, axes) -> {
      RuleOrigin origin = program.layout().originOf(dim);
      if (origin != RuleOrigin.DEFAULT) b.rule(new LayoutRule(dim, axes, program.layout().whereOf(dim)), origin);
    });
    return b;
  }

  /** {@code first}, for "first declared ..." in a message about a later place. */
  private static String place(SourceLoc first) {
    if (first.line() == 0) return "as '" + first.what() + "'";
    return "at " + (first.col() > 0 ? lineCol(first) : first.file() + ":" + first.line()) + " (" + first.what() + ")";
  }

  private static String lineCol(SourceLoc loc) {
    return loc.line() + ":" + loc.col();
  }
}
