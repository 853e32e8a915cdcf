// standin_xla_abi.h -- the XLA C++ entry points the CPU stand-in plugin calls: the bridge's own
// bindings (main/native/xla_abi.h, xla_support.h: hand-declared, bound to the mangled symbols of
// the TensorFlow Java natives, every layout read off that one build), under the name the stand-in
// uses. The stand-in refuses to initialise unless the GNU build-ids of the mapped TensorFlow
// libraries are the ones the bindings were verified against (tf_natives.h).
#ifndef SWITCHC_STANDIN_XLA_ABI_H_
#define SWITCHC_STANDIN_XLA_ABI_H_

#include "xla_abi.h"
#include "xla_support.h"

namespace standin {
namespace xla = ::switchc::xla_abi;
}  // namespace standin

#endif  // SWITCHC_STANDIN_XLA_ABI_H_
