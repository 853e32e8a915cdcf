module @switch_layer attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  // %arg0: x
  // %arg1: router/w
  // %arg2: experts/wi
  // %arg3: experts/wo
  // result 0: y
  // result 1: aux_loss
  // result 2: tokens_per_expert
  // result 3: dropped_fraction
  func.func public @main(%arg0: tensor<2x4x4xf32>, %arg1: tensor<4x2xf32>, %arg2: tensor<2x4x8xf32>, %arg3: tensor<2x8x4xf32>) -> (tensor<2x4x4xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>) {
    %0 = "stablehlo.reshape"(%arg0) : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %1 = "stablehlo.dot_general"(%0, %arg1) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [0]>} : (tensor<2x4x4xf32>, tensor<4x2xf32>) -> tensor<2x4x2xf32>
    %2 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %3 = "stablehlo.reduce"(%1, %2) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x4xf32>
    %4 = "stablehlo.broadcast_in_dim"(%3) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<2x4x2xf32>
    %5 = "stablehlo.subtract"(%1, %4) : (tensor<2x4x2xf32>, tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
    %6 = "stablehlo.exponential"(%5) : (tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
    %7 = stablehlo.constant dense<0.0> : tensor<f32>
    %8 = "stablehlo.reduce"(%6, %7) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x4xf32>
    %9 = "stablehlo.broadcast_in_dim"(%8) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<2x4x2xf32>
    %10 = "stablehlo.divide"(%6, %9) : (tensor<2x4x2xf32>, tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
    %11 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %12 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %13 = stablehlo.constant dense<0> : tensor<i32>
    %14:2 = "stablehlo.reduce"(%1, %11, %12, %13)({
      ^bb0(%a: tensor<f32>, %ai: tensor<i32>, %b: tensor<f32>, %bi: tensor<i32>):
        %gt = stablehlo.compare GT, %a, %b, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
        %eq = stablehlo.compare EQ, %a, %b, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
        %lt = stablehlo.compare LT, %ai, %bi, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
        %tie = stablehlo.and %eq, %lt : tensor<i1>
        %pick = stablehlo.or %gt, %tie : tensor<i1>
        %mv = stablehlo.select %pick, %a, %b : tensor<i1>, tensor<f32>
        %mi = stablehlo.select %pick, %ai, %bi : tensor<i1>, tensor<i32>
        stablehlo.return %mv, %mi : tensor<f32>, tensor<i32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xf32>, tensor<2x4x2xi32>, tensor<f32>, tensor<i32>) -> (tensor<2x4xf32>, tensor<2x4xi32>)
    %15 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %16 = "stablehlo.reduce"(%10, %15) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x4xf32>
    %17 = "stablehlo.broadcast_in_dim"(%14#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>) -> tensor<2x4x2xi32>
    %18 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %19 = "stablehlo.compare"(%17, %18) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi1>
    %20 = "stablehlo.convert"(%19) : (tensor<2x4x2xi1>) -> tensor<2x4x2xf32>
    %21 = stablehlo.constant dense<0.0> : tensor<f32>
    %22 = "stablehlo.reduce"(%20, %21) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    %23 = stablehlo.constant dense<0.0> : tensor<f32>
    %24 = "stablehlo.reduce"(%10, %23) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    %25 = "stablehlo.multiply"(%22, %24) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %26 = stablehlo.constant dense<0.0> : tensor<f32>
    %27 = "stablehlo.reduce"(%25, %26) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<2x2xf32>, tensor<f32>) -> tensor<f32>
    %28 = stablehlo.constant dense<0x3A23D70A> : tensor<f32>
    %29 = "stablehlo.multiply"(%27, %28) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %30 = "stablehlo.broadcast_in_dim"(%14#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>) -> tensor<2x4x2xi32>
    %31 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %32 = "stablehlo.compare"(%30, %31) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi1>
    %33 = "stablehlo.convert"(%32) : (tensor<2x4x2xi1>) -> tensor<2x4x2xi32>
    %34 = stablehlo.constant dense<0> : tensor<i32>
    %35 = "stablehlo.pad"(%33, %34) {edge_padding_low = array<i64: 0, 1, 0>, edge_padding_high = array<i64: 0, -1, 0>, interior_padding = array<i64: 0, 0, 0>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2x4x2xi32>
    %36 = "stablehlo.reduce_window"(%35, %34) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {window_dimensions = array<i64: 1, 4, 1>, padding = dense<[[0, 0], [3, 0], [0, 0]]> : tensor<3x2xi64>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2x4x2xi32>
    %37 = "stablehlo.multiply"(%36, %33) : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi32>
    %38 = stablehlo.constant dense<0> : tensor<i32>
    %39 = "stablehlo.reduce"(%37, %38) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2x4xi32>
    %40 = stablehlo.constant dense<2> : tensor<i32>
    %41 = "stablehlo.broadcast_in_dim"(%40) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<2x4xi32>
    %42 = "stablehlo.compare"(%39, %41) {comparison_direction = #stablehlo<comparison_direction LT>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi1>
    %43 = stablehlo.constant dense<0.0> : tensor<f32>
    %44 = "stablehlo.broadcast_in_dim"(%43) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<2x4xf32>
    %45 = "stablehlo.select"(%42, %16, %44) : (tensor<2x4xi1>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %46 = stablehlo.constant dense<0> : tensor<i32>
    %47 = "stablehlo.reduce"(%33, %46) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2xi32>
    %48 = "stablehlo.convert"(%42) : (tensor<2x4xi1>) -> tensor<2x4xi32>
    %49 = stablehlo.constant dense<0> : tensor<i32>
    %50 = "stablehlo.reduce"(%48, %49) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>, tensor<i32>) -> tensor<i32>
    %51 = stablehlo.constant dense<8> : tensor<i32>
    %52 = "stablehlo.subtract"(%51, %50) : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %53 = "stablehlo.convert"(%52) : (tensor<i32>) -> tensor<f32>
    %54 = stablehlo.constant dense<8.0> : tensor<f32>
    %55 = "stablehlo.divide"(%53, %54) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %56 = "stablehlo.broadcast_in_dim"(%40) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<2x4xi32>
    %57 = "stablehlo.select"(%42, %39, %56) : (tensor<2x4xi1>, tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
    %58 = stablehlo.constant dense<0.0> : tensor<2x2x2x4xf32>
    %59 = stablehlo.iota dim = 0 : tensor<2x4xi32>
    %60 = "stablehlo.reshape"(%14#1) : (tensor<2x4xi32>) -> tensor<2x4x1xi32>
    %61 = "stablehlo.reshape"(%57) : (tensor<2x4xi32>) -> tensor<2x4x1xi32>
    %62 = "stablehlo.reshape"(%59) : (tensor<2x4xi32>) -> tensor<2x4x1xi32>
    %63 = "stablehlo.concatenate"(%60, %61, %62) {dimension = 2 : i64} : (tensor<2x4x1xi32>, tensor<2x4x1xi32>, tensor<2x4x1xi32>) -> tensor<2x4x3xi32>
    %64 = "stablehlo.scatter"(%58, %63, %0) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [2], inserted_window_dims = [0, 1, 2], scatter_dims_to_operand_dims = [0, 2, 1], index_vector_dim = 2>, unique_indices = false} : (tensor<2x2x2x4xf32>, tensor<2x4x3xi32>, tensor<2x4x4xf32>) -> tensor<2x2x2x4xf32>
    %65 = "stablehlo.dot_general"(%64, %arg2) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<2x2x2x4xf32>, tensor<2x4x8xf32>) -> tensor<2x2x2x8xf32>
    %66 = stablehlo.constant dense<0.0> : tensor<f32>
    %67 = "stablehlo.broadcast_in_dim"(%66) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<2x2x2x8xf32>
    %68 = "stablehlo.maximum"(%65, %67) : (tensor<2x2x2x8xf32>, tensor<2x2x2x8xf32>) -> tensor<2x2x2x8xf32>
    %69 = "stablehlo.dot_general"(%68, %arg3) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<2x2x2x8xf32>, tensor<2x8x4xf32>) -> tensor<2x2x2x4xf32>
    %70 = stablehlo.constant dense<0> : tensor<i32>
    %71 = "stablehlo.broadcast_in_dim"(%70) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<2x4xi32>
    %72 = "stablehlo.select"(%42, %39, %71) : (tensor<2x4xi1>, tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
    %73 = stablehlo.iota dim = 0 : tensor<2x4xi32>
    %74 = "stablehlo.reshape"(%14#1) : (tensor<2x4xi32>) -> tensor<2x4x1xi32>
    %75 = "stablehlo.reshape"(%72) : (tensor<2x4xi32>) -> tensor<2x4x1xi32>
    %76 = "stablehlo.reshape"(%73) : (tensor<2x4xi32>) -> tensor<2x4x1xi32>
    %77 = "stablehlo.concatenate"(%74, %75, %76) {dimension = 2 : i64} : (tensor<2x4x1xi32>, tensor<2x4x1xi32>, tensor<2x4x1xi32>) -> tensor<2x4x3xi32>
    %78 = "stablehlo.gather"(%69, %77) {dimension_numbers = #stablehlo.gather<offset_dims = [2], collapsed_slice_dims = [0, 1, 2], start_index_map = [0, 2, 1], index_vector_dim = 2>, indices_are_sorted = false, slice_sizes = array<i64: 1, 1, 1, 4>} : (tensor<2x2x2x4xf32>, tensor<2x4x3xi32>) -> tensor<2x4x4xf32>
    %79 = "stablehlo.broadcast_in_dim"(%45) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<2x4x4xf32>
    %80 = "stablehlo.multiply"(%78, %79) : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %81 = "stablehlo.reshape"(%80) : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    return %81, %29, %47, %55 : tensor<2x4x4xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>
  }
}
