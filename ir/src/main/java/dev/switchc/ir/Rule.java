package dev.switchc.ir;

/**
 * Every rule the {@link Verifier} checks, named after what it checks. {@link #id()} follows the
 * StableHLO spec's style: the op kind in snake_case (the record's name: {@code arg_max},
 * {@code scatter_add}; elementwise ops by their kind, {@code binary}, {@code compare}) and a
 * constraint number. Each rule has a failing case of its own in {@code VerifierRulesTest}.
 */
public enum Rule {
  SSA_DEFINED_BEFORE_USE("ssa_c1", "every operand is defined before the op that uses it"),
  SSA_RESULT_DEFINED("ssa_c2", "every result is a value the function defines"),
  SSA_DEFINED_ONCE("ssa_c3", "each value is defined once"),
  FUNC_RESULT_NAMES_UNIQUE("func_c1", "no two results share a name"),
  FUNC_PARAM_NAMES_UNIQUE("func_c2", "no two parameters share a name"),

  CONSTANT_PRED_IS_0_OR_1("constant_c1", "a pred constant is 0 or 1"),
  IOTA_DIM_IN_RESULT("iota_c1", "the counted dim is a dim of the result"),
  IOTA_RESULT_NOT_PRED("iota_c2", "the result is a number type, not pred"),
  UNARY_TYPE_PRESERVED("unary_c1", "the result has the operand's type"),
  UNARY_FLOAT_OPERAND("unary_c2", "functions other than neg and abs take a float operand"),

  BINARY_RESULT_DTYPE("binary_c1", "the result has the operands' dtype"),
  BINARY_OPERAND_DTYPES_MATCH("binary_c2", "both operands have one dtype"),
  BINARY_OPERAND_DIMS_IN_RESULT("binary_c3", "every operand dim is a result dim (operands broadcast by name)"),
  BINARY_RESULT_DIMS_FROM_OPERANDS("binary_c4", "every result dim comes from an operand"),
  BINARY_BITWISE_ON_INTEGERS("binary_c5", "xor and shr take integer operands"),

  COMPARE_RESULT_PRED("compare_c1", "the result is pred"),
  COMPARE_OPERAND_DTYPES_MATCH("compare_c2", "both operands have one dtype"),
  COMPARE_OPERAND_DIMS_IN_RESULT("compare_c3", "every operand dim is a result dim"),
  COMPARE_RESULT_DIMS_FROM_OPERANDS("compare_c4", "every result dim comes from an operand"),

  SELECT_PREDICATE_PRED("select_c1", "the predicate is pred"),
  SELECT_BRANCH_DTYPES_MATCH("select_c2", "both branches have one dtype"),
  SELECT_RESULT_DTYPE("select_c3", "the result has the branches' dtype"),
  SELECT_OPERAND_DIMS_IN_RESULT("select_c4", "every operand dim is a result dim"),
  SELECT_RESULT_DIMS_FROM_OPERANDS("select_c5", "every result dim comes from an operand"),

  CAST_SHAPE_PRESERVED("cast_c1", "only the dtype changes"),

  EINSUM_OPERAND_DTYPES_MATCH("einsum_c1", "both operands have one dtype"),
  EINSUM_RESULT_DTYPE("einsum_c2", "the result has the operands' dtype, or f32 from bf16"),
  EINSUM_SHARED_DIM_SIZES_MATCH("einsum_c3", "a dim named in both operands has one size"),
  EINSUM_FREE_DIMS_IN_RESULT("einsum_c4", "a dim of one operand only is a result dim"),
  EINSUM_RESULT_DIMS_FROM_OPERANDS("einsum_c5", "every result dim comes from an operand"),

  REDUCE_DTYPE_PRESERVED("reduce_c1", "the result has the operand's dtype"),
  REDUCE_RESULT_DIMS_SUBSET("reduce_c2", "the result's dims are some of the operand's"),

  ARG_MAX_RESULT_I32("arg_max_c1", "the result is i32"),
  ARG_MAX_DIM_IN_OPERAND("arg_max_c2", "the searched dim is a dim of the operand"),
  ARG_MAX_RESULT_DIMS("arg_max_c3", "the result is the operand without the searched dim"),

  ONE_HOT_INDEX_I32("one_hot_c1", "the index is i32"),
  ONE_HOT_DIM_NEW("one_hot_c2", "the one-hot dim is in the result and not in the index"),
  ONE_HOT_RESULT_DIMS("one_hot_c3", "the result is the index's dims plus the one-hot dim"),

  CUMSUM_TYPE_PRESERVED("cumsum_c1", "the result has the operand's type"),
  CUMSUM_DIM_IN_OPERAND("cumsum_c2", "the summed dim is a dim of the operand"),

