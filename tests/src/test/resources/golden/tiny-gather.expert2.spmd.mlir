module @switch_layer attributes {mhlo.num_partitions = 2 : i32, mhlo.num_replicas = 1 : i32} {
  // %arg0: x
  // %arg1: router/w
  // %arg2: experts/wi
  // %arg3: experts/wo
  // result 0: y
  // result 1: aux_loss
  // result 2: tokens_per_expert
  // result 3: dropped_fraction
  func.func public @main(%arg0: tensor<2x4x4xf32> {mhlo.sharding = "{devices=[2,1,1]<=[2]}"}, %arg1: tensor<4x2xf32> {mhlo.sharding = "{replicated}"}, %arg2: tensor<2x4x8xf32> {mhlo.sharding = "{devices=[2,1,1]<=[2]}"}, %arg3: tensor<2x8x4xf32> {mhlo.sharding = "{devices=[2,1,1]<=[2]}"}) -> (tensor<2x4x4xf32> {mhlo.sharding = "{devices=[2,1,1]<=[2]}"}, tensor<f32> {mhlo.sharding = "{replicated}"}, tensor<2xi32> {mhlo.sharding = "{replicated}"}, tensor<f32> {mhlo.sharding = "{replicated}"}) {
    %0 = stablehlo.custom_call @Sharding(%arg0) {mhlo.sharding = "{devices=[2,1,1]<=[2]}"} : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    %1 = stablehlo.custom_call @SPMDFullToShardShape(%0) {mhlo.sharding = "{manual}"} : (tensor<2x4x4xf32>) -> tensor<1x4x4xf32>
    %2 = stablehlo.custom_call @Sharding(%arg1) {mhlo.sharding = "{replicated}"} : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %3 = stablehlo.custom_call @SPMDFullToShardShape(%2) {mhlo.sharding = "{manual}"} : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %4 = stablehlo.custom_call @Sharding(%arg2) {mhlo.sharding = "{devices=[2,1,1]<=[2]}"} : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
    %5 = stablehlo.custom_call @SPMDFullToShardShape(%4) {mhlo.sharding = "{manual}"} : (tensor<2x4x8xf32>) -> tensor<1x4x8xf32>
    %6 = stablehlo.custom_call @Sharding(%arg3) {mhlo.sharding = "{devices=[2,1,1]<=[2]}"} : (tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
    %7 = stablehlo.custom_call @SPMDFullToShardShape(%6) {mhlo.sharding = "{manual}"} : (tensor<2x8x4xf32>) -> tensor<1x8x4xf32>
    %8:4 = func.call @shmap_body(%1, %3, %5, %7) : (tensor<1x4x4xf32>, tensor<4x2xf32>, tensor<1x4x8xf32>, tensor<1x8x4xf32>) -> (tensor<1x4x4xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>)
    %9 = stablehlo.custom_call @Sharding(%8#0) {mhlo.sharding = "{manual}"} : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
    %10 = stablehlo.custom_call @SPMDShardToFullShape(%9) {mhlo.sharding = "{devices=[2,1,1]<=[2]}"} : (tensor<1x4x4xf32>) -> tensor<2x4x4xf32>
    %11 = stablehlo.custom_call @Sharding(%8#1) {mhlo.sharding = "{manual}"} : (tensor<f32>) -> tensor<f32>
    %12 = stablehlo.custom_call @SPMDShardToFullShape(%11) {mhlo.sharding = "{replicated}"} : (tensor<f32>) -> tensor<f32>
    %13 = stablehlo.custom_call @Sharding(%8#2) {mhlo.sharding = "{manual}"} : (tensor<2xi32>) -> tensor<2xi32>
    %14 = stablehlo.custom_call @SPMDShardToFullShape(%13) {mhlo.sharding = "{replicated}"} : (tensor<2xi32>) -> tensor<2xi32>
    %15 = stablehlo.custom_call @Sharding(%8#3) {mhlo.sharding = "{manual}"} : (tensor<f32>) -> tensor<f32>
    %16 = stablehlo.custom_call @SPMDShardToFullShape(%15) {mhlo.sharding = "{replicated}"} : (tensor<f32>) -> tensor<f32>
    return %10, %12, %14, %16 : tensor<2x4x4xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>
  }
  func.func private @shmap_body(%arg0: tensor<1x4x4xf32>, %arg1: tensor<4x2xf32>, %arg2: tensor<1x4x8xf32>, %arg3: tensor<1x8x4xf32>) -> (tensor<1x4x4xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>) {
    %0 = "stablehlo.reshape"(%arg0) : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
    %1 = "stablehlo.dot_general"(%0, %arg1) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [0]>} : (tensor<1x4x4xf32>, tensor<4x2xf32>) -> tensor<1x4x2xf32>
    %2 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %3 = "stablehlo.reduce"(%1, %2) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x4xf32>
    %4 = "stablehlo.broadcast_in_dim"(%3) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xf32>) -> tensor<1x4x2xf32>
    %5 = "stablehlo.subtract"(%1, %4) : (tensor<1x4x2xf32>, tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
    %6 = "stablehlo.exponential"(%5) : (tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
    %7 = stablehlo.constant dense<0.0> : tensor<f32>
    %8 = "stablehlo.reduce"(%6, %7) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x4xf32>
    %9 = "stablehlo.broadcast_in_dim"(%8) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xf32>) -> tensor<1x4x2xf32>
    %10 = "stablehlo.divide"(%6, %9) : (tensor<1x4x2xf32>, tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
    %11 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
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
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<1x4x2xi32>, tensor<f32>, tensor<i32>) -> (tensor<1x4xf32>, tensor<1x4xi32>)
    %15 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %16 = "stablehlo.reduce"(%10, %15) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.maximum %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x4xf32>
    %17 = "stablehlo.broadcast_in_dim"(%14#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>) -> tensor<1x4x2xi32>
    %18 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
    %19 = "stablehlo.compare"(%17, %18) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi1>
    %20 = "stablehlo.convert"(%19) : (tensor<1x4x2xi1>) -> tensor<1x4x2xf32>
    %21 = stablehlo.constant dense<0.0> : tensor<f32>
    %22 = "stablehlo.reduce"(%20, %21) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x2xf32>
    %23 = stablehlo.constant dense<0.0> : tensor<f32>
    %24 = "stablehlo.reduce"(%10, %23) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 1>} : (tensor<1x4x2xf32>, tensor<f32>) -> tensor<1x2xf32>
    %25 = "stablehlo.multiply"(%22, %24) : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
    %26 = stablehlo.constant dense<0.0> : tensor<f32>
    %27 = "stablehlo.reduce"(%25, %26) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<1x2xf32>, tensor<f32>) -> tensor<f32>
    %28 = "stablehlo.all_reduce"(%27) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, use_global_device_ids} : (tensor<f32>) -> tensor<f32>
    %29 = stablehlo.constant dense<0x3A23D70A> : tensor<f32>
    %30 = "stablehlo.multiply"(%28, %29) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %31 = "stablehlo.broadcast_in_dim"(%14#1) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>) -> tensor<1x4x2xi32>
    %32 = stablehlo.iota dim = 2 : tensor<1x4x2xi32>
    %33 = "stablehlo.compare"(%31, %32) {comparison_direction = #stablehlo<comparison_direction EQ>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi1>
    %34 = "stablehlo.convert"(%33) : (tensor<1x4x2xi1>) -> tensor<1x4x2xi32>
    %35 = stablehlo.constant dense<0> : tensor<i32>
    %36 = "stablehlo.pad"(%34, %35) {edge_padding_low = array<i64: 0, 1, 0>, edge_padding_high = array<i64: 0, -1, 0>, interior_padding = array<i64: 0, 0, 0>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<1x4x2xi32>
    %37 = "stablehlo.reduce_window"(%36, %35) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {window_dimensions = array<i64: 1, 4, 1>, padding = dense<[[0, 0], [3, 0], [0, 0]]> : tensor<3x2xi64>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<1x4x2xi32>
    %38 = "stablehlo.multiply"(%37, %34) : (tensor<1x4x2xi32>, tensor<1x4x2xi32>) -> tensor<1x4x2xi32>
    %39 = stablehlo.constant dense<0> : tensor<i32>
    %40 = "stablehlo.reduce"(%38, %39) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 2>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<1x4xi32>
    %41 = stablehlo.constant dense<2> : tensor<i32>
    %42 = "stablehlo.broadcast_in_dim"(%41) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<1x4xi32>
    %43 = "stablehlo.compare"(%40, %42) {comparison_direction = #stablehlo<comparison_direction LT>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi1>
    %44 = stablehlo.constant dense<0.0> : tensor<f32>
    %45 = "stablehlo.broadcast_in_dim"(%44) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<1x4xf32>
    %46 = "stablehlo.select"(%43, %16, %45) : (tensor<1x4xi1>, tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    %47 = stablehlo.constant dense<0> : tensor<i32>
    %48 = "stablehlo.reduce"(%34, %47) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<1x4x2xi32>, tensor<i32>) -> tensor<2xi32>
    %49 = "stablehlo.all_reduce"(%48) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 2, type = 1>, use_global_device_ids} : (tensor<2xi32>) -> tensor<2xi32>
    %50 = "stablehlo.convert"(%43) : (tensor<1x4xi1>) -> tensor<1x4xi32>
    %51 = stablehlo.constant dense<0> : tensor<i32>
    %52 = "stablehlo.reduce"(%50, %51) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {dimensions = array<i64: 0, 1>} : (tensor<1x4xi32>, tensor<i32>) -> tensor<i32>
    %53 = "stablehlo.all_reduce"(%52) ({
      ^bb0(%a: tensor<i32>, %b: tensor<i32>):
        %r = stablehlo.add %a, %b : tensor<i32>
        stablehlo.return %r : tensor<i32>
    }) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 3, type = 1>, use_global_device_ids} : (tensor<i32>) -> tensor<i32>
    %54 = stablehlo.constant dense<8> : tensor<i32>
    %55 = "stablehlo.subtract"(%54, %53) : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %56 = "stablehlo.convert"(%55) : (tensor<i32>) -> tensor<f32>
    %57 = stablehlo.constant dense<8.0> : tensor<f32>
    %58 = "stablehlo.divide"(%56, %57) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %59 = "stablehlo.broadcast_in_dim"(%41) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<1x4xi32>
    %60 = "stablehlo.select"(%43, %40, %59) : (tensor<1x4xi1>, tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
    %61 = stablehlo.constant dense<0.0> : tensor<2x1x2x4xf32>
    %62 = stablehlo.iota dim = 0 : tensor<1x4xi32>
    %63 = "stablehlo.reshape"(%14#1) : (tensor<1x4xi32>) -> tensor<1x4x1xi32>
    %64 = "stablehlo.reshape"(%60) : (tensor<1x4xi32>) -> tensor<1x4x1xi32>
    %65 = "stablehlo.reshape"(%62) : (tensor<1x4xi32>) -> tensor<1x4x1xi32>
    %66 = "stablehlo.concatenate"(%63, %64, %65) {dimension = 2 : i64} : (tensor<1x4x1xi32>, tensor<1x4x1xi32>, tensor<1x4x1xi32>) -> tensor<1x4x3xi32>
    %67 = "stablehlo.scatter"(%61, %66, %0) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %r = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %r : tensor<f32>
    }) {indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [2], inserted_window_dims = [0, 1, 2], scatter_dims_to_operand_dims = [0, 2, 1], index_vector_dim = 2>, unique_indices = false} : (tensor<2x1x2x4xf32>, tensor<1x4x3xi32>, tensor<1x4x4xf32>) -> tensor<2x1x2x4xf32>
    %68 = "stablehlo.all_to_all"(%67) {split_dimension = 0 : i64, concat_dimension = 1 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 4, type = 1>} : (tensor<2x1x2x4xf32>) -> tensor<1x2x2x4xf32>
    %69 = "stablehlo.dot_general"(%68, %arg2) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<1x2x2x4xf32>, tensor<1x4x8xf32>) -> tensor<1x2x2x8xf32>
    %70 = stablehlo.constant dense<0.0> : tensor<f32>
    %71 = "stablehlo.broadcast_in_dim"(%70) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<1x2x2x8xf32>
    %72 = "stablehlo.maximum"(%69, %71) : (tensor<1x2x2x8xf32>, tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32>
    %73 = "stablehlo.dot_general"(%72, %arg3) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [3], rhs_contracting_dimensions = [1]>} : (tensor<1x2x2x8xf32>, tensor<1x8x4xf32>) -> tensor<1x2x2x4xf32>
    %74 = "stablehlo.all_to_all"(%73) {split_dimension = 1 : i64, concat_dimension = 0 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 5, type = 1>} : (tensor<1x2x2x4xf32>) -> tensor<2x1x2x4xf32>
    %75 = stablehlo.constant dense<0> : tensor<i32>
    %76 = "stablehlo.broadcast_in_dim"(%75) {broadcast_dimensions = array<i64>} : (tensor<i32>) -> tensor<1x4xi32>
    %77 = "stablehlo.select"(%43, %40, %76) : (tensor<1x4xi1>, tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
    %78 = stablehlo.iota dim = 0 : tensor<1x4xi32>
    %79 = "stablehlo.reshape"(%14#1) : (tensor<1x4xi32>) -> tensor<1x4x1xi32>
    %80 = "stablehlo.reshape"(%77) : (tensor<1x4xi32>) -> tensor<1x4x1xi32>
    %81 = "stablehlo.reshape"(%78) : (tensor<1x4xi32>) -> tensor<1x4x1xi32>
    %82 = "stablehlo.concatenate"(%79, %80, %81) {dimension = 2 : i64} : (tensor<1x4x1xi32>, tensor<1x4x1xi32>, tensor<1x4x1xi32>) -> tensor<1x4x3xi32>
    %83 = "stablehlo.gather"(%74, %82) {dimension_numbers = #stablehlo.gather<offset_dims = [2], collapsed_slice_dims = [0, 1, 2], start_index_map = [0, 2, 1], index_vector_dim = 2>, indices_are_sorted = false, slice_sizes = array<i64: 1, 1, 1, 4>} : (tensor<2x1x2x4xf32>, tensor<1x4x3xi32>) -> tensor<1x4x4xf32>
    %84 = "stablehlo.broadcast_in_dim"(%46) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<1x4xf32>) -> tensor<1x4x4xf32>
    %85 = "stablehlo.multiply"(%83, %84) : (tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
    %86 = "stablehlo.reshape"(%85) : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
    return %86, %30, %49, %58 : tensor<1x4x4xf32>, tensor<f32>, tensor<2xi32>, tensor<f32>
  }
}
