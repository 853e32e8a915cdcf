package dev.switchc.frontend.spec;

import static dev.switchc.frontend.spec.SpecAssertions.assertErrors;

import org.junit.jupiter.api.Test;

/** Malformed mesh and layout blocks, one test per rule they break, with the exact lines the user sees. */
class MeshLayoutErrorsTest {
  /** A valid layer on line 1, so that the line numbers below count from the mesh and layout blocks. */
  private static final String LAYER = "switch_layer { batch = 8 seq = 64 d_model = 128 d_ff = 512 experts = 8 }\n";
  private static final String DIMENSIONS = "the layer's dimensions: batch, seq, d_model, d_ff, experts, group, token,"
      + " expert_capacity, experts_unsplit, group_unsplit";

  private static final String SIZE = "expected a positive integer, the number of devices along ";

  @Test
  void meshDuplicateAxis() {
    assertErrors(LAYER + """
        mesh {
          data = 2
          expert = 4
          data = 8
        }
        """,
        "bad.swc:5:3: error: data = 8: duplicate mesh axis 'data', first declared at 3:3 (data = 2); remove one of them");
  }

  @Test
  void meshAxisSizeZero() {
    assertErrors(LAYER + "mesh { data = 0 }\n",
        "bad.swc:2:15: error: data = 0: must be at least 1; " + SIZE + "'data'");
  }

  @Test
  void meshAxisSizeNegative() {
    assertErrors(LAYER + "mesh { expert = -4 }\n",
        "bad.swc:2:17: error: expert = -4: must be at least 1; " + SIZE + "'expert'");
  }

  @Test
  void meshAxisSizeNotAnInteger() {
    assertErrors(LAYER + """
        mesh {
          data = 1.5
          expert = 4e0
          model = two
          extra = 2x
        }
        """,
        "bad.swc:3:10: error: data = 1.5: '1.5' is not an integer; " + SIZE + "'data'",
        "bad.swc:4:12: error: expert = 4e0: '4e0' is not written as a plain integer; " + SIZE + "'expert'",
        "bad.swc:5:11: error: model = two: 'two' is not a number; " + SIZE + "'model'",
        "bad.swc:6:11: error: extra = 2x: '2x' is not a number; " + SIZE + "'extra'");
  }

  @Test
  void meshAxisSizeQuotedOrTuple() {
    assertErrors(LAYER + """
        mesh {
          data = "2"
          expert = "four"
          model = (2)
        }
        """,
        "bad.swc:3:10: error: data = \"2\": mesh axis 'data' does not take a quoted string; " + SIZE + "'data'; remove the quotes",
        "bad.swc:4:12: error: expert = \"four\": mesh axis 'expert' does not take a quoted string; " + SIZE + "'expert'",
        "bad.swc:5:11: error: model = (2): a mesh axis size is one integer, not a tuple; " + SIZE + "'model'");
  }

  @Test
  void meshAxisSizeTooLarge() {
    assertErrors(LAYER + "mesh { data = 4294967296 expert = 99999999999999999999 }\n",
        "bad.swc:2:15: error: data = 4294967296: must be at most 2147483647; " + SIZE + "'data'",
        "bad.swc:2:35: error: expert = 99999999999999999999: '99999999999999999999' is too large; " + SIZE + "'expert'");
  }

  @Test
  void meshTooManyDevices() {
    assertErrors(LAYER + "mesh { data = 65536 expert = 65536 }\n",
        "bad.swc:2:1: error: the mesh data=65536,expert=65536 has more than 2147483647 devices; use fewer or smaller axes");
  }

  @Test
  void meshAxisNameNotSnakeCase() {
    assertErrors(LAYER + "mesh { Data = 2 _x = 2 }\nlayout { batch = Data }\n",
        "bad.swc:2:8: error: Data = 2: mesh axis name 'Data' must be lower snake_case (a lowercase letter, then lowercase"
            + " letters, digits or '_'); use a name such as 'data'",
        "bad.swc:2:17: error: _x = 2: mesh axis name '_x' must be lower snake_case (a lowercase letter, then lowercase"
            + " letters, digits or '_'); use a name such as 'data'");
  }

  @Test
  void meshAxisRejectedIsNotAlsoMissingFromTheMesh() {
    assertErrors(LAYER + "mesh { data = 0 }\nlayout { batch = data }\n",
        "bad.swc:2:15: error: data = 0: must be at least 1; " + SIZE + "'data'");
  }

  @Test
  void duplicateMeshBlock() {
    assertErrors(LAYER + """
        mesh { data = 2 }
        mesh { expert = 4 }
        """,
        "bad.swc:3:1: error: second mesh block; the first is at 2:1 and a spec file has one; merge the two blocks");
  }

