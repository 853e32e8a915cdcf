package dev.switchc.frontend.spec;

import static dev.switchc.frontend.fuzz.FuzzChecks.assertCompileError;
import static dev.switchc.frontend.fuzz.FuzzChecks.withinTimeout;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchc.frontend.fuzz.SpecAndOptions;

/**
 * The spec-file parser (grammar, blocks, fields, mesh and layout) and the CLI's {@code --set},
 * {@code --mesh} and {@code --layout} values on arbitrary text: a program or a
 * {@link dev.switchc.ir.CompileError} with one-line diagnostics, never another exception or a
 * hang. Inputs are {@link SpecAndOptions}; seeds: {@code SpecFileFuzzTestInputs/parseWithOptions}
 * (the examples and presets, and a few broken files).
 */
class SpecFileFuzzTest {
  @FuzzTest
  @DictionaryEntries({"switch_layer", "model", "mesh", "layout", "batch", "seq", "d_model", "d_ff", "experts", "group_size",
      "capacity_factor", "dispatch", "einsum", "activation_dtype", "bf16", "data", "expert", "layers", "architecture",
      "decoder_only", "encoder_decoder", "--set ", "--mesh ", "--layout "})
  void parseWithOptions(byte[] input) throws Exception {
    SpecAndOptions in = SpecAndOptions.of(input);
    withinTimeout(() -> {
      try {
        Overrides.load("fuzz.swc", in.spec(), in.sets(), in.mesh(), in.layouts());
      } catch (RuntimeException e) {
        assertCompileError(e);
      }
      try {
        in.mesh().ifPresent(ShardingFlags::parseMesh);
      } catch (RuntimeException e) {
        assertCompileError(e);
      }
      for (String layout : in.layouts()) {
        try {
          ShardingFlags.parseLayout(layout);
        } catch (RuntimeException e) {
          assertCompileError(e);
        }
      }
    });
  }
}
