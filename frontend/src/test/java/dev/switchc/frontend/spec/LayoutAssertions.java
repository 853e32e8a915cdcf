package dev.switchc.frontend.spec;

import dev.switchc.frontend.SwitchLayerSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchc.frontend.DefaultLayout;
import dev.switchc.ir.Layout;
import dev.switchc.ir.SourceLoc;
import java.util.List;
import java.util.stream.Collectors;

/** Layouts written out one rule a line, so that a test states the whole map as a text block. */
final class LayoutAssertions {
  private LayoutAssertions() {}

  /** Every rule in spec notation, in the layer's dimension order, e.g. {@code batch = (data, expert)}. */
  static String rules(Layout layout) {
    assertEquals(SwitchLayerSpec.KIND.dimensions(), List.copyOf(layout.rules().keySet()), "a rule for every dimension, in order");
    return layout.rules().entrySet().stream().map(e -> DefaultLayout.text(e.getKey(), e.getValue()) + "\n").collect(Collectors.joining());
  }

  /** Each rule with where it came from: {@code (default)} or the place it was written. */
  static String rulesAndWhere(Layout layout) {
    return layout.rules().keySet().stream().map(dim -> {
      SourceLoc at = layout.whereOf(dim);
      String from = layout.originOf(dim) == dev.switchc.ir.RuleOrigin.DEFAULT ? "(default)" : at.toString();
      return DefaultLayout.text(dim, layout.axes(dim)) + "  <- " + from + "\n";
    }).collect(Collectors.joining());
  }
}
