package dev.switchc.driver.train;

import dev.switchc.driver.Compilation;
import dev.switchc.driver.data.TokenBatches;
import dev.switchc.frontend.Mode;
import dev.switchc.lowering.Port;
import dev.switchc.runtime.Executable;
import dev.switchc.runtime.HostTensor;
import dev.switchc.runtime.cpu.CpuProgram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validation loss: the model's evaluation-mode program (eval capacity factor, no noise) run
 * with the current parameters on a fixed set of held-out batches, the first {@code count} of the
 * validation split in its canonical order. The same batches every time, so the numbers of one run
 * compare across steps, and those of a resumed run equal the uninterrupted run's.
 *
 * <p>One XLA CPU device whatever the training mesh: the parameters it takes are the global arrays
 * of {@code TrainStep.Loop.state()}, and a few held-out batches of a small model do not need a mesh.
 */
public final class Validation implements AutoCloseable {
  private final Executable program;
  private final List<Map<String, HostTensor>> batches;
  private final List<String> scalars;

  private Validation(Executable program, List<Map<String, HostTensor>> batches, List<String> scalars) {
    this.program = program;
    this.batches = batches;
    this.scalars = scalars;
  }

  /** Compiles {@code eval} (an evaluation-mode compilation) and takes the first {@code count} batches of {@code source}. */
  public static Validation of(Compilation eval, TokenBatches source, int count) {
    if (eval.mode() != Mode.EVAL) throw new IllegalArgumentException("validation runs the eval-mode program, got " + eval.mode());
    List<Map<String, HostTensor>> batches = new ArrayList<>();
    for (int i = 0; i < count; i++) batches.add(BatchInputs.of(eval, source.next(), 0));
    CpuProgram program = CpuProgram.load(eval.singleDevice());
    List<String> scalars = program.signature().outputs().stream().filter(p -> p.type().shape().rank() == 0 && p.type().dtype().isFloat()).map(Port::name).toList();
    return new Validation(program, List.copyOf(batches), scalars);
  }

  /** The mean over the batches of every scalar output (loss, cross_entropy, aux_loss, z_loss, ...) with {@code params}. */
  public Map<String, Double> run(Map<String, HostTensor> params) {
    Map<String, Double> sums = new LinkedHashMap<>();
    for (Map<String, HostTensor> batch : batches) {
      Map<String, HostTensor> in = new LinkedHashMap<>(params);
      in.putAll(batch);
      Map<String, HostTensor> out = program.run(in);
      for (String name : scalars) sums.merge(name, (double) out.get(name).floatAt(0), Double::sum);
    }
    Map<String, Double> means = new LinkedHashMap<>();
    sums.forEach((n, s) -> means.put(n, s / batches.size()));
    return means;
  }

  @Override
  public void close() {
    program.close();
  }
}
