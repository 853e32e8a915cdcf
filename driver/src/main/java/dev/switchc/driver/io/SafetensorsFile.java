package dev.switchc.driver.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of a safetensors file: tensors and the {@code __metadata__} string map, both
 * unmodifiable and in the order given (file order when read).
 */
public record SafetensorsFile(Map<String, FloatArray> tensors, Map<String, String> metadata) {
  public SafetensorsFile {
    // Map.copyOf would lose the order, which callers rely on for stable output.
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
  }
}
