// RAII mirrors of the few XLA / abseil objects the bridge constructs itself, built on the raw
// bindings of xla_abi.h. Each class owns storage of the exact (measured) size and alignment of the
// mirrored type and runs the library's own constructor and destructor on it.
#ifndef SWITCHC_XLA_SUPPORT_H_
#define SWITCHC_XLA_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "xla_abi.h"
#include "status_code_name.h"

namespace switchc::xla_abi {

// Code and message of a failed absl::Status.
struct StatusInfo {
  int code = 0;
  std::string message;
};

using ::switchc::StatusCodeName;

// A status word that was never written by a callee: absl's "moved-from" inlined representation
// (kInternal << 2 | 2). It owns nothing, so releasing it is a no-op.
inline constexpr StatusRep kStatusUnset = (13u << 2) | 2u;

// Takes ownership of a non-OK status word, returns its code and message, and releases it, leaving
// kStatusUnset behind (still "not OK", owning nothing). The word is moved into a TF_Status (which
// holds exactly one absl::Status), read with the public TF C API, and destroyed by
// TF_DeleteStatus, so the library's own code frees the status payload.
inline StatusInfo ConsumeStatus(StatusRep& rep) {
  StatusInfo info;
  TF_Status* holder = TF_NewStatus();
  auto* slot = reinterpret_cast<StatusRep*>(holder);
  // A fresh TF_Status is OK (word 0): overwriting it leaks nothing.
  *slot = rep;
  rep = kStatusUnset;
  info.code = TF_GetCode(holder);
  const char* message = TF_Message(holder);
  info.message = message != nullptr ? message : "";
  TF_DeleteStatus(holder);
  return info;
}

// Releases a non-OK status word without reading it (inlined codes own nothing).
inline void ReleaseStatus(StatusRep& rep) {
  if (rep != kStatusOk && (rep & 1u) != 0) (void)ConsumeStatus(rep);
  rep = kStatusUnset;
}

// Mirror of absl::StatusOr<T>: the status word first, the value (alignment <= 8) at offset 8. The
// callee constructs it in place through the hidden return pointer; the destructor destroys the
// value if the status is OK and releases the status otherwise. T must be a type whose layout is
// identical to the mirrored value type (e.g. PjRtBuffer* for std::unique_ptr<PjRtBuffer>; the
// owner must then take the pointer with release()).
template <typename T>
class StatusOr {
  // absl places the value right after the 8-byte status word when alignof(T) <= 8.
  static_assert(alignof(T) <= 8, "value would not sit at offset 8");

 public:
  StatusOr() noexcept {}
  ~StatusOr() {
    if (rep_ == kStatusOk) {
      value_.~T();
    } else {
      ReleaseStatus(rep_);
    }
  }
  StatusOr(const StatusOr&) = delete;
  StatusOr& operator=(const StatusOr&) = delete;

  void* out() { return this; }  // the hidden return pointer to hand to the callee
  bool ok() const { return rep_ == kStatusOk; }
  T& value() { return value_; }
  StatusInfo TakeError() { return ConsumeStatus(rep_); }  // only when !ok()

