package dev.switchc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Rule} of the verifier, broken on purpose by a function written as printed IR: each
 * case must fail with exactly its rule (the first one broken), and every rule must have a case.
 */
class VerifierRulesTest {
  private static final Map<Rule, String> CASES = new EnumMap<>(Rule.class);

  static {
    CASES.put(Rule.SSA_DEFINED_BEFORE_USE, """
        func @t(
        ) {
          %1 = exp %0 : f32[a=2]
          %0 = constant 1.0 : f32[a=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.SSA_DEFINED_ONCE, """
        func @t(
        ) {
          %0 = constant 1.0 : f32[]
          %0 = constant 2.0 : f32[]
          return "r" = %0
        }
        """);
    CASES.put(Rule.FUNC_RESULT_NAMES_UNIQUE, """
        func @t(
        ) {
          %0 = constant 1.0 : f32[]
          return "r" = %0, "r" = %0
        }
        """);
    CASES.put(Rule.FUNC_PARAM_NAMES_UNIQUE, """
        func @t(
            %0 "x": f32[]
            %1 "x": f32[]
        ) {
          %2 = add %0, %1 : f32[]
          return "r" = %2
        }
        """);
    CASES.put(Rule.CONSTANT_PRED_IS_0_OR_1, """
        func @t(
        ) {
          %0 = constant 2 : pred[]
          return "r" = %0
        }
        """);
    CASES.put(Rule.IOTA_DIM_IN_RESULT, """
        func @t(
        ) {
          %0 = iota[b] : i32[a=4]
          return "r" = %0
        }
        """);
    CASES.put(Rule.IOTA_RESULT_NOT_PRED, """
        func @t(
        ) {
          %0 = iota[a] : pred[a=4]
          return "r" = %0
        }
        """);
    CASES.put(Rule.UNARY_TYPE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4]
        ) {
          %1 = exp %0 : f32[a=5]
          return "r" = %1
        }
        """);
    CASES.put(Rule.UNARY_FLOAT_OPERAND, """
        func @t(
            %0 "x": i32[a=4]
        ) {
          %1 = exp %0 : i32[a=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.BINARY_BITWISE_ON_INTEGERS, """
        func @t(
            %0 "x": f32[a=4]
            %1 "y": f32[a=4]
        ) {
          %2 = xor %0, %1 : f32[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.BINARY_RESULT_DTYPE, """
        func @t(
            %0 "x": f32[a=4]
            %1 "y": f32[a=4]
        ) {
          %2 = add %0, %1 : i32[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.BINARY_OPERAND_DTYPES_MATCH, """
        func @t(
            %0 "x": f32[a=4]
            %1 "y": i32[a=4]
        ) {
          %2 = add %0, %1 : f32[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.BINARY_OPERAND_DIMS_IN_RESULT, """
        func @t(
            %0 "x": f32[a=4, b=2]
            %1 "y": f32[a=4]
        ) {
          %2 = add %0, %1 : f32[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.BINARY_RESULT_DIMS_FROM_OPERANDS, """
        func @t(
            %0 "x": f32[a=4]
            %1 "y": f32[a=4]
        ) {
          %2 = add %0, %1 : f32[a=4, c=3]
          return "r" = %2
        }
        """);
    CASES.put(Rule.COMPARE_RESULT_PRED, """
        func @t(
            %0 "x": f32[a=4]
            %1 "y": f32[a=4]
        ) {
          %2 = lt %0, %1 : f32[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.COMPARE_OPERAND_DTYPES_MATCH, """
        func @t(
            %0 "x": f32[a=4]
            %1 "y": i32[a=4]
        ) {
          %2 = lt %0, %1 : pred[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.COMPARE_OPERAND_DIMS_IN_RESULT, """
        func @t(
            %0 "x": f32[a=4, b=2]
            %1 "y": f32[a=4]
        ) {
          %2 = lt %0, %1 : pred[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.COMPARE_RESULT_DIMS_FROM_OPERANDS, """
        func @t(
            %0 "x": f32[a=4]
            %1 "y": f32[a=4]
        ) {
          %2 = lt %0, %1 : pred[a=4, c=3]
          return "r" = %2
        }
        """);
    CASES.put(Rule.SELECT_PREDICATE_PRED, """
        func @t(
            %0 "p": f32[a=4]
            %1 "t": f32[a=4]
            %2 "f": f32[a=4]
        ) {
          %3 = select %0, %1, %2 : f32[a=4]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SELECT_BRANCH_DTYPES_MATCH, """
        func @t(
            %0 "p": pred[a=4]
            %1 "t": f32[a=4]
            %2 "f": i32[a=4]
        ) {
          %3 = select %0, %1, %2 : f32[a=4]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SELECT_RESULT_DTYPE, """
        func @t(
            %0 "p": pred[a=4]
            %1 "t": f32[a=4]
            %2 "f": f32[a=4]
        ) {
          %3 = select %0, %1, %2 : i32[a=4]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SELECT_OPERAND_DIMS_IN_RESULT, """
        func @t(
            %0 "p": pred[a=4, b=2]
            %1 "t": f32[a=4]
            %2 "f": f32[a=4]
        ) {
          %3 = select %0, %1, %2 : f32[a=4]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SELECT_RESULT_DIMS_FROM_OPERANDS, """
        func @t(
            %0 "p": pred[a=4]
            %1 "t": f32[a=4]
            %2 "f": f32[a=4]
        ) {
          %3 = select %0, %1, %2 : f32[a=4, c=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.CAST_SHAPE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4]
        ) {
          %1 = cast %0 : bf16[a=5]
          return "r" = %1
        }
        """);
    CASES.put(Rule.EINSUM_OPERAND_DTYPES_MATCH, """
        func @t(
            %0 "x": f32[a=4, k=3]
            %1 "y": bf16[k=3, b=2]
        ) {
          %2 = einsum %0, %1 : f32[a=4, b=2]
          return "r" = %2
        }
        """);
    CASES.put(Rule.EINSUM_RESULT_DTYPE, """
        func @t(
            %0 "x": f32[a=4, k=3]
            %1 "y": f32[k=3, b=2]
        ) {
          %2 = einsum %0, %1 : i32[a=4, b=2]
          return "r" = %2
        }
        """);
    CASES.put(Rule.EINSUM_SHARED_DIM_SIZES_MATCH, """
        func @t(
            %0 "x": f32[a=4, k=3]
            %1 "y": f32[k=5, b=2]
        ) {
          %2 = einsum %0, %1 : f32[a=4, b=2]
          return "r" = %2
        }
        """);
    CASES.put(Rule.EINSUM_FREE_DIMS_IN_RESULT, """
        func @t(
            %0 "x": f32[a=4, k=3]
            %1 "y": f32[k=3, b=2]
        ) {
          %2 = einsum %0, %1 : f32[a=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.EINSUM_RESULT_DIMS_FROM_OPERANDS, """
        func @t(
            %0 "x": f32[a=4, k=3]
            %1 "y": f32[k=3, b=2]
        ) {
          %2 = einsum %0, %1 : f32[a=4, b=2, c=7]
          return "r" = %2
        }
        """);
    CASES.put(Rule.REDUCE_DTYPE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = reduce_sum[b] %0 : i32[a=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.REDUCE_RESULT_DIMS_SUBSET, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = reduce_sum[b] %0 : f32[a=5]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ARG_MAX_RESULT_I32, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = arg_max[b] %0 : f32[a=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ARG_MAX_DIM_IN_OPERAND, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = arg_max[c] %0 : i32[a=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ARG_MAX_RESULT_DIMS, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = arg_max[b] %0 : i32[a=5]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ONE_HOT_INDEX_I32, """
        func @t(
            %0 "x": f32[a=4]
        ) {
          %1 = one_hot[e] %0 : f32[a=4, e=3]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ONE_HOT_DIM_NEW, """
        func @t(
            %0 "i": i32[a=4]
        ) {
          %1 = one_hot[a] %0 : f32[a=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ONE_HOT_RESULT_DIMS, """
        func @t(
            %0 "i": i32[a=4]
        ) {
          %1 = one_hot[e] %0 : f32[a=5, e=3]
          return "r" = %1
        }
        """);
    CASES.put(Rule.CUMSUM_TYPE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4]
        ) {
          %1 = cumsum[a] %0 : f32[a=5]
          return "r" = %1
        }
        """);
    CASES.put(Rule.CUMSUM_DIM_IN_OPERAND, """
        func @t(
            %0 "x": f32[a=4]
        ) {
          %1 = cumsum[b] %0 : f32[a=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.RESHAPE_DTYPE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = reshape %0 : i32[c=8]
          return "r" = %1
        }
        """);
    CASES.put(Rule.RESHAPE_SIZE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = reshape %0 : f32[c=9]
          return "r" = %1
        }
        """);
    CASES.put(Rule.RELABEL_RANK_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = relabel %0 : f32[c=8]
          return "r" = %1
        }
        """);
    CASES.put(Rule.RELABEL_SIZES_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = relabel %0 : f32[c=2, d=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.RELABEL_DTYPE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = relabel %0 : i32[c=4, d=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.GATHER_HAS_INDEXED_DIMS, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
        ) {
          %2 = gather[] %0 : f32[t=4, d=3]
          return "r" = %2
        }
        """);
    CASES.put(Rule.GATHER_INDEXED_DIM_IN_OPERAND, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
        ) {
          %2 = gather[w=%1] %0 : f32[t=4, d=3]
          return "r" = %2
        }
        """);
    CASES.put(Rule.GATHER_INDEX_I32, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": f32[t=4]
        ) {
          %2 = gather[v=%1] %0 : f32[t=4, d=3]
          return "r" = %2
        }
        """);
    CASES.put(Rule.GATHER_INDEX_SHAPES_MATCH, """
        func @t(
            %0 "table": f32[v=10, u=5, d=3]
            %1 "index": i32[t=4]
            %2 "index2": i32[t=5]
        ) {
          %3 = gather[v=%1, u=%2] %0 : f32[t=4, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.GATHER_INDEXED_DIM_NOT_IN_INDEX, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[v=10]
        ) {
          %2 = gather[v=%1] %0 : f32[v=10, d=3]
          return "r" = %2
        }
        """);
    CASES.put(Rule.GATHER_BATCH_DIM_SIZES_MATCH, """
        func @t(
            %0 "table": f32[b=2, v=10, d=3]
            %1 "index": i32[b=3, t=4]
        ) {
          %2 = gather[v=%1] %0 : f32[b=3, t=4, d=3]
          return "r" = %2
        }
        """);
    CASES.put(Rule.GATHER_RESULT_DIMS, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
        ) {
          %2 = gather[v=%1] %0 : f32[t=4]
          return "r" = %2
        }
        """);
    CASES.put(Rule.SCATTER_ADD_RESULT_TYPE, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
            %2 "updates": f32[t=4, d=3]
        ) {
          %3 = scatter_add[v=%1] %0, %2 : f32[v=11, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SCATTER_ADD_UPDATES_DTYPE, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
            %2 "updates": i32[t=4, d=3]
        ) {
          %3 = scatter_add[v=%1] %0, %2 : f32[v=10, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SCATTER_ADD_HAS_INDEXED_DIMS, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
            %2 "updates": f32[t=4, d=3]
        ) {
          %3 = scatter_add[] %0, %2 : f32[v=10, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SCATTER_ADD_INDEXED_DIM_IN_OPERAND, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
            %2 "updates": f32[t=4, d=3]
        ) {
          %3 = scatter_add[w=%1] %0, %2 : f32[v=10, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SCATTER_ADD_INDEX_I32, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": f32[t=4]
            %2 "updates": f32[t=4, d=3]
        ) {
          %3 = scatter_add[v=%1] %0, %2 : f32[v=10, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SCATTER_ADD_INDEX_SHAPES_MATCH, """
        func @t(
            %0 "table": f32[v=10, u=5, d=3]
            %1 "index": i32[t=4]
            %2 "updates": f32[t=4, d=3]
            %3 "index2": i32[t=5]
        ) {
          %4 = scatter_add[v=%1, u=%3] %0, %2 : f32[v=10, u=5, d=3]
          return "r" = %4
        }
        """);
    CASES.put(Rule.SCATTER_ADD_INDEXED_DIM_NOT_IN_INDEX, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[v=10]
            %2 "updates": f32[v=10, d=3]
        ) {
          %3 = scatter_add[v=%1] %0, %2 : f32[v=10, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SCATTER_ADD_BATCH_DIM_SIZES_MATCH, """
        func @t(
            %0 "table": f32[b=2, v=10, d=3]
            %1 "index": i32[b=3, t=4]
            %2 "updates": f32[b=3, t=4, d=3]
        ) {
          %3 = scatter_add[v=%1] %0, %2 : f32[b=2, v=10, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.SCATTER_ADD_UPDATES_DIMS, """
        func @t(
            %0 "table": f32[v=10, d=3]
            %1 "index": i32[t=4]
            %2 "updates": f32[t=4]
        ) {
          %3 = scatter_add[v=%1] %0, %2 : f32[v=10, d=3]
          return "r" = %3
        }
        """);
    CASES.put(Rule.ALL_REDUCE_HAS_AXES, """
        func @t(
            %0 "x": f32[a=4]
        ) {
          %1 = all_reduce.sum[] %0 : f32[a=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_REDUCE_TYPE_PRESERVED, """
        func @t(
            %0 "x": f32[a=4]
        ) {
          %1 = all_reduce.sum[data] %0 : f32[a=5]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_GATHER_DIM_IN_OPERAND, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = all_gather[c over data] %0 : f32[a=8, b=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_GATHER_DIMS_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = all_gather[a over data] %0 : f32[a=8, c=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_GATHER_OTHER_SIZES_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = all_gather[a over data] %0 : f32[a=8, b=3]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_GATHER_GROWS_BY_A_FACTOR, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = all_gather[a over data] %0 : f32[a=6, b=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.LOCAL_SLICE_DIM_IN_OPERAND, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = local_slice[c over data] %0 : f32[a=2, b=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.LOCAL_SLICE_DIMS_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = local_slice[a over data] %0 : f32[a=2, c=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.LOCAL_SLICE_OTHER_SIZES_PRESERVED, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = local_slice[a over data] %0 : f32[a=2, b=3]
          return "r" = %1
        }
        """);
    CASES.put(Rule.LOCAL_SLICE_SHRINKS_BY_A_FACTOR, """
        func @t(
            %0 "x": f32[a=4, b=2]
        ) {
          %1 = local_slice[a over data] %0 : f32[a=3, b=2]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_TO_ALL_SPLIT_AND_CONCAT_DIMS, """
        func @t(
            %0 "x": f32[e=8, g=1, d=4]
        ) {
          %1 = all_to_all[split e, concat e over expert] %0 : f32[e=8, g=1, d=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_TO_ALL_RANK_AND_DTYPE_PRESERVED, """
        func @t(
            %0 "x": f32[e=8, g=1, d=4]
        ) {
          %1 = all_to_all[split e, concat g over expert] %0 : i32[e=2, g=4, d=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_TO_ALL_SAME_FACTOR, """
        func @t(
            %0 "x": f32[e=8, g=1, d=4]
        ) {
          %1 = all_to_all[split e, concat g over expert] %0 : f32[e=2, g=2, d=4]
          return "r" = %1
        }
        """);
    CASES.put(Rule.ALL_TO_ALL_OTHER_SIZES_PRESERVED, """
        func @t(
            %0 "x": f32[e=8, g=1, d=4]
        ) {
          %1 = all_to_all[split e, concat g over expert] %0 : f32[e=2, g=4, d=5]
          return "r" = %1
        }
        """);
    CASES.put(Rule.DEVICE_COORDINATE_HAS_AXES, """
        func @t(
        ) {
          %0 = device_coordinate[] : i32[]
          return "r" = %0
        }
        """);
    CASES.put(Rule.DEVICE_COORDINATE_I32_SCALAR, """
        func @t(
        ) {
          %0 = device_coordinate[data] : f32[]
          return "r" = %0
        }
        """);
  }

  /** The one rule a printed function cannot break: a result naming a value that nothing defines. */
  private static Func resultNeverDefined() {
    Func f = IrParser.parse("rules", """
        func @t(
        ) {
          %0 = constant 1.0 : f32[]
          return "r" = %0
        }
        """);
    return new Func(f.name(), f.params(), f.body(), List.of(new Binding("r", new Value(7, f.body().get(0).out().type()))));
  }

  private static Func broken(Rule rule) {
    return rule == Rule.SSA_RESULT_DEFINED ? resultNeverDefined() : IrParser.parse(rule.id(), CASES.get(rule));
  }

  static Stream<Rule> rules() {
    return Stream.of(Rule.values());
  }

  @Test
  void everyRuleHasAFailingCase() {
    List<Rule> missing = new ArrayList<>();
    for (Rule r : Rule.values()) if (r != Rule.SSA_RESULT_DEFINED && !CASES.containsKey(r)) missing.add(r);
    assertEquals(List.of(), missing);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void caseBreaksExactlyItsRule(Rule rule) {
    Func f = broken(rule);
    Optional<Verifier.Finding> found = Verifier.firstViolation(f);
    assertTrue(found.isPresent(), rule + " (" + rule.id() + "): the case passed the verifier");
    assertEquals(rule, found.get().violation().rule(), () -> rule.id() + ": broke " + found.get().violation() + " instead");
    Verifier.IrVerificationError e = assertThrows(Verifier.IrVerificationError.class, () -> Verifier.verify(f));
    assertTrue(e.getMessage().startsWith("IR verification failed: " + rule.id() + ": "), e.getMessage());
    assertEquals(rule, e.violation().rule());
  }

  @Test
  void ruleIdsAreUniqueAndNameTheOpKindTheIrPrints() {
    assertEquals(Rule.values().length, Stream.of(Rule.values()).map(Rule::id).distinct().count());
    List<String> kinds = List.of("ssa", "func", "constant", "iota", "unary", "binary", "compare", "select", "cast", "einsum", "reduce", "arg_max",
        "one_hot", "cumsum", "reshape", "relabel", "gather", "scatter_add", "all_reduce", "all_gather", "all_to_all", "device_coordinate",
        "local_slice");
    for (Rule r : Rule.values()) {
      String kind = r.id().substring(0, r.id().lastIndexOf("_c"));
      assertTrue(kinds.contains(kind), r.id());
      assertFalse(r.checks().isEmpty(), r.id());
    }
  }
}
