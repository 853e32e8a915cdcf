package dev.switchc.frontend;

/**
 * A model object together with where each of its fields was written. Two definitions of the same
 * model (spec file, DSL) have equal {@code value}s and different provenance.
 */
public record Located<T>(T value, Provenance where) {}
