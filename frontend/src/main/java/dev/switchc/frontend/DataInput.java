package dev.switchc.frontend;

/**
 * A parameter of a program's function that is data rather than a trained tensor: what a run feeds
 * it, how a default is drawn when the user gives none, and which values are allowed.
 *
 * @param name the function parameter
 * @param role how a user supplies it
 * @param values what it holds
 * @param vocab for {@link Values#TOKEN_IDS}: ids must lie in {@code [0, vocab)}; defaults are drawn from {@code [1, vocab)}
 */
public record DataInput(String name, Role role, Values values, long vocab) {
  /** How a user supplies the input. */
  public enum Role {
    /** The program's input ({@code --input}): a layer's activations, a model's token ids. */
    INPUT,
    /** An encoder-decoder's target ids ({@code --targets}). */
    TARGETS,
    /** The training-mode noise seed ({@code --seed}). */
    SEED
  }

  /** What the input holds. */
  public enum Values {
    /** Finite floats; the default is seeded standard normal. */
    ACTIVATIONS,
    /** Token ids in {@code [0, vocab)}; the default is seeded uniform in {@code [1, vocab)} (no padding). */
    TOKEN_IDS,
    /** One i32, the seed. */
    SEED
  }

  public static DataInput activations(String name) {
    return new DataInput(name, Role.INPUT, Values.ACTIVATIONS, 0);
  }

  public static DataInput tokenIds(String name, Role role, long vocab) {
    return new DataInput(name, role, Values.TOKEN_IDS, vocab);
  }

  public static DataInput seed(String name) {
    return new DataInput(name, Role.SEED, Values.SEED, 0);
  }
}
