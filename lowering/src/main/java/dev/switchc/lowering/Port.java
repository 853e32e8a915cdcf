package dev.switchc.lowering;

import dev.switchc.ir.TensorType;

/** A named argument or result of a compiled module's {@code main}, with its named shape. */
public record Port(String name, TensorType type) {}
