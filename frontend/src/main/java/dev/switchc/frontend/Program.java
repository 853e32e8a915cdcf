package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.Layout;
import dev.switchc.ir.SourceLoc;
import java.util.Objects;

/**
 * Everything one spec file, preset or DSL definition describes: a definition (a Switch layer, a
 * whole model, ...), the device mesh it runs on, and how each of its dimensions is laid out over
 * that mesh. Produced by the spec reader ({@code spec.SpecFile}, {@code spec.Overrides},
 * {@code model.Presets}) and by the DSL:
 *
 * <pre>{@code
 * Program program = Program.of(layer)      // a Located<SwitchLayerSpec>, or a model
 *     .mesh("data", 2).mesh("expert", 4)
 *     .layout("batch", "data", "expert")   // major first
 *     .layout("d_model")                   // whole
 *     .build();
 * }</pre>
 *
 * @param definition what is compiled, with where each field was written
 * @param mesh the mesh ({@link dev.switchc.ir.Mesh#SINGLE} when none was given), with where each axis was declared
 * @param layout a rule for every one of the definition's dimensions (whole dimensions map to no axes):
 *     the user's rule where one was written, else the default ({@link Layout#originOf})
 */
public record Program(Located<? extends ProgramSpec> definition, LocatedMesh mesh, Layout layout) {
  public Program {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(layout, "layout");
    for (var rule : layout.rules().entrySet())
      for (String axis : rule.getValue())
        if (!mesh.value().has(axis))
          throw new IllegalArgumentException("layout rule " + rule.getKey() + " = " + rule.getValue() + " names axis '" + axis
              + "', which mesh " + mesh.value() + " does not have");
  }

  /** What the program computes. */
  public ProgramSpec spec() {
    return definition.value();
  }

  /** Where each field of the definition was written. */
  public Provenance where() {
    return definition.where();
  }

  /**
   * The definition as the kind the caller knows it to be (a test of a layer, say).
   *
   * @throws IllegalArgumentException if it is another kind
   */
  public <S extends ProgramSpec> S spec(Class<S> kind) {
    if (!kind.isInstance(spec()))
      throw new IllegalArgumentException("this program is a " + spec().kind().block() + ", not a " + kind.getSimpleName());
    return kind.cast(spec());
  }

  /**
   * {@link #definition()} as the kind the caller knows it to be.
   *
   * @throws IllegalArgumentException if it is another kind
   */
  @SuppressWarnings("unchecked") // checked by spec(kind)
  public <S extends ProgramSpec> Located<S> definition(Class<S> kind) {
    spec(kind);
    return (Located<S>) definition;
  }

  /** {@code definition} on a single device: no mesh axes, every dimension whole. */
  public static Program single(Located<? extends ProgramSpec> definition) {
    return sharding(definition, definition.where().block()).build(definition);
  }

  /** Starts the DSL: attach mesh axes and layout rules to {@code definition}, then {@link Builder#build()}. */
  public static Builder of(Located<? extends ProgramSpec> definition) {
    return new Builder(definition, callerLoc("Program.of(...)"));
  }

  private static ShardingBuilder sharding(Located<? extends ProgramSpec> definition, SourceLoc meshAt) {
    return new ShardingBuilder(definition.where().block().file(), ShardingBuilder.Syntax.DSL, meshAt).kind(definition.value().kind());
  }

  /** The DSL. Each call records its caller's place, so a mistake is reported at the call that made it. */
  public static final class Builder {
    private final Located<? extends ProgramSpec> definition;
    private final ShardingBuilder sharding;

    private Builder(Located<? extends ProgramSpec> definition, SourceLoc of) {
      this.definition = Objects.requireNonNull(definition, "definition");
      this.sharding = sharding(definition, of);
    }

    /** Adds mesh axis {@code name} of {@code size} devices; axes are listed major first (device ids row-major). */
    public Builder mesh(String name, int size) {
      sharding.dslAxis(name, size, callerLoc(ShardingBuilder.meshCall(name, size)));
      return this;
    }

    /**
     * Splits dimension {@code dim} over {@code axes}, major first; no axes keeps it whole. Replaces
     * the dimension's default; a second rule for one dimension is an error.
     */
    public Builder layout(String dim, String... axes) {
      sharding.dslRule(dim, axes, callerLoc(ShardingBuilder.layoutCall(dim, axes)));
      return this;
    }

    /**
     * The checked program: the mesh, and every dimension's rule (written or default).
     *
     * @throws CompileError listing every problem, each at the call that caused it
     */
    public Program build() {
      return sharding.build(definition);
    }
  }

  /** Where user code called into this DSL: the first stack frame outside this file's classes. */
  static SourceLoc callerLoc(String call) {
    return CallSite.of(call, java.util.Set.of(Program.class, Builder.class));
  }
}
