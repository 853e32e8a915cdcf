package dev.switchc.frontend.model;

import dev.switchc.frontend.DefaultLayout;
import dev.switchc.frontend.Located;
import dev.switchc.frontend.ShardingBuilder;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import java.util.Objects;

/**
 * A model with its mesh and the layout of each of its dimensions ({@link DefaultLayout#MODEL_DIMENSIONS});
 * what a {@code model} spec file, a preset or the DSL describes. Build the sharding with a
 * {@link ShardingBuilder} set to the model's {@link #dimensions() dimensions}.
 */
public record ModelProgram(Located<ModelSpec> model, Located<Mesh> mesh, Layout layout) implements dev.switchc.frontend.Program {
  public ModelProgram {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(layout, "layout");
  }

  public static ModelProgram of(Located<ModelSpec> model, ShardingBuilder.Sharding sharding) {
    return new ModelProgram(model, sharding.mesh(), sharding.layout());
  }

  /** {@code model} on one device. */
  public static ModelProgram single(Located<ModelSpec> model) {
    return of(model, shardingFor(model).buildSharding());
  }

  /**
   * Starts the DSL: mesh axes and layout rules for {@code model}, then {@link Builder#build()}:
   *
   * <pre>{@code
   * ModelProgram p = ModelProgram.of(model).mesh("data", 4).mesh("expert", 8).mesh("model", 2)
   *     .layout("heads", "model").build();
   * }</pre>
   */
  public static Builder of(Located<ModelSpec> model) {
    return new Builder(model, callerLoc("ModelProgram.of(...)"));
  }

  /** The DSL. Each call records its caller's place, so a mistake is reported at the call that made it. */
  public static final class Builder {
    private final Located<ModelSpec> model;
    private final ShardingBuilder sharding;

    private Builder(Located<ModelSpec> model, dev.switchc.ir.SourceLoc of) {
      this.model = Objects.requireNonNull(model, "model");
      this.sharding = new ShardingBuilder(model.where().block().file(), ShardingBuilder.Syntax.DSL, of).dimensions(dimensions(), "model");
    }

    /** Adds mesh axis {@code name} of {@code size} devices; axes are listed major first (device ids row-major). */
    public Builder mesh(String name, int size) {
      sharding.dslAxis(name, size, callerLoc(ShardingBuilder.meshCall(name, size)));
      return this;
    }

    /** Splits dimension {@code dim} over {@code axes}, major first; no axes keeps it whole. Replaces the dimension's default. */
    public Builder layout(String dim, String... axes) {
      sharding.dslRule(dim, axes, callerLoc(ShardingBuilder.layoutCall(dim, axes)));
      return this;
    }

    /**
     * The checked program.
     *
     * @throws dev.switchc.ir.CompileError listing every problem, each at the call that caused it
     */
    public ModelProgram build() {
      return ModelProgram.of(model, sharding.buildSharding());
    }
  }

  static dev.switchc.ir.SourceLoc callerLoc(String call) {
    return dev.switchc.frontend.CallSite.of(call, java.util.Set.of(ModelProgram.class, Builder.class));
  }

  /** A sharding builder for {@code model}'s dimensions, in the DSL's notation, located at its definition. */
  public static ShardingBuilder shardingFor(Located<ModelSpec> model) {
    return new ShardingBuilder(model.where().block().file(), ShardingBuilder.Syntax.DSL, model.where().block()).dimensions(dimensions(), "model");
  }

  public static java.util.List<String> dimensions() {
    return DefaultLayout.MODEL_DIMENSIONS;
  }
}
