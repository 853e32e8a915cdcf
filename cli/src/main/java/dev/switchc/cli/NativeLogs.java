package dev.switchc.cli;

import dev.switchc.runtime.tpu.XlaBridge;

/**
 * TensorFlow's own switch for its native log, {@code TF_CPP_MIN_LOG_LEVEL} (0 info, 1 warning, 2
 * error; {@code ./switchc} sets 1), applied also to the absl logging that TensorFlow 2.18 and XLA
 * write through and that the variable does not reach. Without this every run starts with an absl
 * warning and four INFO lines, and an error is not the first line on stderr.
 */
final class NativeLogs {
  private NativeLogs() {}

  static void apply() {
    String v = System.getenv("TF_CPP_MIN_LOG_LEVEL");
    int level = 1;
    if (v != null && v.trim().matches("[0-3]")) level = Integer.parseInt(v.trim());
    XlaBridge.load();
    XlaBridge.setLogSeverity(level);
  }
}
