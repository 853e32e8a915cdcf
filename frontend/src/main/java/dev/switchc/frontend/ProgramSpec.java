package dev.switchc.frontend;

import dev.switchc.ir.Func;
import dev.switchc.ir.Layout;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.plan.Plan;
import java.util.List;
import java.util.Map;

/**
 * What one definition describes (a Switch layer, a whole model, ...): a validated value built by a
 * {@link ProgramKind} from its fields. It knows everything the pipeline needs that differs between
 * kinds; the driver, the CLI and the tests go through this interface only, so a new kind of program
 * needs no change there.
 */
public interface ProgramSpec {
  /** The kind: its spec block, fields, defaults and rules. */
  ProgramKind<?> kind();

  /** The program in {@code mode} as verified named-dimension IR; {@code where} locates every op. */
  Func ir(Provenance where, Mode mode);

  /**
   * The function's parameters that are data rather than trained tensors, with how to make a
   * default value and check a given one; those the function of a mode lacks are not its inputs.
   */
  List<DataInput> dataInputs();

  /** The s of the initialisation sigma = sqrt(s / fan_in) (paper section 2.4). */
  double initScale();

  /** The program-level lines of a sharding plan (expert capacity, tokens per device, ...), in display order. */
  Map<String, String> planFacts(Mode mode, Mesh mesh, Layout layout);

  /** The output a run writes as an array file ({@code y}, {@code logits}). */
  String mainOutput();

  /** The head of {@code switchc compile}'s summary, for the program in {@code mode} with its {@code plan}. */
  String summary(Mode mode, Plan plan);

  /** What a run of the program in {@code mode} (planned as {@code plan}) produced, for a person (text) and as JSON (stats). */
  RunReport report(Mode mode, Plan plan, Outputs outputs);
}
