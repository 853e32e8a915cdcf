module @switch_layer attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  // %arg0: x
  // %arg1: router/w
  // %arg2: experts/wi
  // %arg3: experts/wo
  // result 0: y
  // result 1: aux_loss
  // result 2: tokens_per_expert
  // result 3: dropped_fraction
  func.func public @main(%arg0: tensor<2x4x4xbf16>, %arg1: tensor<4x2xf32>, %arg2: tensor<2x4x8xf32>, %arg3: tensor<2x8x4xf32>) -> (tensor<2x4x4xbf16>, tensor<f32>, tensor<2xi32>, tensor<f32>) {
    %0 = "stablehlo.reshape"(%arg0) : (tensor<2x4x4xbf16>) -> tensor<2x4x4xbf16>
    %1 = "stablehlo.convert"(%0) : (tensor<2x4x4xbf16>) -> tensor<2x4x4xf32>
    %2 = "stablehlo.dot_general"(%1, %arg1) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [0]>} : (tensor<2x4x4xf32>, tensor<4x2xf32>) -> tensor<2x4x2xf32>
    %3 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %4 = "stablehlo.reduce"(%2, %3) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x4xf32>
    %5 = "stablehlo.broadcast_in_dim"(%4) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<2x4x2xf32>
    %6 = "stablehlo.subtract"(%2, %5) : (tensor<2x4x2xf32>, tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
    %7 = "stablehlo.exponential"(%6) : (tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
    %8 = stablehlo.constant dense<0.0> : tensor<f32>
    %9 = "stablehlo.reduce"(%7, %8) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x4xf32>
    %10 = "stablehlo.broadcast_in_dim"(%9) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<2x4x2xf32>
    %11 = "stablehlo.divide"(%7, %10) : (tensor<2x4x2xf32>, tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
    %12 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %13 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %14 = stablehlo.constant dense<0> : tensor<i32>
    %15:2 = "stablehlo.reduce"(%2, %12, %13, %14)({
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
    %16 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %17 = "stablehlo.reduce"(%11, %16) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x4xf32>
    %18 = "stablehlo.broadcast_in_dim"(%15#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>) -> tensor<2x4x2xi32>
    %19 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %20 = "stablehlo.compare"(%18, %19) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi1>
    %21 = "stablehlo.convert"(%20) : (tensor<2x4x2xi1>) -> tensor<2x4x2xf32>
    %22 = stablehlo.constant dense<0.0> : tensor<f32>
    %23 = "stablehlo.reduce"(%21, %22) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    %24 = stablehlo.constant dense<0.0> : tensor<f32>
    %25 = "stablehlo.reduce"(%11, %24) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x2xf32>
    %26 = "stablehlo.multiply"(%23, %25) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %27 = stablehlo.constant dense<0.0> : tensor<f32>
    %28 = "stablehlo.reduce"(%26, %27) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<2x2xf32>, tensor<f32>) -> tensor<f32>
    %29 = stablehlo.constant dense<0x3A23D70A> : tensor<f32>
    %30 = "stablehlo.multiply"(%28, %29) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %31 = "stablehlo.broadcast_in_dim"(%15#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>) -> tensor<2x4x2xi32>
    %32 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %33 = "stablehlo.compare"(%31, %32) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi1>
    %34 = "stablehlo.convert"(%33) : (tensor<2x4x2xi1>) -> tensor<2x4x2xi32>
    %35 = stablehlo.constant dense<0> : tensor<i32>
    %36 = "stablehlo.pad"(%34, %35) {edge_padding_low = array<i64: 0, 1, 0>, edge_padding_high = array<i64: 0, -1, 0>, interior_padding = array<i64: 0, 0, 0>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2x4x2xi32>
    %37 = "stablehlo.reduce_window"(%36, %35) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {window_dimensions = array<i64: 1, 4, 1>, padding = dense<[[0, 0], [3, 0], [0, 0]]> : tensor<3x2xi64>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2x4x2xi32>
    %38 = "stablehlo.multiply"(%37, %34) : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi32>
    %39 = stablehlo.constant dense<0> : tensor<i32>
    %40 = "stablehlo.reduce"(%38, %39) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 2>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2x4xi32>
    %41 = stablehlo.constant dense<2> : tensor<i32>
    %42 = "stablehlo.broadcast_in_dim"(%41) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<2x4xi32>
    %43 = "stablehlo.compare"(%40, %42) {comparison_direction = #stablehlo<comparison_direction LT>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi1>
    %44 = stablehlo.constant dense<0.0> : tensor<f32>
    %45 = "stablehlo.broadcast_in_dim"(%44) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<2x4xf32>
    %46 = "stablehlo.select"(%43, %17, %45) : (tensor<2x4xi1>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %47 = stablehlo.constant dense<0> : tensor<i32>
    %48 = "stablehlo.reduce"(%34, %47) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<2x4x2xi32>, tensor<i32>) -> tensor<2xi32>
    %49 = "stablehlo.convert"(%43) : (tensor<2x4xi1>) -> tensor<2x4xi32>
    %50 = stablehlo.constant dense<0> : tensor<i32>
    %51 = "stablehlo.reduce"(%49, %50) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>, tensor<i32>) -> tensor<i32>
    %52 = stablehlo.constant dense<8> : tensor<i32>
    %53 = "stablehlo.subtract"(%52, %51) : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %54 = "stablehlo.convert"(%53) : (tensor<i32>) -> tensor<f32>
    %55 = stablehlo.constant dense<8.0> : tensor<f32>
    %56 = "stablehlo.divide"(%54, %55) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %57 = "stablehlo.broadcast_in_dim"(%15#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>) -> tensor<2x4x2xi32>
    %58 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %59 = "stablehlo.compare"(%57, %58) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi1>
    %60 = "stablehlo.convert"(%59) : (tensor<2x4x2xi1>) -> tensor<2x4x2xbf16>
    %61 = "stablehlo.broadcast_in_dim"(%40) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xi32>) -> tensor<2x4x2xi32>
    %62 = stablehlo.iota dim = 2 : tensor<2x4x2xi32>
    %63 = "stablehlo.compare"(%61, %62) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2x4x2xi32>, tensor<2x4x2xi32>) -> tensor<2x4x2xi1>
    %64 = "stablehlo.convert"(%63) : (tensor<2x4x2xi1>) -> tensor<2x4x2xbf16>
    %65 = "stablehlo.broadcast_in_dim"(%60) {broadcast_dimensions = array<i64: 0, 1, 2>} : (tensor<2x4x2xbf16>) -> tensor<2x4x2x2xbf16>
    %66 = "stablehlo.broadcast_in_dim"(%64) {broadcast_dimensions = array<i64: 0, 1, 3>} : (tensor<2x4x2xbf16>) -> tensor<2x4x2x2xbf16>
    %67 = "stablehlo.multiply"(%65, %66) : (tensor<2x4x2x2xbf16>, tensor<2x4x2x2xbf16>) -> tensor<2x4x2x2xbf16>
    %68 = "stablehlo.convert"(%17) : (tensor<2x4xf32>) -> tensor<2x4xbf16>
    %69 = "stablehlo.broadcast_in_dim"(%68) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<2x4xbf16>) -> tensor<2x4x2x2xbf16>
    %70 = "stablehlo.multiply"(%67, %69) : (tensor<2x4x2x2xbf16>, tensor<2x4x2x2xbf16>) -> tensor<2x4x2x2xbf16>
    %71 = "stablehlo.dot_general"(%0, %67) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [1]>} : (tensor<2x4x4xbf16>, tensor<2x4x2x2xbf16>) -> tensor<2x4x2x2xbf16>
    %72 = "stablehlo.transpose"(%71) {permutation = array<i64: 2, 0, 3, 1>} : (tensor<2x4x2x2xbf16>) -> tensor<2x2x2x4xbf16>
    %73 = "stablehlo.convert"(%arg2) : (tensor<2x4x8xf32>) -> tensor<2x4x8xbf16>
    %74 = "stablehlo.dot_general"(%72, %73) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<2x2x2x4xbf16>, tensor<2x4x8xbf16>) -> tensor<2x2x2x8xbf16>
    %75 = stablehlo.constant dense<0x3F35> : tensor<bf16>
    %76 = "stablehlo.broadcast_in_dim"(%75) {broadcast_dimensions = array<i64>} : (tensor<bf16>) -> tensor<2x2x2x8xbf16>
    %77 = "stablehlo.multiply"(%74, %76) : (tensor<2x2x2x8xbf16>, tensor<2x2x2x8xbf16>) -> tensor<2x2x2x8xbf16>
    %78 = "chlo.erf"(%77) : (tensor<2x2x2x8xbf16>) -> tensor<2x2x2x8xbf16>
    %79 = stablehlo.constant dense<0x3F00> : tensor<bf16>
    %80 = "stablehlo.broadcast_in_dim"(%79) {broadcast_dimensions = array<i64>} : (tensor<bf16>) -> tensor<2x2x2x8xbf16>
    %81 = "stablehlo.multiply"(%74, %80) : (tensor<2x2x2x8xbf16>, tensor<2x2x2x8xbf16>) -> tensor<2x2x2x8xbf16>
    %82 = stablehlo.constant dense<1.0> : tensor<bf16>
    %83 = "stablehlo.broadcast_in_dim"(%82) {broadcast_dimensions = array<i64>} : (tensor<bf16>) -> tensor<2x2x2x8xbf16>
    %84 = "stablehlo.add"(%78, %83) : (tensor<2x2x2x8xbf16>, tensor<2x2x2x8xbf16>) -> tensor<2x2x2x8xbf16>
    %85 = "stablehlo.multiply"(%81, %84) : (tensor<2x2x2x8xbf16>, tensor<2x2x2x8xbf16>) -> tensor<2x2x2x8xbf16>
    %86 = "stablehlo.convert"(%arg3) : (tensor<2x8x4xf32>) -> tensor<2x8x4xbf16>
    %87 = "stablehlo.dot_general"(%85, %86) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<2x2x2x8xbf16>, tensor<2x8x4xbf16>) -> tensor<2x2x2x4xbf16>
    %88 = "stablehlo.dot_general"(%87, %70) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [1], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [0, 2], rhs_contracting_dimensions = [2, 3]>} : (tensor<2x2x2x4xbf16>, tensor<2x4x2x2xbf16>) -> tensor<2x4x4xbf16>
    %89 = "stablehlo.transpose"(%88) {permutation = array<i64: 0, 2, 1>} : (tensor<2x4x4xbf16>) -> tensor<2x4x4xbf16>
    %90 = "stablehlo.reshape"(%89) : (tensor<2x4x4xbf16>) -> tensor<2x4x4xbf16>
    return %90, %30, %48, %56 : tensor<2x4x4xbf16>, tensor<f32>, tensor<2xi32>, tensor<f32>
  }
}
