// The TensorFlow Java natives (org.tensorflow:tensorflow-core-native:1.1.0, linux-x86_64, which is
// TensorFlow 2.18.0 with abseil lts_20230802) that every XLA entry point and struct layout in this
// directory was read off and verified against, by GNU build-id. The code refuses to run on other
// natives (a changed layout would fail silently), and the build refuses to link against them.
// Java keeps the same two ids in dev.switchc.runtime.tpu.TfNatives.
#ifndef SWITCHC_TF_NATIVES_H_
#define SWITCHC_TF_NATIVES_H_

#define SWITCHC_EXPECTED_TF_CC_BUILD_ID "cdcdb4f3f8a928555b71513cbcae8523"
#define SWITCHC_EXPECTED_TF_FRAMEWORK_BUILD_ID "171083abc7ad035cbf4700ba9158fe84"

// abseil's logging state is private to each of the two libraries (each links its own copy, with
// hidden symbols), and TF_CPP_MIN_LOG_LEVEL does not reach it. Its three globals, as virtual
// addresses in each library (from `nm -S`, symbols
// absl::(anonymous)::min_log_level and ::stderrthreshold, both 4-byte ints, and
// absl::log_internal::(anonymous)::logging_initialized, 1 byte; GCC split each atomic into ".0").
// RuntimeNativesTest checks them against the libraries' symbol tables.
#define SWITCHC_TF_CC_ABSL_MIN_LOG_LEVEL 0x1b498d2cUL
#define SWITCHC_TF_CC_ABSL_STDERR_THRESHOLD 0x1b3e10b4UL
#define SWITCHC_TF_CC_ABSL_LOGGING_INITIALIZED 0x1b498d1cUL
#define SWITCHC_TF_FRAMEWORK_ABSL_MIN_LOG_LEVEL 0x22bc0b8UL
#define SWITCHC_TF_FRAMEWORK_ABSL_STDERR_THRESHOLD 0x226e6a0UL
#define SWITCHC_TF_FRAMEWORK_ABSL_LOGGING_INITIALIZED 0x22bc09cUL

#endif  // SWITCHC_TF_NATIVES_H_
