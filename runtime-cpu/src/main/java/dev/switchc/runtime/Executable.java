package dev.switchc.runtime;

import dev.switchc.lowering.ModuleSignature;
import java.util.Map;
import java.util.Set;

/**
 * A compiled program ready to run: named host arrays in, named host arrays out, in the global
 * shapes of its {@link #signature()} whatever the devices it runs on. Every runtime implements it
 * (XLA CPU through TensorFlow Java, the mesh emulation, XLA's partitioner through PJRT, a PJRT
 * plugin), so callers choose a runtime once and never ask which one they hold.
 *
 * <p>Inputs are checked against the signature before any native call
 * ({@link RuntimeInputException}, listing every problem). {@link #keep} puts inputs that do not
 * change between runs (the parameters) where the runtime needs them, once; then each run moves
 * only the rest.
 *
 * <p>Thread-safety, the contract of every implementation: one loaded program may be run from
 * several threads at once, each run with its own inputs and results, and the results equal those
 * of the same runs one after another, bit for bit. {@link #close} (and {@link Resident#close})
 * waits for the runs in progress before it frees anything native; a call that starts after it
 * fails with an {@link IllegalStateException} saying the program (or the kept inputs) is closed.
 */
public interface Executable extends AutoCloseable {
  /** The global input and output ports, by name and type, in order. */
  ModuleSignature signature();

  /** Runs with exactly the signature's inputs; returns the outputs by name, in signature order. */
  Map<String, HostTensor> run(Map<String, HostTensor> inputs);

  /**
   * Keeps {@code inputs} (some of the signature's inputs) resident for any number of
   * {@link #run(Resident, Map)} calls. Close the result when done; closing the program closes it too.
   *
   * @throws RuntimeInputException if a name is not an input or a tensor does not match its port
   */
  Resident keep(Map<String, HostTensor> inputs);

  /** Runs with {@code kept}'s inputs and {@code rest}, which must hold exactly the other inputs. */
  Map<String, HostTensor> run(Resident kept, Map<String, HostTensor> rest);

  /** Releases everything the program holds, resident inputs included. */
  @Override
  void close();

  /** Inputs held by a program between runs ({@link #keep}). */
  interface Resident extends AutoCloseable {
    /** The names of the inputs held. */
    Set<String> names();

    @Override
    void close();
  }
}
