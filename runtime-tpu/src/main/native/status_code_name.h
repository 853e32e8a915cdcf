// The canonical name of an absl::StatusCode (= PJRT_Error_Code), for XlaException: shared by both
// JNI bridges (libswitchc_xla.so and libswitchc_pjrt.so).
#ifndef SWITCHC_STATUS_CODE_NAME_H_
#define SWITCHC_STATUS_CODE_NAME_H_

namespace switchc {

inline const char* StatusCodeName(int code) {
  static const char* const kNames[] = {
      "OK",        "CANCELLED",          "UNKNOWN",          "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",   "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",      "DATA_LOSS",
      "UNAUTHENTICATED"};
  return code >= 0 && code < static_cast<int>(sizeof(kNames) / sizeof(kNames[0])) ? kNames[code]
                                                                                   : "UNKNOWN_CODE";
}

}  // namespace switchc

#endif  // SWITCHC_STATUS_CODE_NAME_H_
