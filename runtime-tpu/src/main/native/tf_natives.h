// The TensorFlow Java natives (org.tensorflow:tensorflow-core-native:1.1.0, linux-x86_64, which is
// TensorFlow 2.18.0 with abseil lts_20230802) that every XLA entry point and struct layout in this
// directory was read off and verified against, by GNU build-id. The code refuses to run on other
// natives (a changed layout would fail silently), and the build refuses to link against them.
// Java keeps the same two ids in dev.switchc.runtime.tpu.TfNatives.
#ifndef SWITCHC_TF_NATIVES_H_
#define SWITCHC_TF_NATIVES_H_

#define SWITCHC_EXPECTED_TF_CC_BUILD_ID "cdcdb4f3f8a928555b71513cbcae8523"
#define SWITCHC_EXPECTED_TF_FRAMEWORK_BUILD_ID "171083abc7ad035cbf4700ba9158fe84"

#endif  // SWITCHC_TF_NATIVES_H_
