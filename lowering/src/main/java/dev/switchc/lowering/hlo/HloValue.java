package dev.switchc.lowering.hlo;

/** An SSA value of a StableHLO function; {@code id} gives its printed name. */
public record HloValue(int id, HloType type) {}
