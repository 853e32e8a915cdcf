package dev.switchc.frontend.spec;

import static dev.switchc.frontend.spec.SpecAssertions.assertErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Malformed spec files, one per rule they break, with the exact lines the user sees. */
class SpecFileErrorsTest {
  private static final String KNOWN_FIELDS = "known fields: batch, seq, d_model, d_ff, experts, group_size, capacity_factor,"
      + " train_capacity_factor, eval_capacity_factor, min_capacity, activation, activation_dtype, router_dtype, router_aux_loss_coef,"
      + " init_scale, dispatch";

  @Test
  void syntaxErrorMissingEquals() {
    assertErrors("""
        switch_layer {
          batch 8
          seq = 64
        }
        """,
        "bad.swc:2:9: error: expected '=' after field name 'batch', found '8'; write 'batch = <value>' (a positive integer)");
  }

  @Test
  void syntaxErrorMissingValueBeforeNextLine() {
    assertErrors("""
        switch_layer {
          batch =
          seq = 64
        }
        """,
        "bad.swc:2:9: error: expected a value after 'batch =', found the next field 'seq'; write 'batch = <value>' (a positive integer)");
  }

  @Test
  void syntaxErrorMissingValueAtBlockEnd() {
    assertErrors("""
        switch_layer {
          d_model =
        }
        """,
        "bad.swc:3:1: error: expected a value after 'd_model =', found '}'; write 'd_model = <value>' (a positive integer)");
  }

