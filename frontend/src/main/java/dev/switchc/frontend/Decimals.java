package dev.switchc.frontend;

import java.math.BigDecimal;

/** How plans, summaries and reports write an exact decimal: 2.0 rather than 2, 1.25 as is. */
public final class Decimals {
  private Decimals() {}

  public static String text(BigDecimal d) {
    return d.scale() < 1 ? d.setScale(1).toPlainString() : d.toPlainString();
  }

  /**
   * For messages about a value as written: plain digits, but scientific notation where plain
   * digits would run long ({@code 1e999999999} has a billion of them).
   */
  public static String brief(BigDecimal d) {
    return d.scale() < -12 || d.scale() > 12 ? d.toString() : d.toPlainString();
  }
}
