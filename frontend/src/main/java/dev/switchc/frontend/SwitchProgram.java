package dev.switchc.frontend;

import dev.switchc.ir.CompileError;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.SourceLoc;
import java.util.Objects;

/**
 * Everything one spec file (or DSL definition) describes: the layer, the device mesh it runs on,
 * and how each of the layer's dimensions is laid out over that mesh. Produced by
 * {@code SpecFile.parseProgram}, {@code Overrides.applyProgram} and the DSL:
 *
 * <pre>{@code
 * SwitchProgram program = SwitchProgram.of(layer)
 *     .mesh("data", 2).mesh("expert", 4)
 *     .layout("batch", "data", "expert")   // major first
 *     .layout("d_model")                   // whole
 *     .build();
 * }</pre>
 *
 * @param mesh the mesh ({@link Mesh#SINGLE} when none was given), with where each axis was declared
 *     ({@code where().block()}: the mesh block, {@code --mesh} option or {@code of(...)} call)
 * @param layout a rule for every one of the layer's {@link DefaultLayout#DIMENSIONS} (whole
 *     dimensions map to no axes): the user's rule where one was written, else the default; its
 *     {@code where} tells which ({@link DefaultLayout#isDefault})
 */
public record SwitchProgram(Located<SwitchLayerSpec> layer, Located<Mesh> mesh, Layout layout) implements Program {
  public SwitchProgram {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(layout, "layout");
    for (var rule : layout.rules().entrySet())
      for (String axis : rule.getValue())
        if (!mesh.value().has(axis))
          throw new IllegalArgumentException("layout rule " + rule.getKey() + " = " + rule.getValue() + " names axis '" + axis
              + "', which mesh " + mesh.value() + " does not have");
  }

  /** {@code layer} on a single device: no mesh axes, every dimension whole. */
  public static SwitchProgram single(Located<SwitchLayerSpec> layer) {
    return new ShardingBuilder(layer.where().block().file(), ShardingBuilder.Syntax.DSL, layer.where().block()).build(layer);
  }

  /** Starts the DSL: attach mesh axes and layout rules to {@code layer}, then {@link Builder#build()}. */
  public static Builder of(Located<SwitchLayerSpec> layer) {
    return new Builder(layer, callerLoc("SwitchProgram.of(...)"));
  }

  /** The DSL. Each call records its caller's place, so a mistake is reported at the call that made it. */
  public static final class Builder {
    private final Located<SwitchLayerSpec> layer;
    private final ShardingBuilder sharding;

    private Builder(Located<SwitchLayerSpec> layer, SourceLoc of) {
      this.layer = Objects.requireNonNull(layer, "layer");
      this.sharding = new ShardingBuilder(layer.where().block().file(), ShardingBuilder.Syntax.DSL, of);
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
    public SwitchProgram build() {
      return sharding.build(layer);
    }
  }

  /** Where user code called into this DSL: the first stack frame outside this file's classes. */
  static SourceLoc callerLoc(String call) {
    return CallSite.of(call, java.util.Set.of(SwitchProgram.class, Builder.class));
  }
}