  @Test
  void duplicateLayoutBlock() {
    assertErrors(LAYER + """
        mesh { data = 2 }
        layout { batch = data }

        layout { group = data }
        """,
        "bad.swc:5:1: error: second layout block; the first is at 3:1 and a spec file has one; merge the two blocks");
  }

  @Test
  void misspelledBlockName() {
    assertErrors(LAYER + "mesh { data = 2 }\nlayuot { batch = data }\n",
        "bad.swc:3:1: error: unknown block 'layuot'; did you mean 'layout'? known blocks: switch_layer, model, mesh, layout");
  }

  @Test
  void layoutAxisNotInMeshWithSuggestion() {
    assertErrors(LAYER + """
        mesh { data = 2 expert = 4 }
        layout {
          experts = expret
          batch = (data, exprt)
        }
        """,
        "bad.swc:4:13: error: experts = expret: the mesh has no axis 'expret'; did you mean 'expert'? mesh axes: data, expert"
            + " (mesh block at 2:1)",
        "bad.swc:5:18: error: batch = (data, exprt): the mesh has no axis 'exprt'; did you mean 'expert'? mesh axes: data,"
            + " expert (mesh block at 2:1)");
  }

  @Test
  void layoutAxisNotInMeshWithoutSuggestion() {
    assertErrors(LAYER + """
        mesh { data = 2 expert = 4 }
        layout { d_ff = model }
        """,
        "bad.swc:3:17: error: d_ff = model: the mesh has no axis 'model'; mesh axes: data, expert (mesh block at 2:1);"
            + " use one of them or add 'model = N' to the mesh block");
  }

  @Test
  void layoutWithoutMeshBlock() {
    // Every axis a rule names is missing; a rule that keeps its dimension whole is harmless.
    assertErrors(LAYER + """
        layout {
          batch = (data, expert)
          d_model = ()
          experts = expert
        }
        """,
        "bad.swc:3:12: error: batch = (data, expert): the mesh has no axis 'data'; there is no mesh block, so the layer runs"
            + " on one device; add one, e.g. 'mesh { data = N }', or remove the rule",
        "bad.swc:3:18: error: batch = (data, expert): the mesh has no axis 'expert'; there is no mesh block, so the layer runs"
            + " on one device; add one, e.g. 'mesh { expert = N }', or remove the rule",
        "bad.swc:5:13: error: experts = expert: the mesh has no axis 'expert'; there is no mesh block, so the layer runs"
            + " on one device; add one, e.g. 'mesh { expert = N }', or remove the rule");
  }

  @Test
  void layoutWithEmptyMeshBlock() {
    assertErrors(LAYER + "mesh { }\nlayout { experts = expert }\n",
        "bad.swc:3:20: error: experts = expert: the mesh has no axis 'expert'; the mesh block at 2:1 is empty, so the layer"
            + " runs on one device; add 'expert = N' to the mesh block, or remove the rule");
  }

  @Test
  void layoutSameAxisTwiceInOneTuple() {
    assertErrors(LAYER + """
        mesh { data = 2 expert = 4 }
        layout {
          batch = (data, expert, data)
          group = (expert, expert)
        }
        """,
        "bad.swc:4:26: error: batch = (data, expert, data): axis 'data' appears twice; a dimension is split over each mesh"
            + " axis at most once: write 'batch = (data, expert)'",
        "bad.swc:5:20: error: group = (expert, expert): axis 'expert' appears twice; a dimension is split over each mesh"
            + " axis at most once: write 'group = expert'");
  }

  @Test
  void layoutUnknownDimensionWithSuggestion() {
    assertErrors(LAYER + "mesh { expert = 4 }\nlayout { expert = expert }\n",
        "bad.swc:3:10: error: expert = expert: unknown dimension 'expert' in layout; did you mean 'experts'? " + DIMENSIONS);
  }

  @Test
  void layoutUnknownDimensionWithoutSuggestion() {
    // A dimension of a full model, not of this layer: reported as unknown, with the layer's names.
    assertErrors(LAYER + "mesh { model = 2 }\nlayout { heads = model }\n",
        "bad.swc:3:10: error: heads = model: unknown dimension 'heads' in layout; " + DIMENSIONS);
  }

  @Test
  void layoutDuplicateRule() {
    assertErrors(LAYER + """
        mesh { data = 2 expert = 4 }
        layout {
          batch = (data, expert)
          experts = expert
          batch = data
        }
        """,
        "bad.swc:6:3: error: batch = data: duplicate layout rule for 'batch', first at 4:3 (batch = (data, expert));"
            + " remove one of them");
  }