  @Test
  void unterminatedBlock() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
        """,
        "bad.swc:4:1: error: block 'switch_layer' opened at 1:1 is not closed; add '}' after its last field");
  }

  @Test
  void unterminatedBlockBeforeNextBlock() {
    assertErrors("""
        switch_layer {
          batch = 8
        mesh { data = 2 }
        """,
        "bad.swc:3:6: error: expected '=' after field name 'mesh', found '{'; is the '}' of block 'switch_layer' (opened at 1:1) missing?");
  }

  @Test
  void unterminatedString() {
    assertErrors("""
        switch_layer {
          activation = "gelu
        }
        """,
        "bad.swc:2:16: error: unterminated string \"gelu; close it with '\"' on the same line");
  }

  @Test
  void unexpectedCharacter() {
    assertErrors("""
        switch_layer {
          batch = 8 @
        }
        """,
        "bad.swc:2:13: error: unexpected character '@'; expected a name or '}'");
  }

  @Test
  void missingOpeningBrace() {
    assertErrors("""
        switch_layer
          batch = 8
        }
        """,
        "bad.swc:2:3: error: expected '{' after block name 'switch_layer', found 'batch'; write 'switch_layer { <fields> }'");
  }

  @Test
  void unmatchedClosingBrace() {
    assertErrors("""
        switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }
        }
        """,
        "bad.swc:2:1: error: unmatched '}': no block is open here; remove it");
  }

  @Test
  void unknownFieldWithSuggestion() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          group_sise = 64
        }
        """,
        "bad.swc:7:3: error: group_sise = 64: unknown field 'group_sise' in switch_layer; did you mean 'group_size'? " + KNOWN_FIELDS);
  }

  @Test
  void unknownFieldWithoutSuggestion() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          dropout = 0.1
        }
        """,
        "bad.swc:7:3: error: dropout = 0.1: unknown field 'dropout' in switch_layer; " + KNOWN_FIELDS);
  }

  @Test
  void unknownFieldTransposedLetters() {
    assertErrors("""
        switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 dispacth = einsum }
        """,
        "bad.swc:1:72: error: dispacth = einsum: unknown field 'dispacth' in switch_layer; did you mean 'dispatch'? " + KNOWN_FIELDS);
  }

  @Test
  void duplicateField() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          batch = 16
          d_model = 128
          d_ff = 512
          experts = 8
        }
        """,
        "bad.swc:4:3: error: batch = 16: duplicate field 'batch', first set at 2:3 (batch = 8); remove one of them");
  }

  @Test
  void negativeSize() {
    assertErrors("""
        switch_layer {
          batch = -4
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
        }
        """,
        "bad.swc:2:11: error: batch = -4: must be at least 1; expected a positive integer");
  }

  @Test
  void zeroExperts() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 0
        }
        """,
        "bad.swc:6:13: error: experts = 0: must be at least 1; expected a positive integer");
  }

  @Test
  void nonIntegerWhereIntegerNeeded() {
    assertErrors("""
        switch_layer {
          batch = 1.5
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
        }
        """,
        "bad.swc:2:11: error: batch = 1.5: '1.5' is not an integer; expected a positive integer");
  }

  @Test
  void malformedNumber() {
    assertErrors("""
        switch_layer {
          batch = 8x
          seq = 64
          d_model = 1.2.3
          d_ff = 512
          experts = 8
        }
        """,
        "bad.swc:2:11: error: batch = 8x: '8x' is not a number; expected a positive integer",
        "bad.swc:4:13: error: d_model = 1.2.3: '1.2.3' is not a number; expected a positive integer");
  }

  @Test
  void capacityFactorZero() {
    // The validator names the train factor, which capacity_factor sets (see the report on LayerValidator).
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          capacity_factor = 0
        }
        """,
        "bad.swc:7:21: error: capacity_factor = 0: must be > 0; expected a decimal number such as 1.25");
  }

  @Test
  void capacityFactorNegative() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          capacity_factor = -1
        }
        """,
        "bad.swc:7:21: error: capacity_factor = -1: must be > 0; expected a decimal number such as 1.25");
  }

  @Test
  void capacityFactorOutOfRangeExponent() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          capacity_factor = 1e99999999999
        }
        """,
        "bad.swc:7:21: error: capacity_factor = 1e99999999999: '1e99999999999' is out of range; expected a decimal number such as 1.25");
  }

  @Test
  void evalCapacityFactorZeroWithCapacityFactorUnset() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          eval_capacity_factor = 0
        }
        """,
        "bad.swc:7:26: error: eval_capacity_factor = 0: must be > 0; expected a decimal number such as 1.25");
  }

  @Test
  void conflictCapacityFactorAndTrainCapacityFactor() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          capacity_factor = 1.25
          train_capacity_factor = 1.5
        }
        """,
        "bad.swc:8:3: error: train_capacity_factor = 1.5: conflicts with 'capacity_factor = 1.25' at 7:3; capacity_factor sets"
            + " both train_capacity_factor and eval_capacity_factor, so write either capacity_factor or"
            + " train_capacity_factor/eval_capacity_factor, not both");
  }

  @Test
  void conflictEvalCapacityFactorThenCapacityFactor() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          eval_capacity_factor = 2
          capacity_factor = 1.25
        }
        """,
        "bad.swc:8:3: error: capacity_factor = 1.25: conflicts with 'eval_capacity_factor = 2' at 7:3; capacity_factor sets"
            + " both train_capacity_factor and eval_capacity_factor, so write either capacity_factor or"
            + " train_capacity_factor/eval_capacity_factor, not both");
  }

  @Test
  void groupSizeNotDividingBatchTimesSeq() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          group_size = 7
        }
        """,
        "bad.swc:7:16: error: group_size = 7 does not divide batch * seq = 8 * 64 = 512; every group must be full:"
            + " use a divisor of 512 such as 4");
  }

  @Test
  void missingRequiredField() {
    assertErrors("""
        # d_ff is missing
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          experts = 8
        }
        """,
        "bad.swc:2:1: error: switch_layer is missing the required field 'd_ff'; add 'd_ff = N' (a positive integer)");
  }

  @Test
  void unknownActivation() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          activation = swish
        }
        """,
        "bad.swc:7:16: error: activation = swish: 'swish' is not a valid value; expected one of relu, gelu, geglu");
  }

  @Test
  void unknownDtype() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          activation_dtype = fp16
        }
        """,
        "bad.swc:7:22: error: activation_dtype = fp16: 'fp16' is not a supported activation dtype; expected one of f32, bf16");
  }

  @Test
  void unknownRouterDtype() {
    assertErrors("""
        switch_layer {
          batch = 8
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          router_dtype = f16
        }
        """,
        "bad.swc:7:18: error: router_dtype = f16: 'f16' is not a supported router dtype; expected one of f32, bf16");
  }

  @Test
  void stringWhereNumberExpected() {
    assertErrors("""
        switch_layer {
          batch = "8"
          seq = 64
          d_model = 128
          d_ff = 512
          experts = 8
          dispatch = "fast"
        }
        """,
        "bad.swc:2:11: error: batch = \"8\": batch does not take a quoted string; expected a positive integer; remove the quotes",
        "bad.swc:7:14: error: dispatch = \"fast\": dispatch does not take a quoted string; expected one of gather, einsum");
  }

  @Test
  void unknownBlockName() {
    assertErrors("""
        switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }
        optimizer { learning_rate = 0.01 }
        """,
        "bad.swc:2:1: error: unknown block 'optimizer'; known blocks: switch_layer, model, mesh, layout");
  }

  @Test
  void misspelledBlockNameIsAlsoMissingBlock() {
    assertErrors("""
        switch_layr { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }
        """,
        "bad.swc:1:1: error: unknown block 'switch_layr'; did you mean 'switch_layer'? known blocks: switch_layer, model, mesh, layout",
        "bad.swc:1:1: error: the spec file has no switch_layer block; add one, e.g. 'switch_layer { batch = 8 seq = 64"
            + " d_model = 128 d_ff = 512 experts = 8 }', or a model block (see examples/presets)");
  }

  @Test
  void twoSwitchLayerBlocks() {
    assertErrors("""
        switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }

        switch_layer { batch = 16 }
        """,
        "bad.swc:3:1: error: second switch_layer block; the first is at 1:1 and a spec file has one; merge the two blocks");
  }

  @Test
  void emptyFile() {
    String message = "bad.swc:1:1: error: the spec file is empty; write a switch_layer block,"
        + " e.g. 'switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }'";
    assertErrors("", message);
    assertErrors("""
        # nothing but comments
        // and blank lines

        """, message);
  }

  @Test
  void severalErrorsAtOnceAreAllReportedInSourceOrder() {
    assertErrors("""
        switch_layer {
          batch = -8
          seq = 64
          d_modle = 128
          d_ff = 1.5
          experts = 0
          activation = tanh
          experts = 4
        }
        mesh { data = 0 }
        """,
        "bad.swc:1:1: error: switch_layer is missing the required field 'd_model'; add 'd_model = N' (a positive integer)",
        "bad.swc:2:11: error: batch = -8: must be at least 1; expected a positive integer",
        "bad.swc:4:3: error: d_modle = 128: unknown field 'd_modle' in switch_layer; did you mean 'd_model'? " + KNOWN_FIELDS,
        "bad.swc:5:10: error: d_ff = 1.5: '1.5' is not an integer; expected a positive integer",
        "bad.swc:6:13: error: experts = 0: must be at least 1; expected a positive integer",
        "bad.swc:7:16: error: activation = tanh: 'tanh' is not a valid value; expected one of relu, gelu, geglu",
        "bad.swc:8:3: error: experts = 4: duplicate field 'experts', first set at 6:3 (experts = 0); remove one of them",
        "bad.swc:10:15: error: data = 0: must be at least 1; expected a positive integer, the number of devices along 'data'");
  }

  @Test
  void nothingIsPrintedToStderr() {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertErrors("switch_layer { batch 8 @ \"x }", "bad.swc:1:22: error: expected '=' after field name 'batch', found '8';"
          + " write 'batch = <value>' (a positive integer)", "bad.swc:1:24: error: unexpected character '@'; expected a name or '}'");
    } finally {
      System.setErr(saved);
    }
    assertEquals("", captured.toString(StandardCharsets.UTF_8));
  }
}
