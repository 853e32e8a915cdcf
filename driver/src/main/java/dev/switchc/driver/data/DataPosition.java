package dev.switchc.driver.data;

import dev.switchc.driver.UserInputError;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a token stream stands: the next token is token {@code offset} (0-based; the record's length
 * in bytes is its end-of-record token) of the {@code record}-th record in epoch {@code epoch}'s order.
 * Saved with a checkpoint as its {@link #toString} and restored with {@link #parse}, it lets a resumed
 * run read exactly the batches the uninterrupted run would have read.
 */
public record DataPosition(long epoch, int record, int offset) {
  public static final DataPosition START = new DataPosition(0, 0, 0);
  private static final Pattern FORM = Pattern.compile("epoch=(\\d{1,18}),record=(\\d{1,9}),offset=(\\d{1,9})");

  public DataPosition {
    if (epoch < 0 || record < 0 || offset < 0) throw new IllegalArgumentException("negative data position " + epoch + "/" + record + "/" + offset);
  }

  /** The position written by {@link #toString}, e.g. {@code epoch=0,record=12,offset=3}. */
  public static DataPosition parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches())
      throw new UserInputError("data position '" + text + "' is not of the form epoch=E,record=R,offset=O (as a checkpoint saves it)");
    return new DataPosition(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  @Override
  public String toString() {
    return "epoch=" + epoch + ",record=" + record + ",offset=" + offset;
  }
}
