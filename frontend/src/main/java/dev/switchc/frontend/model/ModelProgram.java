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

  /** A sharding builder for {@code model}'s dimensions, in the DSL's notation, located at its definition. */
  public static ShardingBuilder shardingFor(Located<ModelSpec> model) {
    return new ShardingBuilder(model.where().block().file(), ShardingBuilder.Syntax.DSL, model.where().block()).dimensions(dimensions(), "model");
  }

  public static java.util.List<String> dimensions() {
    return DefaultLayout.MODEL_DIMENSIONS;
  }
}
