#!/usr/bin/env bash
# Builds the native libraries of runtime-tpu; run by Maven (runtime-tpu/pom.xml), also by hand.
#
#   build.sh main OUT_DIR CLASSPATH   libswitchc_xla.so (JNI to XLA's CPU client in the TensorFlow
#                                     natives) and libswitchc_pjrt.so (JNI to any PJRT plugin)
#   build.sh test OUT_DIR CLASSPATH   libpjrt_standin_cpu.so, the tests' PJRT plugin (XLA's CPU
#                                     client behind the PJRT C API), and a variant claiming C API 0.56
#
# CLASSPATH must hold TensorFlow Java and runtime-tpu's classes: dev.switchc.runtime.tpu.TfNatives
# loads TensorFlow Java (JavaCPP unpacks its natives on first use) and prints where the two
# libraries are, after checking their build-ids are the ones the code was verified against
# (tf_natives.h). The libraries link against those by soname. g++ comes from Debian if missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode="${1:?usage: build.sh main|test OUT_DIR CLASSPATH}"
out="${2:?out dir}"
classpath="${3:?classpath}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
[ -f "$java_home/include/jni.h" ] || java_home="$(dirname "$java_home")"  # a JRE inside a JDK
[ -f "$java_home/include/jni.h" ] || { echo "build.sh: no jni.h under $java_home/include; set JAVA_HOME to a JDK" >&2; exit 1; }
command -v "${CXX:-g++}" >/dev/null 2>&1 || bash "$here/../../../../.ci/install-gxx"
CXX="${CXX:-g++}"
mkdir -p "$out"

flags=(-std=c++17 -O2 -g -fPIC -fvisibility=hidden -fvisibility-inlines-hidden -Wall -Wextra -Werror
       -I"$here" -I"$java_home/include" -I"$java_home/include/linux")

# A library only the listed symbols of which are visible (JNI entry points, or GetPjrtApi).
exports() {
  local map="$out/.$1.map"
  printf '{\n  global: %s;\n  local: *;\n};\n' "$2" > "$map"
  echo "-Wl,--version-script=$map"
}

# Where JavaCPP unpacked the TensorFlow natives, after checking they are the verified build.
tf_natives() {
  local dir lib want got
  dir="$("$java_home/bin/java" -cp "$classpath" dev.switchc.runtime.tpu.TfNatives 2>/dev/null)" || {
    echo "build.sh: cannot locate the TensorFlow natives (java -cp ... dev.switchc.runtime.tpu.TfNatives failed)" >&2; exit 1; }
  for lib in cc framework; do
    want="$(sed -n "s/^#define SWITCHC_EXPECTED_TF_${lib^^}_BUILD_ID \"\(.*\)\"/\1/p" "$here/tf_natives.h")"
    got="$(readelf -n "$dir/libtensorflow_$lib.so.2" 2>/dev/null | awk '/Build ID:/ {print $3; exit}')"
    if [ "$want" != "$got" ]; then
      echo "build.sh: $dir/libtensorflow_$lib.so.2 has build-id $got, but this code was verified against $want" \
        "(tf_natives.h): the XLA layouts it relies on may differ; keep tensorflow-core-native at 1.1.0" >&2
      exit 1
    fi
  done
  echo "$dir"
}

# Links against libstdc++ first (libtensorflow_framework also exports some std::string members,
# unversioned; ours must bind to libstdc++'s), then libtensorflow_cc, so symbols present in both TF
# libraries bind to its versioned definitions.
tf_link() {
  echo -lstdc++ -L"$1" -l:libtensorflow_cc.so.2 -l:libtensorflow_framework.so.2 -Wl,-z,defs -Wl,--as-needed
}

# True when $1 exists and is newer than every native source and this script: nothing to rebuild.
fresh() {
  [ -f "$1" ] && [ -z "$(find "$here" "$here/../../test/native" -newer "$1" -print -quit)" ]
}

case "$mode" in
  main)
    fresh "$out/libswitchc_pjrt.so" && fresh "$out/libswitchc_xla.so" && exit 0
    "$CXX" "${flags[@]}" -shared "$here/pjrt_bridge.cc" -o "$out/libswitchc_pjrt.so" -ldl -Wl,-z,defs \
      "$(exports pjrt 'Java_dev_switchc_runtime_tpu_PjrtPlugin_*')"
    dir="$(tf_natives)"
    # shellcheck disable=SC2046
    "$CXX" "${flags[@]}" -shared "$here/xla_bridge.cc" -o "$out/libswitchc_xla.so" $(tf_link "$dir") \
      "$(exports xla 'JNI_OnLoad; Java_dev_switchc_runtime_tpu_XlaBridge_*')"
    ;;
  test)
    fresh "$out/libpjrt_standin_cpu.so" && fresh "$out/libpjrt_standin_cpu_v56.so" && exit 0
    dir="$(tf_natives)"
    test_src="$here/../../test/native"
    for variant in "" 56; do
      name=libpjrt_standin_cpu${variant:+_v$variant}.so
      # The run-path lets a process that has not loaded TensorFlow Java (the CLI running on a
      # plugin) load the stand-in, as it would load libtpu.
      # shellcheck disable=SC2046
      "$CXX" "${flags[@]}" -I"$test_src" ${variant:+-DSTANDIN_MINOR=$variant} -shared "$test_src/standin_plugin.cc" -o "$out/$name" \
        $(tf_link "$dir") -Wl,-rpath,"$dir" -ldl "$(exports standin GetPjrtApi)"
    done
    ;;
  *) echo "build.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
rm -f "$out"/.*.map
