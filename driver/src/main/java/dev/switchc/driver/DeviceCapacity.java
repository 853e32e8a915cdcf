package dev.switchc.driver;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of one device, for checking that a plan fits: bytes, and how the user named it.
 *
 * <p>TPU generations, from Google Cloud's TPU system architecture pages (cloud.google.com/tpu/docs,
 * "TPU v3" and "TPU v4"): a v3 chip has two TensorCores and 32 GiB of HBM, 16 GiB per core, and
 * each core is one device to XLA, so {@code v3} is 16 GiB; a v4 chip has 32 GiB of HBM and its two
 * TensorCores act as one device (megacore), so {@code v4} is 32 GiB per chip. The sizes were not
 * re-checked against those pages here (no network); they are the figures issue 12 gives as well.
 *
 * @param name where the size came from, for messages ({@code --device-memory v3: a TPU v3 core, 16 GiB HBM})
 */
public record DeviceCapacity(long bytes, String name) {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)");

  public DeviceCapacity {
    if (bytes <= 0) throw new IllegalArgumentException("device memory must be positive, got " + bytes);
  }

  /** {@code 16GiB}, {@code 512MiB}, {@code 1024B}, or a TPU generation: {@code v3} (16 GiB per core) or {@code v4} (32 GiB per chip). */
  public static DeviceCapacity parse(String text) {
    String s = text.trim();
    if (s.equalsIgnoreCase("v3")) return new DeviceCapacity(16L << 30, "--device-memory " + s + ": a TPU v3 core, 16 GiB HBM");
    if (s.equalsIgnoreCase("v4")) return new DeviceCapacity(32L << 30, "--device-memory " + s + ": a TPU v4 chip, 32 GiB HBM");
    Matcher m = SIZE.matcher(s);
    if (!m.matches())
      throw new UserInputError("--device-memory '" + text + "': give a size with a binary unit (B, KiB, MiB, GiB, TiB), e.g. 16GiB or 512MiB,"
          + " or a TPU generation: v3 (16 GiB per core) or v4 (32 GiB per chip)");
    int shift = switch (m.group(2)) {
      case "B" -> 0;
      case "KiB" -> 10;
      case "MiB" -> 20;
      case "GiB" -> 30;
      case "TiB" -> 40;
      default -> throw new AssertionError(m.group(2));
    };
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      n = Long.MAX_VALUE;
    }
    if (n == 0 || n > (Long.MAX_VALUE >> shift))
      throw new UserInputError("--device-memory '" + text + "': the size must be at least 1 byte and below 8 EiB");
    return new DeviceCapacity(n << shift, "--device-memory " + s);
  }
}
