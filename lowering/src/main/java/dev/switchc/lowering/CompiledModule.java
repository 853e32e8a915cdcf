package dev.switchc.lowering;

/** StableHLO text plus the signature of its {@code main}. */
public record CompiledModule(String text, ModuleSignature signature) {}
