package dev.switchc.frontend;

import java.math.BigDecimal;

/** How plans, summaries and reports write an exact decimal: 2.0 rather than 2, 1.25 as is. */
public final class Decimals {
  private Decimals() {}

  public static String text(BigDecimal d) {
    return d.scale() < 1 ? d.setScale(1).toPlainString() : d.toPlainString();
  }
}