  @Test
  void layoutValueNotAnAxisName() {
    assertErrors(LAYER + """
        mesh { data = 2 }
        layout {
          batch = 2
          group = (data, 4)
          seq = "data"
        }
        """,
        "bad.swc:4:11: error: batch = 2: '2' is not a mesh axis name; expected an axis name, a tuple of them such as"
            + " (data, expert), or () to keep batch whole",
        "bad.swc:5:18: error: group = (data, 4): '4' is not a mesh axis name; expected an axis name, a tuple of them such as"
            + " (data, expert), or () to keep group whole",
        "bad.swc:6:9: error: seq = \"data\": \"data\" is a quoted string, not a mesh axis name; remove the quotes");
  }

  @Test
  void tupleInALayerField() {
    assertErrors("switch_layer { batch = (8) seq = 64 d_model = 128 d_ff = 512 experts = 8 }\n",
        "bad.swc:1:24: error: batch = (8): '(8)' is not a number; expected a positive integer");
  }

  @Test
  void syntaxTupleMissingComma() {
    assertErrors(LAYER + "mesh { data = 2 expert = 4 }\nlayout { batch = (data expert) }\n",
        "bad.swc:3:24: error: expected ',' or ')' in the tuple of 'batch' (opened at 3:18), found 'expert'; separate axes"
            + " with ',', e.g. 'batch = (data, expert)'");
  }

  @Test
  void syntaxTupleNotClosedBeforeTheNextField() {
    assertErrors(LAYER + """
        layout {
          batch = (data, expert
          group = data
        }
        """,
        "bad.swc:4:3: error: the tuple of 'batch' opened at 3:11 is not closed, found the next field 'group'; add ')' after"
            + " its last axis");
  }

  @Test
  void syntaxTupleNotClosedAfterATrailingComma() {
    assertErrors(LAYER + """
        layout {
          batch = (data,
          group = data
        }
        """,
        "bad.swc:4:3: error: the tuple of 'batch' opened at 3:11 is not closed, found the next field 'group'; add ')' after"
            + " its last axis");
  }

  @Test
  void syntaxTupleNotClosedAtBlockOrFileEnd() {
    assertErrors(LAYER + "layout { batch = (data, expert }\n",
        "bad.swc:2:32: error: the tuple of 'batch' opened at 2:18 is not closed, found '}'; add ')' after its last axis");
    assertErrors(LAYER + "layout { batch = (data",
        "bad.swc:2:23: error: the tuple of 'batch' opened at 2:18 is not closed, found end of file; add ')' after its last axis");
  }

  @Test
  void syntaxTupleTrailingComma() {
    assertErrors(LAYER + "layout { batch = (data, ) }\n",
        "bad.swc:2:25: error: expected an axis name in the tuple of 'batch' (opened at 2:18), found ')'; remove the trailing ','");
  }

  @Test
  void syntaxTupleMissingAxis() {
    assertErrors(LAYER + "layout { batch = (, data) }\n",
        "bad.swc:2:19: error: expected an axis name in the tuple of 'batch' (opened at 2:18), found ','; write"
            + " 'batch = (data, expert)', or 'batch = ()' to keep it whole");
  }

  @Test
  void syntaxTupleNested() {
    assertErrors(LAYER + "layout { batch = ((data, expert)) }\n",
        "bad.swc:2:19: error: expected an axis name in the tuple of 'batch' (opened at 2:18), found '('; tuples do not nest:"
            + " write one flat tuple, e.g. 'batch = (data, expert)'");
  }

  @Test
  void syntaxAxesWithoutParentheses() {
    assertErrors(LAYER + "layout { batch = data, expert }\n",
        "bad.swc:2:22: error: unexpected ',' after 'batch = data'; write several axes as a tuple in parentheses,"
            + " e.g. 'batch = (data, expert)'");
  }

  @Test
  void meshAndLayoutErrorsAreReportedWithTheLayersInSourceOrder() {
    assertErrors("""
        layout { experts = expret }
        switch_layer { batch = 0 seq = 64 d_model = 128 d_ff = 512 experts = 8 }
        mesh { expert = 4 data = -1 }
        """,
        "bad.swc:1:20: error: experts = expret: the mesh has no axis 'expret'; did you mean 'expert'? mesh axes: expert,"
            + " data (mesh block at 3:1)",
        "bad.swc:2:24: error: batch = 0: must be at least 1; expected a positive integer",
        "bad.swc:3:26: error: data = -1: must be at least 1; " + SIZE + "'data'");
  }
}