 private:
  StatusRep rep_ = kStatusUnset;
  union {
    T value_;
  };
};

// ---- Opaque values with library-provided destructors -----------------------------------------

// xla::CompileOptions (destroyed with its exported destructor).
struct CompileOptionsValue {
  alignas(8) unsigned char bytes[kCompileOptionsSize];
  ~CompileOptionsValue() { CompileOptions_Destroy(bytes); }
};

// xla::CompileOptionsProto returned by value (destroyed with its exported destructor).
struct CompileOptionsProtoValue {
  alignas(8) unsigned char bytes[kCompileOptionsProtoSize];
  ~CompileOptionsProtoValue() { CompileOptionsProto_Destroy(bytes); }
};

// xla::ExecuteOptions. The bridge creates one instance per process and never destroys it (its only
// heap-capable member, an empty absl::flat_hash_set, owns no memory).
struct ExecuteOptionsValue {
  alignas(8) unsigned char bytes[kExecuteOptionsSize];
};

// std::optional<xla::CompileOptions>, only ever disengaged (std::nullopt).
struct NullOptCompileOptions {
  alignas(8) unsigned char storage[kCompileOptionsSize];
  bool engaged = false;
  NullOptCompileOptions() { std::memset(storage, 0, sizeof(storage)); }
};
static_assert(offsetof(NullOptCompileOptions, engaged) == kCompileOptionsSize);

// A generated protobuf message constructed with (Arena* = nullptr, is_message_owned = false).
template <std::size_t kSize, void (*kConstruct)(void*, void*, bool), void (*kDestroy)(void*)>
class ProtoMessage {
 public:
  ProtoMessage() { kConstruct(bytes_, nullptr, false); }
  ~ProtoMessage() { kDestroy(bytes_); }
  ProtoMessage(const ProtoMessage&) = delete;
  ProtoMessage& operator=(const ProtoMessage&) = delete;
  void* get() { return bytes_; }
  // Parses serialized bytes (wire format) into the message; false if they are malformed.
  bool Parse(const void* data, std::size_t size) { return ParseProtoUnlimited(bytes_, data, size); }

 private:
  alignas(16) unsigned char bytes_[kSize];
};
using CompileOptionsProto = ProtoMessage<kCompileOptionsProtoSize, CompileOptionsProto_Construct,
                                         CompileOptionsProto_Destroy>;
using ExecuteOptionsProto = ProtoMessage<kExecuteOptionsProtoSize, ExecuteOptionsProto_Construct,
                                         ExecuteOptionsProto_Destroy>;

// xla::XlaComputation: int64 unique_id (default -1), then an xla::HloModuleProto.
class XlaComputation {
 public:
  XlaComputation() {
    const std::int64_t unset_id = -1;
    std::memcpy(bytes_, &unset_id, sizeof(unset_id));
    HloModuleProto_Construct(bytes_ + 8, nullptr, false);
  }
  ~XlaComputation() { HloModuleProto_Destroy(bytes_ + 8); }
  XlaComputation(const XlaComputation&) = delete;
  XlaComputation& operator=(const XlaComputation&) = delete;
  void* get() { return bytes_; }

 private:
  alignas(16) unsigned char bytes_[kXlaComputationSize];
};

// xla::MutableBorrowingLiteral over caller-owned memory of the given shape.
class BorrowingLiteral {
 public:
  BorrowingLiteral(char* buffer, const Shape* shape) {
    MutableBorrowingLiteral_Construct(bytes_, buffer, shape);
  }
  ~BorrowingLiteral() { MutableBorrowingLiteral_Destroy(bytes_); }
  BorrowingLiteral(const BorrowingLiteral&) = delete;
  BorrowingLiteral& operator=(const BorrowingLiteral&) = delete;
  void* get() { return bytes_; }  // also a valid MutableLiteralBase* (single inheritance)

 private:
  alignas(16) unsigned char bytes_[kMutableBorrowingLiteralSize];
};

// An empty absl::AnyInvocable<void() &&>: null invoker, and a manager that relocates the (unused)
// state and disposes of nothing.
inline void EmptyInvocableManager(int op, void* from, void* to) noexcept {
  if (op == kAnyInvocableRelocate && from != to) std::memcpy(to, from, 16);
}
class EmptyAnyInvocable {
 public:
  EmptyAnyInvocable() {
    std::memset(&value_, 0, sizeof(value_));
    value_.manager = &EmptyInvocableManager;
    value_.invoker = nullptr;
  }
  // The callee moves from the object and leaves its own empty manager behind; either way the
  // current manager is asked to dispose of what is left.
  ~EmptyAnyInvocable() { value_.manager(kAnyInvocableDispose, value_.state, value_.state); }
  EmptyAnyInvocable(const EmptyAnyInvocable&) = delete;
  EmptyAnyInvocable& operator=(const EmptyAnyInvocable&) = delete;
  AnyInvocableVoid* get() { return &value_; }

 private:
  AnyInvocableVoid value_;
};

}  // namespace switchc::xla_abi

#endif  // SWITCHC_XLA_SUPPORT_H_
