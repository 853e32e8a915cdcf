package dev.switchc.driver;

import dev.switchc.frontend.DataInput;
import dev.switchc.frontend.ParameterInit;
import dev.switchc.ir.TensorType;
import dev.switchc.runtime.HostTensor;

/**
 * Values for a program's {@link DataInput}s: the default a run uses when the user gives none,
 * and the check of one the user gave, with a message naming the input, the element and the fix.
 */
public final class DataInputs {
  private DataInputs() {}

  /** The default value of {@code in} (a port of type {@code type}) drawn from {@code seed}. */
  public static HostTensor defaultValue(DataInput in, TensorType type, long seed) {
    long n = type.shape().elements();
    return switch (in.values()) {
      case ACTIVATIONS -> HostTensor.ofFloats(type, ParameterInit.normal(seed, in.name(), n));
      case TOKEN_IDS -> HostTensor.ofInts(type, ParameterInit.tokenIds(seed, in.name(), n, in.vocab()));
      case SEED -> HostTensor.ofInts(type, new int[] {(int) seed});
    };
  }

  /**
   * Checks a value the user gave for {@code in}; {@code source} names where it came from (a file) in
   * the message.
   *
   * @throws UserInputError if an activation is not finite or a token id is outside {@code [0, vocab)}
   */
  public static void check(DataInput in, HostTensor value, String source) {
    switch (in.values()) {
      case ACTIVATIONS -> {
        String bad = ParamFiles.firstNonFinite(value.floatBuffer());
        if (bad != null) throw new UserInputError(source + "input holds " + bad + "; the layer's input must be finite numbers");
      }
      case TOKEN_IDS -> {
        int[] ids = value.intBuffer();
        long length = value.shape().rank() > 1 ? value.shape().dims().get(1).size() : ids.length;
        for (int i = 0; i < ids.length; i++)
          if (ids[i] < 0 || ids[i] >= in.vocab())
            throw new UserInputError(source + in.name() + " holds token id " + ids[i] + " at [" + i / length + ", " + i % length + "], outside [0, "
                + in.vocab() + "); token ids index the vocabulary (0 is padding)");
      }
      case SEED -> { }
    }
  }
}
