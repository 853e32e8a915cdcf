package dev.switchc.runtime.tpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The TensorFlow Java natives ({@code libtensorflow_cc.so.2}, {@code libtensorflow_framework.so.2})
 * that XLA's CPU client lives in: {@link XlaBridge}'s library links against them by soname, so they
 * must be mapped first, and it relies on struct layouts of exactly the build whose GNU build-ids
 * are {@link #EXPECTED_BUILD_IDS} (also in {@code tf_natives.h}).
 */
public final class TfNatives {
  private TfNatives() {}

  /** The build-ids {libtensorflow_cc.so.2, libtensorflow_framework.so.2} of tensorflow-core-native 1.1.0 (linux-x86_64). */
  public static final List<String> EXPECTED_BUILD_IDS = List.of("cdcdb4f3f8a928555b71513cbcae8523", "171083abc7ad035cbf4700ba9158fe84");

  /** Maps the natives into this process; JavaCPP unpacks them under ~/.javacpp/cache on first use. */
  public static void load() {
    org.tensorflow.TensorFlow.version();
  }

  /** The directory of the mapped {@code libtensorflow_cc.so.2}. */
  public static Path directory() {
    load();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int at = line.indexOf('/');
        if (at >= 0 && line.endsWith("/libtensorflow_cc.so.2")) return Path.of(line.substring(at)).getParent();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/maps: " + e.getMessage(), e);
    }
    throw new IllegalStateException("libtensorflow_cc.so.2 is not mapped after loading TensorFlow Java");
  }

  /** Prints {@link #directory()}: the native build links against the libraries there. */
  public static void main(String[] args) {
    System.out.println(directory());
  }
}
