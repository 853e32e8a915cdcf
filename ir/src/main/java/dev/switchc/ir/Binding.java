package dev.switchc.ir;

/** A named function parameter or result, such as {@code router/w} or {@code aux_loss}. */
public record Binding(String name, Value value) {}
