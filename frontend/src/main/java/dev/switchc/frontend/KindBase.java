package dev.switchc.frontend;

import java.util.List;

/** The data part of a {@link ProgramKind}: its block, noun, example, fields and dimensions. */
public abstract class KindBase<S extends ProgramSpec> implements ProgramKind<S> {
  private final String block, noun, example;
  private final List<Field> fields;
  private final List<String> dimensions;

  protected KindBase(String block, String noun, String example, List<Field> fields, List<String> dimensions) {
    this.block = block;
    this.noun = noun;
    this.example = example;
    this.fields = List.copyOf(fields);
    this.dimensions = List.copyOf(dimensions);
  }

  @Override
  public final String block() {
    return block;
  }

  @Override
  public final String noun() {
    return noun;
  }

  @Override
  public final String example() {
    return example;
  }

  @Override
  public final List<Field> fields() {
    return fields;
  }

  @Override
  public final List<String> dimensions() {
    return dimensions;
  }

  @Override
  public String toString() {
    return block;
  }
}
