module @switch_layer attributes {mhlo.num_partitions = 4 : i32, mhlo.num_replicas = 1 : i32} {
  // %arg0: x
  // %arg1: router/w
  // %arg2: experts/wi
  // %arg3: experts/wo
  // result 0: y
  // result 1: aux_loss
  // result 2: tokens_per_expert
  // result 3: dropped_fraction
  func.func public @main(%arg0: tensor<2x4x4xbf16> {mhlo.sharding = "{devices=[2,1,1,2]<=[4] last_tile_dim_replicate}"}, %arg1: tensor<4x2xf32> {mhlo.sharding = "{replicated}"}, %arg2: tensor<2x4x8xf32> {mhlo.sharding = "{devices=[2,1,2]<=[4]}"}, %arg3: tensor<2x8x4xf32> {mhlo.sharding = "{devices=[2,2,1]<=[4]}"}) -> (tensor<2x4x4xbf16> {mhlo.sharding = "{devices=[2,1,1,2]<=[4] last_tile_dim_replicate}"}, tensor<f32> {mhlo.sharding = "{replicated}"}, tensor<2xi32> {mhlo.sharding = "{replicated}"}, tensor<f32> {mhlo.sharding = "{replicated}"}) {
    %0 = stablehlo.custom_call @Sharding(%arg0) {mhlo.sharding = "{devices=[2,1,1,2]<=[4] last_tile_dim_replicate}"} : (tensor<2x4x4xbf16>) -> tensor<2x4x4xbf16>
    %1 = stablehlo.custom_call @SPMDFullToShardShape(%0) {mhlo.sharding = "{manual}"} : (tensor<2x4x4xbf16>) -> tensor<1x4x4xbf16>
    %2 = stablehlo.custom_call @Sharding(%arg1) {mhlo.sharding = "{replicated}"} : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %3 = stablehlo.custom_call @SPMDFullToShardShape(%2) {mhlo.sharding = "{manual}"} : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %4 = stablehlo.custom_call @Sharding(%arg2) {mhlo.sharding = "{devices=[2,1,2]<=[4]}"} : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %5 = stablehlo.custom_call @SPMDFullToShardShape(%4) {mhlo.sharding = "{manual}"} : (tensor<2x4x8xf32>) -> tensor<1x4x4xf32>
    %6 = stablehlo.custom_call @Sharding(%arg3) {mhlo.sharding = "{devices=[2,2,1]<=[4]}"} : (tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
    %7 = stablehlo.custom_call @SPMDFullToShardShape(%6) {mhlo.sharding = "{manual}"} : (tensor<2x8x4xf32>) -> tensor<1x4x4xf32>
    %8:4 = func.call @shmap_body(%1, %3, %5, %7) : (tensor<1x4x4xbf16>, tensor<4x2xf32>, tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> (tensor<1x4x4xbf16>, tensor<f32>, tensor<2xi32>, tensor<f32>)
    %9 = stablehlo.custom_call @Sharding(%8#0) {mhlo.sharding = "{manual}"} : (tensor<1x4x4xbf16>) -> tensor<1x4x4xbf16>
    %10 = stablehlo.custom_call @SPMDShardToFullShape(%9) {mhlo.sharding = "{devices=[2,1,1,2]<=[4] last_tile_dim_replicate}"} : (tensor<1x4x4xbf16>) -> tensor<2x4x4xbf16>
    %11 = stablehlo.custom_call @Sharding(%8#1) {mhlo.sharding = "{manual}"} : (tensor<f32>) -> tensor<f32>
    %12 = stablehlo.custom_call @SPMDShardToFullShape(%11) {mhlo.sharding = "{replicated}"} : (tensor<f32>) -> tensor<f32>
    %13 = stablehlo.custom_call @Sharding(%8#2) {mhlo.sharding = "{manual}"} : (tensor<2xi32>) -> tensor<2xi32>
    %14 = stablehlo.custom_call @SPMDShardToFullShape(%13) {mhlo.sharding = "{replicated}"} : (tensor<2xi32>) -> tensor<2xi32>
    %15 = stablehlo.custom_call @Sharding(%8#3) {mhlo.sharding = "{manual}"} : (tensor<f32>) -> tensor<f32>
    %16 = stablehlo.custom_call @SPMDShardToFullShape(%15) {mhlo.sharding = "{replicated}"} : (tensor<f32>) -> tensor<f32>
    return %10, %12, %14, %16 : tensor<2x4x4xbf16>, tensor<f32>, tensor<2xi32>, tensor<f32>
  }
  func.func private @shmap_body(%arg0: tensor<1x4x4xbf16>, %arg1: tensor<4x2xf32>, %arg2: tensor<1x4x4xf32>, %arg3: tensor<1x4x4xf32>) -> (tensor<1x4x4xbf16>, tensor<f32>, tensor<2xi32>, tensor<f32>) {
    %0 = "stablehlo.reshape"(%arg0) : (tensor<1x4x4xbf16>) -> tensor<1x4x4xbf16>
    %1 = "stablehlo.convert"(%0) : (tensor<1x4x4xbf16>) -> tensor<1x4x4xf32>
    %2 = "stablehlo.dot_general"(%1, %arg1) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [0]>} : (tensor<1x4x4xf32>, tensor<4x2xf32>) -> tensor<1x4x2xf32>
    %3 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %4 = "stablehlo.reduce"(%2, %3) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x4xf32>
    %5 = "stablehlo.broadcast_in_dim"(%4) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xf32>) -> tensor<1x4x2xf32>
    %6 = "stablehlo.subtract"(%2, %5) : (tensor<1x4x2xf32>, tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
    %7 = "stablehlo.exponential"(%6) : (tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
    %8 = stablehlo.constant dense<0.0> : tensor<f32>
    %9 = "stablehlo.reduce"(%7, %8) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x4xf32>
    %10 = "stablehlo.broadcast_in_dim"(%9) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xf32>) -> tensor<1x4x2xf32>
    %11 = "stablehlo.divide"(%7, %10) : (tensor<1x4x2xf32>, tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
    %12 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
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
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<1x4x2xi32>, tensor<f32>, tensor<i32>) -> (tensor<1x4xf32>, tensor<1x4xi32>)
    %16 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %17 = "stablehlo.reduce"(%11, %16) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x4xf32>
    %18 = "stablehlo.broadcast_in_dim"(%15#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>) -> tensor<1x4x2xi32>
    %19 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
    %20 = "stablehlo.compare"(%18, %19) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi1>
    %21 = "stablehlo.convert"(%20) : (tensor<1x4x2xi1>) -> tensor<1x4x2xf32>
    %22 = stablehlo.constant dense<0.0> : tensor<f32>
    %23 = "stablehlo.reduce"(%21, %22) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x2xf32>
    %24 = stablehlo.constant dense<0.0> : tensor<f32>
    %25 = "stablehlo.reduce"(%11, %24) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x2xf32>
    %26 = "stablehlo.multiply"(%23, %25) : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
    %27 = stablehlo.constant dense<0.0> : tensor<f32>
    %28 = "stablehlo.reduce"(%26, %27) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<1x2xf32>, tensor<f32>) -> tensor<f32>
    %29 = "stablehlo.all_reduce"(%28) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {replica_groups = dense<[[0, 2], [1, 3]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, use_global_device_ids} : (tensor<f32>) -> tensor<f32>
    %30 = stablehlo.constant dense<0x3A23D70A> : tensor<f32>
    %31 = "stablehlo.multiply"(%29, %30) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %32 = "stablehlo.broadcast_in_dim"(%15#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>) -> tensor<1x4x2xi32>
    %33 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
    %34 = "stablehlo.compare"(%32, %33) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi1>
    %35 = "stablehlo.convert"(%34) : (tensor<1x4x2xi1>) -> tensor<1x4x2xi32>
    %36 = stablehlo.constant dense<0> : tensor<i32>
    %37 = "stablehlo.pad"(%35, %36) {edge_padding_low = array<i64: 0, 1, 0>, edge_padding_high = array<i64: 0, -1, 0>, interior_padding = array<i64: 0, 0, 0>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<1x4x2xi32>
    %38 = "stablehlo.reduce_window"(%37, %36) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {window_dimensions = array<i64: 1, 4, 1>, padding = dense<[[0, 0], [3, 0], [0, 0]]> : tensor<3x2xi64>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<1x4x2xi32>
    %39 = "stablehlo.multiply"(%38, %35) : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi32>
    %40 = stablehlo.constant dense<0> : tensor<i32>
    %41 = "stablehlo.reduce"(%39, %40) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<1x4xi32>
    %42 = stablehlo.constant dense<2> : tensor<i32>
    %43 = "stablehlo.broadcast_in_dim"(%42) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<1x4xi32>
    %44 = "stablehlo.compare"(%41, %43) {comparison_direction = #stablehlo<comparison_direction LT>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi1>
    %45 = stablehlo.constant dense<0.0> : tensor<f32>
    %46 = "stablehlo.broadcast_in_dim"(%45) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<1x4xf32>
    %47 = "stablehlo.select"(%44, %17, %46) : (tensor<1x4xi1>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    %48 = stablehlo.constant dense<0> : tensor<i32>
    %49 = "stablehlo.reduce"(%35, %48) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<2xi32>
    %50 = "stablehlo.all_reduce"(%49) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {replica_groups = dense<[[0, 2], [1, 3]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 2, type = 1>, use_global_device_ids} : (tensor<2xi32>) -> tensor<2xi32>
    %51 = "stablehlo.convert"(%44) : (tensor<1x4xi1>) -> tensor<1x4xi32>
    %52 = stablehlo.constant dense<0> : tensor<i32>
    %53 = "stablehlo.reduce"(%51, %52) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>, tensor<i32>) -> tensor<i32>
    %54 = "stablehlo.all_reduce"(%53) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {replica_groups = dense<[[0, 2], [1, 3]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 3, type = 1>, use_global_device_ids} : (tensor<i32>) -> tensor<i32>
    %55 = stablehlo.constant dense<8> : tensor<i32>
    %56 = "stablehlo.subtract"(%55, %54) : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %57 = "stablehlo.convert"(%56) : (tensor<i32>) -> tensor<f32>
    %58 = stablehlo.constant dense<8.0> : tensor<f32>
    %59 = "stablehlo.divide"(%57, %58) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %60 = "stablehlo.broadcast_in_dim"(%15#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>) -> tensor<1x4x2xi32>
    %61 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
    %62 = "stablehlo.compare"(%60, %61) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi1>
    %63 = "stablehlo.convert"(%62) : (tensor<1x4x2xi1>) -> tensor<1x4x2xbf16>
    %64 = "stablehlo.broadcast_in_dim"(%41) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>) -> tensor<1x4x2xi32>
    %65 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
    %66 = "stablehlo.compare"(%64, %65) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi1>
    %67 = "stablehlo.convert"(%66) : (tensor<1x4x2xi1>) -> tensor<1x4x2xbf16>
    %68 = "stablehlo.broadcast_in_dim"(%63) {broadcast_dimensions = array<i64: 0, 1, 2>} : (tensor<1x4x2xbf16>) -> tensor<1x4x2x2xbf16>
    %69 = "stablehlo.broadcast_in_dim"(%67) {broadcast_dimensions = array<i64: 0, 1, 3>} : (tensor<1x4x2xbf16>) -> tensor<1x4x2x2xbf16>
    %70 = "stablehlo.multiply"(%68, %69) : (tensor<1x4x2x2xbf16>, tensor<1x4x2x2xbf16>) -> tensor<1x4x2x2xbf16>
    %71 = "stablehlo.convert"(%17) : (tensor<1x4xf32>) -> tensor<1x4xbf16>
    %72 = "stablehlo.broadcast_in_dim"(%71) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xbf16>) -> tensor<1x4x2x2xbf16>
    %73 = "stablehlo.multiply"(%70, %72) : (tensor<1x4x2x2xbf16>, tensor<1x4x2x2xbf16>) -> tensor<1x4x2x2xbf16>
    %74 = "stablehlo.dot_general"(%0, %70) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [1]>} : (tensor<1x4x4xbf16>, tensor<1x4x2x2xbf16>) -> tensor<1x4x2x2xbf16>
    %75 = "stablehlo.transpose"(%74) {permutation = array<i64: 2, 0, 3, 1>} : (tensor<1x4x2x2xbf16>) -> tensor<2x1x2x4xbf16>
    %76 = "stablehlo.all_to_all"(%75) {split_dimension = 0 : i64, concat_dimension = 1 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 2], [1, 3]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 4, type = 1>} : (tensor<2x1x2x4xbf16>) -> tensor<1x2x2x4xbf16>
    %77 = "stablehlo.convert"(%arg2) : (tensor<1x4x4xf32>) -> tensor<1x4x4xbf16>
    %78 = "stablehlo.dot_general"(%76, %77) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<1x2x2x4xbf16>, tensor<1x4x4xbf16>) -> tensor<1x2x2x4xbf16>
    %79 = stablehlo.constant dense<0x3F35> : tensor<bf16>
    %80 = "stablehlo.broadcast_in_dim"(%79) {broadcast_dimensions = array<i64>} : (tensor<bf16>) -> tensor<1x2x2x4xbf16>
    %81 = "stablehlo.multiply"(%78, %80) : (tensor<1x2x2x4xbf16>, tensor<1x2x2x4xbf16>) -> tensor<1x2x2x4xbf16>
    %82 = "chlo.erf"(%81) : (tensor<1x2x2x4xbf16>) -> tensor<1x2x2x4xbf16>
    %83 = stablehlo.constant dense<0x3F00> : tensor<bf16>
    %84 = "stablehlo.broadcast_in_dim"(%83) {broadcast_dimensions = array<i64>} : (tensor<bf16>) -> tensor<1x2x2x4xbf16>
    %85 = "stablehlo.multiply"(%78, %84) : (tensor<1x2x2x4xbf16>, tensor<1x2x2x4xbf16>) -> tensor<1x2x2x4xbf16>
    %86 = stablehlo.constant dense<1.0> : tensor<bf16>
    %87 = "stablehlo.broadcast_in_dim"(%86) {broadcast_dimensions = array<i64>} : (tensor<bf16>) -> tensor<1x2x2x4xbf16>
    %88 = "stablehlo.add"(%82, %87) : (tensor<1x2x2x4xbf16>, tensor<1x2x2x4xbf16>) -> tensor<1x2x2x4xbf16>
    %89 = "stablehlo.multiply"(%85, %88) : (tensor<1x2x2x4xbf16>, tensor<1x2x2x4xbf16>) -> tensor<1x2x2x4xbf16>
    %90 = "stablehlo.convert"(%arg3) : (tensor<1x4x4xf32>) -> tensor<1x4x4xbf16>
    %91 = "stablehlo.dot_general"(%89, %90) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<1x2x2x4xbf16>, tensor<1x4x4xbf16>) -> tensor<1x2x2x4xbf16>
    %92 = "stablehlo.all_reduce"(%91) ({
      ^bb0(%a: tensor<bf16>, %b: tensor<bf16>):
        %r = stablehlo.add %a, %b : tensor<bf16>
        stablehlo.return %r : tensor<bf16>
    }) {replica_groups = dense<[[0, 1], [2, 3]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 5, type = 1>, use_global_device_ids} : (tensor<1x2x2x4xbf16>) -> tensor<1x2x2x4xbf16>
    %93 = "stablehlo.all_to_all"(%92) {split_dimension = 1 : i64, concat_dimension = 0 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 2], [1, 3]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 6, type = 1>} : (tensor<1x2x2x4xbf16>) -> tensor<2x1x2x4xbf16>
    %94 = "stablehlo.dot_general"(%93, %73) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [1], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [0, 2], rhs_contracting_dimensions = [2, 3]>} : (tensor<2x1x2x4xbf16>, tensor<1x4x2x2xbf16>) -> tensor<1x4x4xbf16>
    %95 = "stablehlo.transpose"(%94) {permutation = array<i64: 0, 2, 1>} : (tensor<1x4x4xbf16>) -> tensor<1x4x4xbf16>
    %96 = "stablehlo.reshape"(%95) : (tensor<1x4x4xbf16>) -> tensor<1x4x4xbf16>
    return %96, %31, %50, %59 : tensor<1x4x4xbf16>, tensor<f32>, tensor<2xi32>, tensor<f32>
  }
}