  RESHAPE_DTYPE_PRESERVED("reshape_c1", "the result has the operand's dtype"),
  RESHAPE_SIZE_PRESERVED("reshape_c2", "the result has the operand's number of elements"),

  RELABEL_RANK_PRESERVED("relabel_c1", "the result has the operand's rank"),
  RELABEL_SIZES_PRESERVED("relabel_c2", "each position keeps its size"),
  RELABEL_DTYPE_PRESERVED("relabel_c3", "the result has the operand's dtype"),

  GATHER_HAS_INDEXED_DIMS("gather_c1", "at least one dim is indexed"),
  GATHER_INDEXED_DIM_IN_OPERAND("gather_c2", "every indexed dim is a dim of the operand"),
  GATHER_INDEX_I32("gather_c3", "every index is i32"),
  GATHER_INDEX_SHAPES_MATCH("gather_c4", "all indices have one shape"),
  GATHER_INDEXED_DIM_NOT_IN_INDEX("gather_c5", "an indexed dim does not name an index dim"),
  GATHER_BATCH_DIM_SIZES_MATCH("gather_c6", "a dim named in the operand and the index has one size"),
  GATHER_RESULT_DIMS("gather_c7", "the result is the index dims then the operand's other dims"),

  SCATTER_ADD_RESULT_TYPE("scatter_add_c1", "the result has the operand's type"),
  SCATTER_ADD_UPDATES_DTYPE("scatter_add_c2", "the updates have the operand's dtype"),
  SCATTER_ADD_HAS_INDEXED_DIMS("scatter_add_c3", "at least one dim is indexed"),
  SCATTER_ADD_INDEXED_DIM_IN_OPERAND("scatter_add_c4", "every indexed dim is a dim of the operand"),
  SCATTER_ADD_INDEX_I32("scatter_add_c5", "every index is i32"),
  SCATTER_ADD_INDEX_SHAPES_MATCH("scatter_add_c6", "all indices have one shape"),
  SCATTER_ADD_INDEXED_DIM_NOT_IN_INDEX("scatter_add_c7", "an indexed dim does not name an index dim"),
  SCATTER_ADD_BATCH_DIM_SIZES_MATCH("scatter_add_c8", "a dim named in the operand and the index has one size"),
  SCATTER_ADD_UPDATES_DIMS("scatter_add_c9", "the updates are the index dims then the operand's other dims"),

  ALL_REDUCE_HAS_AXES("all_reduce_c1", "it combines over at least one mesh axis"),
  ALL_REDUCE_TYPE_PRESERVED("all_reduce_c2", "the result has the operand's type"),

  ALL_GATHER_DIM_IN_OPERAND("all_gather_c1", "the gathered dim is a dim of the operand"),
  ALL_GATHER_DIMS_PRESERVED("all_gather_c2", "the result has the operand's dtype and dim names"),
  ALL_GATHER_OTHER_SIZES_PRESERVED("all_gather_c3", "dims other than the gathered one keep their size"),
  ALL_GATHER_GROWS_BY_A_FACTOR("all_gather_c4", "the gathered dim grows by a whole factor"),

  ALL_TO_ALL_SPLIT_AND_CONCAT_DIMS("all_to_all_c1", "split and concat are two distinct dims of the operand"),
  ALL_TO_ALL_RANK_AND_DTYPE_PRESERVED("all_to_all_c2", "the result has the operand's rank and dtype"),
  ALL_TO_ALL_SAME_FACTOR("all_to_all_c3", "the split dim shrinks and the concat dim grows by one factor of at least 2"),
  ALL_TO_ALL_OTHER_SIZES_PRESERVED("all_to_all_c4", "every other position keeps its size"),

  DEVICE_COORDINATE_HAS_AXES("device_coordinate_c1", "it names at least one mesh axis"),
  DEVICE_COORDINATE_I32_SCALAR("device_coordinate_c2", "the result is an i32 scalar"),

  LOCAL_SLICE_DIM_IN_OPERAND("local_slice_c1", "the sliced dim is a dim of the operand"),
  LOCAL_SLICE_DIMS_PRESERVED("local_slice_c2", "the result has the operand's dtype and dim names"),
  LOCAL_SLICE_OTHER_SIZES_PRESERVED("local_slice_c3", "dims other than the sliced one keep their size"),
  LOCAL_SLICE_SHRINKS_BY_A_FACTOR("local_slice_c4", "the sliced dim shrinks by a whole factor");

  private final String id;
  private final String checks;

  Rule(String id, String checks) {
    this.id = id;
    this.checks = checks;
  }

  /** The name messages and tests use, e.g. {@code einsum_c3}. */
  public String id() {
    return id;
  }

  /** What the rule requires, in words. */
  public String checks() {
    return checks;
  }

  /** A violation of this rule, with what exactly is wrong. */
  Violation violated(String detail) {
    return new Violation(this, detail);
  }
}
