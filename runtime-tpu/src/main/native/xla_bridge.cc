// libswitchc_xla.so: a JNI bridge from dev.switchc.runtime.tpu.XlaBridge to XLA's PJRT CPU client
// (xla::TfrtCpuClient) inside the TensorFlow Java natives. It runs SPMD StableHLO modules through
// XLA's own SPMD partitioner on N in-process CPU devices, with XLA's real collectives.
//
// Design
//  * Handle-based: Java holds 64-bit handles, never pointers. A handle is (kind << 56 | serial) and
//    is looked up in a registry, so a null, freed, forged or wrong-kind handle raises a Java
//    exception instead of crashing the JVM.
//  * Lifetimes: every executable and buffer keeps its client alive (shared ownership), so freeing
//    handles in any order is safe; an object is destroyed when its handle is freed and no call in
//    flight still uses it.
//  * Errors: a failed absl::Status becomes dev.switchc.runtime.tpu.XlaException (code + XLA's
//    message); invalid arguments the bridge can check become IllegalArgumentException, unusable
//    handles IllegalStateException. Arguments that would trip a native CHECK (and abort the whole
//    process) are validated before the call.
//  * Executes on one client are serialized: two concurrent launches on one client can deadlock
//    inside XLA's in-process collectives (the devices see them in different orders).
//  * The bridge refuses to create a client unless the GNU build-ids of the TensorFlow libraries
//    mapped into the process equal those recorded when the bridge was built (tf_natives.h): the
//    struct layouts it relies on belong to that exact binary.
#include <elf.h>
#include <jni.h>
#include <link.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tf_natives.h"  // SWITCHC_EXPECTED_TF_{CC,FRAMEWORK}_BUILD_ID
#include "xla_abi.h"
#include "xla_support.h"

namespace {

using namespace switchc::xla_abi;  // NOLINT(build/namespaces): one translation unit

// Upper bound on the devices of one client. XLA CHECK-fails (aborting the JVM) when it cannot
// create the threads for a very large count; it starts one thread per device.
constexpr jint kMaxCpuDevices = 4096;
// Upper bound on array rank accepted from Java (XLA's own limit is far higher; this only guards
// against nonsense input).
constexpr jsize kMaxRank = 64;

// =============================================================================================
// Java classes and exceptions
// =============================================================================================

struct JavaClasses {
  jclass xla_exception = nullptr;       // dev.switchc.runtime.tpu.XlaException
  jmethodID xla_exception_ctor = nullptr;  // (int code, String codeName, String message)
  jclass illegal_argument = nullptr;
  jclass illegal_state = nullptr;
  jclass runtime_exception = nullptr;
  jclass string = nullptr;
  jmethodID string_from_bytes = nullptr;  // String(byte[], Charset)
  jobject utf8 = nullptr;                 // StandardCharsets.UTF_8
  jclass long_array = nullptr;            // long[]
};
JavaClasses g_java;

// Thrown-exception marker: C++ code that detects an error throws one of these after raising the
// Java exception; the JNI entry wrapper swallows it and returns a default value.
struct JavaExceptionPending {};

jclass GlobalClass(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

bool InitJavaClasses(JNIEnv* env) {
  g_java.xla_exception = GlobalClass(env, "dev/switchc/runtime/tpu/XlaException");
  if (g_java.xla_exception == nullptr) return false;
  g_java.xla_exception_ctor = env->GetMethodID(g_java.xla_exception, "<init>",
                                               "(ILjava/lang/String;Ljava/lang/String;)V");
  g_java.illegal_argument = GlobalClass(env, "java/lang/IllegalArgumentException");
  g_java.illegal_state = GlobalClass(env, "java/lang/IllegalStateException");
  g_java.runtime_exception = GlobalClass(env, "java/lang/RuntimeException");
  g_java.string = GlobalClass(env, "java/lang/String");
  g_java.long_array = GlobalClass(env, "[J");
  if (g_java.xla_exception_ctor == nullptr || g_java.illegal_argument == nullptr ||
      g_java.illegal_state == nullptr || g_java.runtime_exception == nullptr ||
      g_java.string == nullptr || g_java.long_array == nullptr) {
    return false;
  }
  g_java.string_from_bytes =
      env->GetMethodID(g_java.string, "<init>", "([BLjava/nio/charset/Charset;)V");
  jclass charsets = env->FindClass("java/nio/charset/StandardCharsets");
  if (g_java.string_from_bytes == nullptr || charsets == nullptr) return false;
  jfieldID utf8_field = env->GetStaticFieldID(charsets, "UTF_8", "Ljava/nio/charset/Charset;");
  if (utf8_field == nullptr) return false;
  jobject utf8 = env->GetStaticObjectField(charsets, utf8_field);
  g_java.utf8 = env->NewGlobalRef(utf8);
  env->DeleteLocalRef(utf8);
  env->DeleteLocalRef(charsets);
  return g_java.utf8 != nullptr;
}

// A Java String from UTF-8 bytes (NewStringUTF would need modified UTF-8).
jstring NewJavaString(JNIEnv* env, std::string_view utf8) {
  if (utf8.size() > static_cast<std::size_t>(std::numeric_limits<jsize>::max())) {
    utf8 = utf8.substr(0, std::numeric_limits<jsize>::max());
  }
  jbyteArray bytes = env->NewByteArray(static_cast<jsize>(utf8.size()));
  if (bytes == nullptr) throw JavaExceptionPending{};  // OutOfMemoryError pending
  env->SetByteArrayRegion(bytes, 0, static_cast<jsize>(utf8.size()),
                          reinterpret_cast<const jbyte*>(utf8.data()));
  auto result = static_cast<jstring>(
      env->NewObject(g_java.string, g_java.string_from_bytes, bytes, g_java.utf8));
  env->DeleteLocalRef(bytes);
  if (result == nullptr) throw JavaExceptionPending{};
  return result;
}

[[noreturn]] void ThrowJava(JNIEnv* env, jclass type, const std::string& message) {
  env->ThrowNew(type, message.c_str());
  throw JavaExceptionPending{};
}
[[noreturn]] void ThrowIllegalArgument(JNIEnv* env, const std::string& message) {
  ThrowJava(env, g_java.illegal_argument, message);
}
[[noreturn]] void ThrowIllegalState(JNIEnv* env, const std::string& message) {
  ThrowJava(env, g_java.illegal_state, message);
}

// Raises XlaException(code, codeName, message) for a failed XLA status.
[[noreturn]] void ThrowXla(JNIEnv* env, const StatusInfo& status, std::string_view context) {
  std::string message(context);
  if (!message.empty()) message += ": ";
  message += status.message;
  jstring code_name = NewJavaString(env, StatusCodeName(status.code));
  jstring text = NewJavaString(env, message);
  auto exception = static_cast<jthrowable>(env->NewObject(
      g_java.xla_exception, g_java.xla_exception_ctor, static_cast<jint>(status.code), code_name,
      text));
  if (exception != nullptr) env->Throw(exception);
  throw JavaExceptionPending{};
}

// Throws XlaException if `rep` is not OK (consuming it).
void CheckStatus(JNIEnv* env, StatusRep& rep, std::string_view context) {
  if (rep != kStatusOk) ThrowXla(env, ConsumeStatus(rep), context);
}
template <typename T>
void CheckStatus(JNIEnv* env, StatusOr<T>& status_or, std::string_view context) {
  if (!status_or.ok()) ThrowXla(env, status_or.TakeError(), context);
}

// Runs a JNI entry body: C++ exceptions become Java exceptions, and the default value is returned
// whenever a Java exception is pending.
template <typename R, typename Body>
R Guarded(JNIEnv* env, R default_value, Body&& body) {
  try {
    return body();
  } catch (const JavaExceptionPending&) {
  } catch (const std::bad_alloc&) {
    env->ThrowNew(g_java.runtime_exception, "switchc_xla: native out of memory");
  } catch (const std::exception& e) {
    env->ThrowNew(g_java.runtime_exception, (std::string("switchc_xla: ") + e.what()).c_str());
  } catch (...) {
    env->ThrowNew(g_java.runtime_exception, "switchc_xla: unknown native exception");
  }
  return default_value;
}
template <typename Body>
void GuardedVoid(JNIEnv* env, Body&& body) {
  Guarded<int>(env, 0, [&] {
    body();
    return 0;
  });
}

// Copies a Java byte[] (non-null) into a std::string.
std::string CopyBytes(JNIEnv* env, jbyteArray array, const char* what) {
  if (array == nullptr) ThrowIllegalArgument(env, std::string(what) + " is null");
  const jsize length = env->GetArrayLength(array);
  std::string bytes(static_cast<std::size_t>(length), '\0');
  env->GetByteArrayRegion(array, 0, length, reinterpret_cast<jbyte*>(bytes.data()));
  return bytes;
}

jbyteArray NewByteArray(JNIEnv* env, std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<jsize>::max())) {
    ThrowIllegalState(env, "result larger than a Java array (" + std::to_string(bytes.size()) +
                               " bytes)");
  }
  jbyteArray array = env->NewByteArray(static_cast<jsize>(bytes.size()));
  if (array == nullptr) throw JavaExceptionPending{};
  env->SetByteArrayRegion(array, 0, static_cast<jsize>(bytes.size()),
                          reinterpret_cast<const jbyte*>(bytes.data()));
  return array;
}

// A direct java.nio.ByteBuffer's memory: whole capacity from its base address (position and limit
// are ignored; pass a slice to use part of a larger buffer).
struct DirectMemory {
  char* data;
  std::int64_t size;
};
DirectMemory GetDirectMemory(JNIEnv* env, jobject buffer) {
  if (buffer == nullptr) ThrowIllegalArgument(env, "buffer is null");
  void* address = env->GetDirectBufferAddress(buffer);
  const jlong capacity = env->GetDirectBufferCapacity(buffer);
  if (address == nullptr || capacity < 0) {
    ThrowIllegalArgument(env, "buffer is not a direct java.nio.ByteBuffer");
  }
  return {static_cast<char*>(address), capacity};
}

// =============================================================================================
// Build-ids of the loaded TensorFlow libraries
// =============================================================================================

struct LoadedLibrary {
  std::string path;
  ElfW(Addr) base = 0;  // where the library is mapped (dlpi_addr)
  std::string build_id;  // lower-case hex; empty if the library is not mapped or has no id
};
struct LoadedNatives {
  LoadedLibrary cc;         // libtensorflow_cc.so.2
  LoadedLibrary framework;  // libtensorflow_framework.so.2
};

bool HasBaseName(const char* path, const char* base) {
  if (path == nullptr) return false;
  const char* slash = std::strrchr(path, '/');
  return std::strcmp(slash != nullptr ? slash + 1 : path, base) == 0;
}

// The NT_GNU_BUILD_ID note of a mapped object, read from its PT_NOTE segments in memory.
std::string BuildIdOf(const dl_phdr_info* info) {
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const auto* cursor = reinterpret_cast<const unsigned char*>(info->dlpi_addr + segment.p_vaddr);
    const unsigned char* const end = cursor + segment.p_memsz;
    const std::size_t align = segment.p_align > 4 ? segment.p_align : 4;
    auto round_up = [align](std::size_t n) { return (n + align - 1) / align * align; };
    while (cursor + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) header;
      std::memcpy(&header, cursor, sizeof(header));
      const unsigned char* name = cursor + sizeof(header);
      const unsigned char* desc = name + round_up(header.n_namesz);
      const unsigned char* next = desc + round_up(header.n_descsz);
      if (next > end || next <= cursor) break;
      if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        static const char kHex[] = "0123456789abcdef";
        std::string hex;
        for (ElfW(Word) k = 0; k < header.n_descsz; ++k) {
          hex += kHex[desc[k] >> 4];
          hex += kHex[desc[k] & 15];
        }
        return hex;
      }
      cursor = next;
    }
  }
  return {};
}

LoadedNatives FindLoadedNatives() {
  LoadedNatives natives;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) -> int {
        auto* found = static_cast<LoadedNatives*>(data);
        LoadedLibrary* slot = nullptr;
        if (HasBaseName(info->dlpi_name, "libtensorflow_cc.so.2")) slot = &found->cc;
        if (HasBaseName(info->dlpi_name, "libtensorflow_framework.so.2")) slot = &found->framework;
        if (slot != nullptr && slot->path.empty()) {
          slot->path = info->dlpi_name;
          slot->base = info->dlpi_addr;
          slot->build_id = BuildIdOf(info);
        }
        return 0;
      },
      &natives);
  return natives;
}

// Throws IllegalStateException unless the mapped natives are the build the bridge was made for.
void RequireExpectedNatives(JNIEnv* env) {
  static std::once_flag once;
  static std::string mismatch;  // empty when the check passed
  std::call_once(once, [] {
    const LoadedNatives natives = FindLoadedNatives();
    auto check = [](const LoadedLibrary& lib, const char* name, const char* expected) {
      if (lib.build_id == expected) return std::string();
      return std::string(name) + " build-id " +
             (lib.build_id.empty() ? std::string("<not found>") : lib.build_id) + " (" +
             (lib.path.empty() ? std::string("not mapped") : lib.path) + "), expected " + expected;
    };
    mismatch = check(natives.cc, "libtensorflow_cc.so.2", SWITCHC_EXPECTED_TF_CC_BUILD_ID);
    std::string framework = check(natives.framework, "libtensorflow_framework.so.2",
                                  SWITCHC_EXPECTED_TF_FRAMEWORK_BUILD_ID);
    if (!framework.empty()) mismatch += (mismatch.empty() ? "" : "; ") + framework;
  });
  if (!mismatch.empty()) {
    ThrowIllegalState(env, "switchc_xla was built for other TensorFlow natives: " + mismatch);
  }
}

// =============================================================================================
// Handle registry
// =============================================================================================

enum class Kind : jlong { kClient = 1, kExecutable = 2, kBuffer = 3 };
constexpr int kKindShift = 56;
constexpr jlong kSerialMask = (jlong{1} << kKindShift) - 1;

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kClient: return "client";
    case Kind::kExecutable: return "executable";
    case Kind::kBuffer: return "buffer";
  }
  return "?";
}

// Destroys an XLA object through the deleting destructor of its expected dynamic type. An object
// of another type (never seen) is leaked with a message rather than destroyed the wrong way.
template <typename T>
void DestroyAs(T* object, void* const* vtable, void (*deleting_destructor)(T*), const char* type) {
  if (object == nullptr) return;
  if (HasDynamicType(object, vtable)) {
    deleting_destructor(object);
  } else {
    std::fprintf(stderr, "switchc_xla: not destroying an object that is not a %s\n", type);
  }
}

struct ClientObject {
  PjRtClient* client = nullptr;
  std::vector<PjRtDevice*> devices;  // addressable devices, in XLA's order
  std::mutex execute_mutex;          // serializes Execute on this client
  ~ClientObject() {
    DestroyAs(client, TfrtCpuClient_vtable, TfrtCpuClient_Delete, "TfrtCpuClient");
  }
};

struct ExecutableObject {
  std::shared_ptr<ClientObject> client;
  PjRtLoadedExecutable* executable = nullptr;
  std::vector<PjRtDevice*> devices;           // argument list d runs on devices[d]
  std::vector<std::string> parameter_shapes;  // per-device parameter shapes with layouts
  std::vector<std::string> result_shapes;     // per-device result shapes (tuple flattened)
  ~ExecutableObject() {
    DestroyAs(executable, TfrtCpuExecutable_vtable, TfrtCpuExecutable_Delete, "TfrtCpuExecutable");
  }
};

struct BufferObject {
  std::shared_ptr<ClientObject> client;
  PjRtBuffer* buffer = nullptr;
  ~BufferObject() {
    DestroyAs(buffer, TfrtCpuBuffer_vtable, TfrtCpuBuffer_Delete, "TfrtCpuBuffer");
  }
};

template <typename T> constexpr Kind KindOf();
template <> constexpr Kind KindOf<ClientObject>() { return Kind::kClient; }
template <> constexpr Kind KindOf<ExecutableObject>() { return Kind::kExecutable; }
template <> constexpr Kind KindOf<BufferObject>() { return Kind::kBuffer; }

class Registry {
 public:
  template <typename T>
  jlong Add(std::shared_ptr<T> object) {
    std::lock_guard<std::mutex> lock(mutex_);
    const jlong handle =
        (static_cast<jlong>(KindOf<T>()) << kKindShift) | (next_serial_++ & kSerialMask);
    objects_.emplace(handle, std::move(object));
    return handle;
  }

  // The live object behind `handle`, or a Java exception naming what is wrong with the handle.
  template <typename T>
  std::shared_ptr<T> Get(JNIEnv* env, jlong handle) {
    std::shared_ptr<void> object;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = objects_.find(handle);
      if (it != objects_.end() && KindOfHandle(handle) == KindOf<T>()) object = it->second;
    }
    if (object == nullptr) ThrowIllegalState(env, Describe(handle, KindOf<T>()));
    return std::static_pointer_cast<T>(object);
  }

  // Removes the handle. The object is destroyed when the returned pointer (and any call still
  // using it) lets go, outside the registry lock.
  template <typename T>
  std::shared_ptr<void> Remove(JNIEnv* env, jlong handle) {
    std::shared_ptr<void> object;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = objects_.find(handle);
      if (it != objects_.end() && KindOfHandle(handle) == KindOf<T>()) {
        object = std::move(it->second);
        objects_.erase(it);
      }
    }
    if (object == nullptr) ThrowIllegalState(env, Describe(handle, KindOf<T>()));
    return object;
  }

  // Drops a handle known to be valid (cleanup on error paths; never throws to Java).
  void Discard(jlong handle) {
    std::shared_ptr<void> object;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = objects_.find(handle);
      if (it == objects_.end()) return;
      object = std::move(it->second);
      objects_.erase(it);
    }
  }

  std::size_t Count(Kind kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        objects_.begin(), objects_.end(),
        [kind](const auto& entry) { return KindOfHandle(entry.first) == kind; }));
  }

 private:
  static Kind KindOfHandle(jlong handle) { return static_cast<Kind>(handle >> kKindShift); }

  std::string Describe(jlong handle, Kind expected) {
    char hex[32];
    std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(handle));
    if (handle == 0) return std::string("null ") + KindName(expected) + " handle";
    const jlong kind_bits = handle >> kKindShift;
    if (kind_bits >= 1 && kind_bits <= 3 && static_cast<Kind>(kind_bits) != expected) {
      return std::string("handle ") + hex + " is a" + (kind_bits == 2 ? "n " : " ") +
             KindName(static_cast<Kind>(kind_bits)) +
             " handle, expected a" + (expected == Kind::kExecutable ? "n " : " ") +
             KindName(expected) + " handle";
    }
    return std::string("invalid or already freed ") + KindName(expected) + " handle " + hex;
  }

  std::mutex mutex_;
  std::unordered_map<jlong, std::shared_ptr<void>> objects_;
  jlong next_serial_ = 1;
};

// Never destroyed: objects still registered when the process exits are left to the OS rather than
// torn down by a static destructor while JVM threads may still be calling in and XLA's own
// statics may already be gone.
Registry& g_registry = *new Registry();

// Takes ownership of a buffer returned by XLA and registers it.
jlong RegisterBuffer(const std::shared_ptr<ClientObject>& client, PjRtBuffer* buffer) {
  auto object = std::make_shared<BufferObject>();
  object->client = client;
  object->buffer = buffer;
  return g_registry.Add(std::move(object));
}

// =============================================================================================
// Element types
// =============================================================================================

// Bytes per element of the array types the bridge moves between Java and XLA; 0 if not accepted
// (tuples, tokens, opaque and sub-byte types make XLA CHECK-fail or need packing).
int ElementBytes(jint type) {
  switch (type) {
    case PRED: case S8: case U8: return 1;
    case S16: case U16: case F16: case BF16: return 2;
    case S32: case U32: case F32: return 4;
    case S64: case U64: case F64: case C64: return 8;
    case C128: return 16;
    default: return 0;
  }
}

// Product of dims times element size, or -1 on overflow.
std::int64_t ByteSize(const std::int64_t* dims, std::size_t rank, int element_bytes) {
  std::int64_t bytes = element_bytes;
  for (std::size_t i = 0; i < rank; ++i) {
    if (dims[i] < 0) return -1;
    if (dims[i] != 0 && bytes > std::numeric_limits<std::int64_t>::max() / dims[i]) return -1;
    bytes *= dims[i];
  }
  return bytes;
}

// True if a shape string like "f32[2,3]{1,0}" has the plain row-major layout: minor_to_major is
// rank-1, ..., 0 with no layout attributes (":T(...)" tiling, memory space, ...). A rank-0 shape
// may have no layout braces at all.
bool IsRowMajorShapeString(const std::string& shape, std::size_t rank) {
  const std::size_t open = shape.rfind('{');
  const std::size_t close = shape.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return rank == 0;
  const std::string body = shape.substr(open + 1, close - open - 1);
  if (body.find(':') != std::string::npos) return false;
  std::vector<long> minor_to_major;
  const char* cursor = body.c_str();
  while (*cursor != '\0') {
    char* end = nullptr;
    minor_to_major.push_back(std::strtol(cursor, &end, 10));
    if (end == cursor || (*end != ',' && *end != '\0')) return false;
    if (*end == ',' && end[1] == '\0') return false;  // trailing comma
    cursor = *end == ',' ? end + 1 : end;
  }
  if (minor_to_major.size() != rank) return false;
  for (std::size_t i = 0; i < rank; ++i) {
    if (minor_to_major[i] != static_cast<long>(rank - 1 - i)) return false;
  }
  return true;
}

// =============================================================================================
// Options
// =============================================================================================

// ExecuteOptionsProto{untuple_result (2) = true, execution_mode (6) = EXECUTION_MODE_DEFAULT (1)}.
// execution_mode must be set: 0 is rejected with "Unknown execution mode: 0".
constexpr unsigned char kExecuteOptionsBytes[] = {0x10, 0x01, 0x30, 0x01};

// The process-wide xla::ExecuteOptions, built once from kExecuteOptionsBytes.
const void* BridgeExecuteOptions(JNIEnv* env) {
  static std::once_flag once;
  static StatusOr<ExecuteOptionsValue>* options = nullptr;  // never destroyed
  static StatusInfo error;
  std::call_once(once, [] {
    ExecuteOptionsProto proto;
    if (!proto.Parse(kExecuteOptionsBytes, sizeof(kExecuteOptionsBytes))) {
      error = {13, "cannot parse the bridge's ExecuteOptionsProto"};
      return;
    }
    auto* parsed = new StatusOr<ExecuteOptionsValue>();
    ExecuteOptions_FromProto(parsed->out(), proto.get());
    if (!parsed->ok()) {
      error = parsed->TakeError();
      delete parsed;
      return;
    }
    if (parsed->value().bytes[kExecuteOptionsUntupleResultOffset] != 1) {
      error = {13, "ExecuteOptions layout check failed (untuple_result not at its offset)"};
      return;  // leaked on purpose: its layout is not what we think, so do not destroy it
    }
    options = parsed;
  });
  if (options == nullptr) ThrowXla(env, error, "building ExecuteOptions");
  return options->value().bytes;
}

// Parses CompileOptionsProto bytes into xla::CompileOptions (constructed inside `out`).
void ParseCompileOptions(JNIEnv* env, const std::string& bytes,
                         StatusOr<CompileOptionsValue>& out) {
  CompileOptionsProto proto;
  if (!proto.Parse(bytes.data(), bytes.size())) {
    ThrowIllegalArgument(env, "compile options are not a valid serialized xla.CompileOptionsProto");
  }
  CompileOptions_FromProto(out.out(), proto.get());
  CheckStatus(env, out, "CompileOptions::FromProto");
}

// The HLO text of a compiled executable's module(s).
std::string OptimizedHloText(JNIEnv* env, const PjRtLoadedExecutable* executable) {
  StatusOr<std::vector<std::shared_ptr<HloModule>>> modules;
  TfrtCpuExecutable_GetHloModules(modules.out(), executable);
  CheckStatus(env, modules, "GetHloModules");
  std::string text;
  for (const auto& module : modules.value()) {
    if (!text.empty()) text += "\n";
    text += HloModule_ToString(module.get(), HloPrintOptions_Default);
  }
  return text;
}

// Splits "a, b, c" at top-level commas (outside (), [] and {}), dropping the "/*index=5*/"
// comments XLA's printer puts before every fifth element of a long list.
std::vector<std::string> SplitTopLevel(std::string_view list) {
  std::vector<std::string> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= list.size(); ++i) {
    const char c = i < list.size() ? list[i] : ',';
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      std::string_view part = list.substr(start, i - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.substr(0, 2) == "/*") {
        const std::size_t close = part.find("*/");
        part.remove_prefix(close == std::string_view::npos ? part.size() : close + 2);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      }
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      if (!part.empty()) parts.emplace_back(part);
      start = i + 1;
    }
  }
  return parts;
}

// Reads the per-device signature from the module header of XLA's HLO text:
//   HloModule m, ..., entry_computation_layout={(P0, P1)->(R0, R1)}, ...
// (shapes with layouts, in ShapeUtil::HumanStringWithLayout form). False if not found.
bool ParseEntryComputationLayout(std::string_view hlo, std::vector<std::string>* parameters,
                                 std::vector<std::string>* results) {
  constexpr std::string_view kKey = "entry_computation_layout={";
  const std::size_t line_end = hlo.find('\n');
  const std::string_view header = hlo.substr(0, line_end);
  const std::size_t key = header.find(kKey);
  if (key == std::string_view::npos) return false;
  std::size_t pos = key + kKey.size();
  int depth = 1;
  std::size_t end = pos;
  while (end < header.size() && depth > 0) {
    if (header[end] == '{') ++depth;
    if (header[end] == '}') --depth;
    ++end;
  }
  if (depth != 0) return false;
  const std::string_view layout = header.substr(pos, end - 1 - pos);  // "(P...)->R"
  const std::size_t arrow = layout.find(")->");
  if (layout.empty() || layout.front() != '(' || arrow == std::string_view::npos) return false;
  *parameters = SplitTopLevel(layout.substr(1, arrow - 1));
  std::string_view result = layout.substr(arrow + 3);
  if (!result.empty() && result.front() == '(' && result.back() == ')') {
    *results = SplitTopLevel(result.substr(1, result.size() - 2));
  } else {
    *results = {std::string(result)};
  }
  return true;
}

std::shared_ptr<ExecutableObject> RegisterExecutable(JNIEnv* env,
                                                      const std::shared_ptr<ClientObject>& client,
                                                      PjRtLoadedExecutable* executable) {
  if (!HasDynamicType(executable, TfrtCpuExecutable_vtable)) {
    // Not the type whose entry points we call; leaking is the only safe option.
    ThrowIllegalState(env, "XLA returned an executable that is not an xla::TfrtCpuExecutable");
  }
  auto object = std::make_shared<ExecutableObject>();
  object->client = client;
  object->executable = executable;  // owned from here on
  const Span<PjRtDevice*> devices = TfrtCpuExecutable_addressable_devices(executable);
  object->devices.assign(devices.data, devices.data + devices.size);
  if (!ParseEntryComputationLayout(OptimizedHloText(env, executable), &object->parameter_shapes,
                                   &object->result_shapes)) {
    ThrowIllegalState(env, "cannot read entry_computation_layout from the compiled HLO module");
  }
  return object;
}

// Java String[] from strings.
jobjectArray NewStringArray(JNIEnv* env, const std::vector<std::string>& strings) {
  jobjectArray result =
      env->NewObjectArray(static_cast<jsize>(strings.size()), g_java.string, nullptr);
  if (result == nullptr) throw JavaExceptionPending{};
  for (std::size_t i = 0; i < strings.size(); ++i) {
    jstring text = NewJavaString(env, strings[i]);
    env->SetObjectArrayElement(result, static_cast<jsize>(i), text);
    env->DeleteLocalRef(text);
  }
  return result;
}

}  // namespace

// =============================================================================================
// JNI entry points: dev.switchc.runtime.tpu.XlaBridge
// =============================================================================================
extern "C" {

JNIEXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
  if (!InitJavaClasses(env)) return JNI_ERR;
  return JNI_VERSION_1_8;
}

// abseil's logging, which TensorFlow 2.18 and XLA log through and which TF_CPP_MIN_LOG_LEVEL does
// not reach: messages below `severity` (0 info, 1 warning, 2 error, 3 fatal) are dropped, the rest
// go to stderr, and logging counts as initialised (else abseil prefixes the first message with a
// warning that InitializeLog was not called). Each TF library has its own copy of that state
// (tf_natives.h), set here through its addresses, after the build-id check that makes them valid.
JNIEXPORT void JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_setLogSeverity(JNIEnv* env, jclass, jint severity) {
  Guarded<int>(env, 0, [&] {
    RequireExpectedNatives(env);
    if (env->ExceptionCheck()) return 0;
    const int level = severity < 0 ? 0 : severity > 3 ? 3 : severity;
    const LoadedNatives natives = FindLoadedNatives();
    auto set = [level](const LoadedLibrary& lib, ElfW(Addr) min_level, ElfW(Addr) threshold, ElfW(Addr) initialized) {
      __atomic_store_n(reinterpret_cast<int*>(lib.base + min_level), level, __ATOMIC_RELAXED);
      __atomic_store_n(reinterpret_cast<int*>(lib.base + threshold), level, __ATOMIC_RELAXED);
      __atomic_store_n(reinterpret_cast<bool*>(lib.base + initialized), true, __ATOMIC_RELEASE);
    };
    set(natives.cc, SWITCHC_TF_CC_ABSL_MIN_LOG_LEVEL, SWITCHC_TF_CC_ABSL_STDERR_THRESHOLD, SWITCHC_TF_CC_ABSL_LOGGING_INITIALIZED);
    set(natives.framework, SWITCHC_TF_FRAMEWORK_ABSL_MIN_LOG_LEVEL, SWITCHC_TF_FRAMEWORK_ABSL_STDERR_THRESHOLD,
        SWITCHC_TF_FRAMEWORK_ABSL_LOGGING_INITIALIZED);
    return 0;
  });
}

// String[] {libtensorflow_cc.so.2, libtensorflow_framework.so.2} build-ids as mapped (null: not
// mapped).
JNIEXPORT jobjectArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_nativesBuildIds(JNIEnv* env,
                                                                                    jclass) {
  return Guarded<jobjectArray>(env, nullptr, [&] {
    const LoadedNatives natives = FindLoadedNatives();
    jobjectArray result = env->NewObjectArray(2, g_java.string, nullptr);
    if (result == nullptr) throw JavaExceptionPending{};
    const LoadedLibrary* libs[] = {&natives.cc, &natives.framework};
    for (jsize i = 0; i < 2; ++i) {
      if (libs[i]->path.empty()) continue;
      jstring id = NewJavaString(env, libs[i]->build_id);
      env->SetObjectArrayElement(result, i, id);
      env->DeleteLocalRef(id);
    }
    return result;
  });
}

// String[] {cc, framework} build-ids the bridge was compiled against.
JNIEXPORT jobjectArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_expectedBuildIds(JNIEnv* env,
                                                                                     jclass) {
  return Guarded<jobjectArray>(env, nullptr, [&] {
    jobjectArray result = env->NewObjectArray(2, g_java.string, nullptr);
    if (result == nullptr) throw JavaExceptionPending{};
    const char* ids[] = {SWITCHC_EXPECTED_TF_CC_BUILD_ID, SWITCHC_EXPECTED_TF_FRAMEWORK_BUILD_ID};
    for (jsize i = 0; i < 2; ++i) {
      jstring id = NewJavaString(env, ids[i]);
      env->SetObjectArrayElement(result, i, id);
      env->DeleteLocalRef(id);
    }
    return result;
  });
}

// long cpuClient(int devices): an xla::TfrtCpuClient with `devices` CPU devices.
JNIEXPORT jlong JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_cpuClient(JNIEnv* env, jclass,
                                                                       jint devices) {
  return Guarded<jlong>(env, 0, [&] {
    if (devices < 1 || devices > kMaxCpuDevices) {
      ThrowIllegalArgument(env, "device count " + std::to_string(devices) + " is outside 1.." +
                                    std::to_string(kMaxCpuDevices));
    }
    RequireExpectedNatives(env);
    CpuClientOptions options{};
    options.asynchronous = true;  // XLA's default
    options.cpu_device_count = devices;
    options.has_cpu_device_count = true;
    options.max_inflight_computations_per_device = 32;  // XLA's default
    options.process_id = 0;
    options.collectives = nullptr;  // null: XLA's in-process collectives
    options.collectives_control_block = nullptr;
    StatusOr<PjRtClient*> client;
    GetTfrtCpuClient(client.out(), options);
    CheckStatus(env, client, "GetTfrtCpuClient");
    auto object = std::make_shared<ClientObject>();
    object->client = client.value();
    if (!HasDynamicType(object->client, TfrtCpuClient_vtable)) {
      object->client = nullptr;  // leak rather than destroy an object of unknown type
      ThrowIllegalState(env, "XLA returned a client that is not an xla::TfrtCpuClient");
    }
    const Span<PjRtDevice*> devices_span = TfrtCpuClient_addressable_devices(object->client);
    object->devices.assign(devices_span.data, devices_span.data + devices_span.size);
    if (static_cast<jint>(object->devices.size()) != devices) {
      ThrowIllegalState(env, "client has " + std::to_string(object->devices.size()) +
                                 " addressable devices, asked for " + std::to_string(devices));
    }
    return g_registry.Add(std::move(object));
  });
}

JNIEXPORT jint JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_deviceCount(JNIEnv* env, jclass,
                                                                        jlong client) {
  return Guarded<jint>(env, 0, [&] {
    return static_cast<jint>(g_registry.Get<ClientObject>(env, client)->devices.size());
  });
}

// String[] with one line per addressable device: "id=<id> kind=<kind> <XLA debug string>".
JNIEXPORT jobjectArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_devices(JNIEnv* env, jclass,
                                                                            jlong client) {
  return Guarded<jobjectArray>(env, nullptr, [&] {
    auto object = g_registry.Get<ClientObject>(env, client);
    jobjectArray result =
        env->NewObjectArray(static_cast<jsize>(object->devices.size()), g_java.string, nullptr);
    if (result == nullptr) throw JavaExceptionPending{};
    for (std::size_t i = 0; i < object->devices.size(); ++i) {
      const PjRtDevice* device = object->devices[i];
      std::string line = "id=" + std::to_string(PjRtDevice_id(device)) + " kind=" +
                         std::string(PjRtDevice_device_kind(device)) + " " +
                         std::string(PjRtDevice_DebugString(device));
      jstring text = NewJavaString(env, line);
      env->SetObjectArrayElement(result, static_cast<jsize>(i), text);
      env->DeleteLocalRef(text);
    }
    return result;
  });
}

// String describeCompileOptions(byte[] compileOptionsProto): the options as XLA holds them after
// decoding (CompileOptions::FromProto, then ToProto, in protobuf text form), to check an encoder.
JNIEXPORT jstring JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_describeCompileOptions(
    JNIEnv* env, jclass, jbyteArray options_proto) {
  return Guarded<jstring>(env, nullptr, [&] {
    RequireExpectedNatives(env);
    const std::string bytes = CopyBytes(env, options_proto, "compile options");
    StatusOr<CompileOptionsValue> options;
    ParseCompileOptions(env, bytes, options);
    StatusOr<CompileOptionsProtoValue> round_trip;
    CompileOptions_ToProto(round_trip.out(), options.value().bytes);
    CheckStatus(env, round_trip, "CompileOptions::ToProto");
    return NewJavaString(env, Message_ShortDebugString(round_trip.value().bytes));
  });
}

// long compile0(long client, byte[] mlirUtf8, byte[] compileOptionsProto)
JNIEXPORT jlong JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_compile0(JNIEnv* env, jclass,
                                                                      jlong client,
                                                                      jbyteArray mlir_utf8,
                                                                      jbyteArray options_proto) {
  return Guarded<jlong>(env, 0, [&] {
    auto client_object = g_registry.Get<ClientObject>(env, client);
    const std::string text = CopyBytes(env, mlir_utf8, "module text");
    const std::string option_bytes = CopyBytes(env, options_proto, "compile options");

    StatusOr<CompileOptionsValue> options;
    ParseCompileOptions(env, option_bytes, options);

    XlaComputation computation;
    StatusRep status = kStatusUnset;
    ParseMlirModuleStringAndConvertToXlaComputation(&status, text, computation.get(),
                                                    /*use_tuple_args=*/false,
                                                    /*return_tuple=*/false);
    CheckStatus(env, status, "parsing the StableHLO module");

    // CompileOptions is taken by value: `options.value()` serves as the caller-owned temporary;
    // it is destroyed (in its moved-from state) when `options` goes out of scope.
    StatusOr<PjRtLoadedExecutable*> executable;
    TfrtCpuClient_Compile(executable.out(), client_object->client, computation.get(),
                          options.value().bytes);
    CheckStatus(env, executable, "compiling");
    return g_registry.Add(RegisterExecutable(env, client_object, executable.value()));
  });
}

// int[] {num_replicas, num_partitions, addressable devices} of an executable.
JNIEXPORT jintArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_executableInfo(JNIEnv* env,
                                                                                jclass,
                                                                                jlong executable) {
  return Guarded<jintArray>(env, nullptr, [&] {
    auto object = g_registry.Get<ExecutableObject>(env, executable);
    const jint info[3] = {
        TfrtCpuExecutable_num_replicas(object->executable),
        TfrtCpuExecutable_num_partitions(object->executable),
        static_cast<jint>(TfrtCpuExecutable_addressable_devices(object->executable).size)};
    jintArray result = env->NewIntArray(3);
    if (result == nullptr) throw JavaExceptionPending{};
    env->SetIntArrayRegion(result, 0, 3, info);
    return result;
  });
}

// int[] executableDevices(long executable): for each argument list d, the index (in the client's
// device order) of the device it runs on.
JNIEXPORT jintArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_executableDevices(
    JNIEnv* env, jclass, jlong executable) {
  return Guarded<jintArray>(env, nullptr, [&] {
    auto object = g_registry.Get<ExecutableObject>(env, executable);
    const auto& client_devices = object->client->devices;
    std::vector<jint> indices;
    for (const PjRtDevice* device : object->devices) {
      const auto it = std::find(client_devices.begin(), client_devices.end(), device);
      const bool known = it != client_devices.end();
      indices.push_back(known ? static_cast<jint>(it - client_devices.begin()) : -1);
    }
    jintArray result = env->NewIntArray(static_cast<jsize>(indices.size()));
    if (result == nullptr) throw JavaExceptionPending{};
    env->SetIntArrayRegion(result, 0, static_cast<jsize>(indices.size()), indices.data());
    return result;
  });
}

// String optimizedHlo(long executable): the HLO text of the compiled (SPMD-partitioned and
// optimized) module(s), as printed by HloModule::ToString(HloPrintOptions::Default()).
JNIEXPORT jstring JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_optimizedHlo(JNIEnv* env, jclass,
                                                                            jlong executable) {
  return Guarded<jstring>(env, nullptr, [&] {
    auto object = g_registry.Get<ExecutableObject>(env, executable);
    return NewJavaString(env, OptimizedHloText(env, object->executable));
  });
}

// String[] parameterShapes(long executable): per-device parameter shapes, e.g. "f32[1,4]{1,0}".
JNIEXPORT jobjectArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_parameterShapes(
    JNIEnv* env, jclass, jlong executable) {
  return Guarded<jobjectArray>(env, nullptr, [&] {
    return NewStringArray(env, g_registry.Get<ExecutableObject>(env, executable)->parameter_shapes);
  });
}

// String[] resultShapes(long executable): per-device result shapes (tuples flattened).
JNIEXPORT jobjectArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_resultShapes(
    JNIEnv* env, jclass, jlong executable) {
  return Guarded<jobjectArray>(env, nullptr, [&] {
    return NewStringArray(env, g_registry.Get<ExecutableObject>(env, executable)->result_shapes);
  });
}

// byte[] serialize(long executable)
JNIEXPORT jbyteArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_serialize(JNIEnv* env, jclass,
                                                                            jlong executable) {
  return Guarded<jbyteArray>(env, nullptr, [&] {
    auto object = g_registry.Get<ExecutableObject>(env, executable);
    StatusOr<std::string> bytes;
    TfrtCpuExecutable_SerializeExecutable(bytes.out(), object->executable);
    CheckStatus(env, bytes, "SerializeExecutable");
    return NewByteArray(env, bytes.value());
  });
}

// long deserialize(long client, byte[] serialized): compile options come from the bytes.
JNIEXPORT jlong JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_deserialize(JNIEnv* env, jclass,
                                                                         jlong client,
                                                                         jbyteArray serialized) {
  return Guarded<jlong>(env, 0, [&] {
    auto client_object = g_registry.Get<ClientObject>(env, client);
    const std::string bytes = CopyBytes(env, serialized, "serialized executable");
    NullOptCompileOptions no_options;  // std::nullopt, passed by value (caller-owned temporary)
    StatusOr<PjRtLoadedExecutable*> executable;
    TfrtCpuClient_DeserializeExecutable(executable.out(), client_object->client, bytes,
                                        &no_options);
    CheckStatus(env, executable, "DeserializeExecutable");
    return g_registry.Add(RegisterExecutable(env, client_object, executable.value()));
  });
}

// long bufferFromHost(long client, int deviceIndex, ByteBuffer direct, int primitiveType,
//                     long[] dims): copies the whole buffer (capacity must equal the array's
// byte size, row-major) to the device; the Java buffer may be reused as soon as this returns.
JNIEXPORT jlong JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_bufferFromHost(
    JNIEnv* env, jclass, jlong client, jint device_index, jobject host, jint type,
    jlongArray dims_array) {
  return Guarded<jlong>(env, 0, [&] {
    auto client_object = g_registry.Get<ClientObject>(env, client);
    if (device_index < 0 || device_index >= static_cast<jint>(client_object->devices.size())) {
      ThrowIllegalArgument(env, "device index " + std::to_string(device_index) + " is outside 0.." +
                                    std::to_string(client_object->devices.size() - 1));
    }
    const int element_bytes = ElementBytes(type);
    if (element_bytes == 0) {
      ThrowIllegalArgument(env, "unsupported xla.PrimitiveType " + std::to_string(type));
    }
    if (dims_array == nullptr) ThrowIllegalArgument(env, "dims is null");
    const jsize rank = env->GetArrayLength(dims_array);
    if (rank > kMaxRank) ThrowIllegalArgument(env, "rank " + std::to_string(rank) + " too large");
    std::vector<std::int64_t> dims(static_cast<std::size_t>(rank));
    env->GetLongArrayRegion(dims_array, 0, rank, reinterpret_cast<jlong*>(dims.data()));
    const std::int64_t bytes = ByteSize(dims.data(), dims.size(), element_bytes);
    if (bytes < 0) ThrowIllegalArgument(env, "dims are negative or overflow");
    const DirectMemory memory = GetDirectMemory(env, host);
    if (memory.size != bytes) {
      ThrowIllegalArgument(env, "buffer holds " + std::to_string(memory.size) +
                                    " bytes, the array needs " + std::to_string(bytes));
    }
    // kImmutableOnlyDuringCall: XLA copies the data before returning and keeps no reference.
    EmptyAnyInvocable on_done;
    StatusOr<PjRtBuffer*> buffer;
    TfrtCpuClient_BufferFromHostBuffer(
        buffer.out(), client_object->client, memory.data, type, {dims.data(), dims.size()},
        OptionalSpanI64{{nullptr, 0}, false}, kHostBufferImmutableOnlyDuringCall, on_done.get(),
        client_object->devices[static_cast<std::size_t>(device_index)]);
    CheckStatus(env, buffer, "BufferFromHostBuffer");
    if (!HasDynamicType(buffer.value(), TfrtCpuBuffer_vtable)) {
      ThrowIllegalState(env, "XLA returned a buffer that is not an xla::TfrtCpuBuffer");
    }
    return RegisterBuffer(client_object, buffer.value());
  });
}

// long[][] execute(long executable, long[][] argumentsPerDevice): one argument list per
// addressable device (in the executable's device order); returns the result buffers per device.
JNIEXPORT jobjectArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_execute(
    JNIEnv* env, jclass, jlong executable, jobjectArray arguments) {
  return Guarded<jobjectArray>(env, nullptr, [&] {
    auto exe = g_registry.Get<ExecutableObject>(env, executable);
    if (arguments == nullptr) ThrowIllegalArgument(env, "argument lists are null");
    // Everything XLA would check per device is checked here first, for all devices: if XLA
    // rejected the arguments of some devices only, the others would start, wait in their first
    // collective for peers that never come, and wedge the client for good (no timeout).
    const jsize device_count = env->GetArrayLength(arguments);
    if (static_cast<std::size_t>(device_count) != exe->devices.size()) {
      ThrowIllegalArgument(env, "got " + std::to_string(device_count) +
                                    " argument lists, the executable runs on " +
                                    std::to_string(exe->devices.size()) + " devices");
    }
    const std::size_t parameter_count = exe->parameter_shapes.size();
    // Resolve every handle first; holding the objects keeps the buffers alive during the call.
    std::vector<std::shared_ptr<BufferObject>> held;
    std::vector<std::vector<PjRtBuffer*>> lists(static_cast<std::size_t>(device_count));
    for (jsize d = 0; d < device_count; ++d) {
      const std::string where = " of device " + std::to_string(d);
      auto list = static_cast<jlongArray>(env->GetObjectArrayElement(arguments, d));
      if (list == nullptr) ThrowIllegalArgument(env, "argument list" + where + " is null");
      const jsize n = env->GetArrayLength(list);
      if (static_cast<std::size_t>(n) != parameter_count) {
        ThrowIllegalArgument(env, "got " + std::to_string(n) + " arguments" + where +
                                      ", the executable takes " + std::to_string(parameter_count));
      }
      std::vector<jlong> handles(static_cast<std::size_t>(n));
      env->GetLongArrayRegion(list, 0, n, handles.data());
      env->DeleteLocalRef(list);
      for (std::size_t a = 0; a < parameter_count; ++a) {
        auto buffer = g_registry.Get<BufferObject>(env, handles[a]);
        const std::string what = "argument " + std::to_string(a) + where;
        if (buffer->client != exe->client) {
          ThrowIllegalArgument(env, what + " belongs to another client");
        }
        const PjRtDevice* device = TfrtCpuBuffer_device(buffer->buffer);
        const PjRtDevice* expected = exe->devices[static_cast<std::size_t>(d)];
        if (device != expected) {
          ThrowIllegalArgument(env, what + " is on " + std::string(PjRtDevice_DebugString(device)) +
                                        ", expected " +
                                        std::string(PjRtDevice_DebugString(expected)));
        }
        const std::string shape =
            ShapeUtil_HumanStringWithLayout(AbstractTfrtCpuBuffer_on_device_shape(buffer->buffer));
        if (shape != exe->parameter_shapes[a]) {
          ThrowIllegalArgument(env, what + " is " + shape + ", the executable expects " +
                                        exe->parameter_shapes[a]);
        }
        lists[static_cast<std::size_t>(d)].push_back(buffer->buffer);
        held.push_back(std::move(buffer));
      }
    }
    const void* options = BridgeExecuteOptions(env);

    StatusOr<std::vector<std::vector<PjRtBuffer*>>> results;  // vector<vector<unique_ptr<...>>>
    {
      OptionalFutureVector no_futures{nullptr, nullptr, nullptr, false};
      std::lock_guard<std::mutex> lock(exe->client->execute_mutex);
      TfrtCpuExecutable_Execute(results.out(), exe->executable, {lists.data(), lists.size()},
                                options, &no_futures);
    }
    CheckStatus(env, results, "executing");

    // Take ownership of every result buffer before anything can fail.
    std::vector<std::vector<std::unique_ptr<BufferObject>>> owned;
    for (auto& device_results : results.value()) {
      owned.emplace_back();
      for (PjRtBuffer*& raw : device_results) {
        auto object = std::make_unique<BufferObject>();
        object->client = exe->client;
        object->buffer = std::exchange(raw, nullptr);
        owned.back().push_back(std::move(object));
      }
    }
    // Register them all, then build the Java result; if that fails, the handles are freed again.
    std::vector<std::vector<jlong>> handles(owned.size());
    for (std::size_t d = 0; d < owned.size(); ++d) {
      for (auto& object : owned[d]) {
        handles[d].push_back(g_registry.Add(std::shared_ptr<BufferObject>(std::move(object))));
      }
    }
    try {
      jobjectArray result =
          env->NewObjectArray(static_cast<jsize>(handles.size()), g_java.long_array, nullptr);
      if (result == nullptr) throw JavaExceptionPending{};
      for (std::size_t d = 0; d < handles.size(); ++d) {
        jlongArray row = env->NewLongArray(static_cast<jsize>(handles[d].size()));
        if (row == nullptr) throw JavaExceptionPending{};
        env->SetLongArrayRegion(row, 0, static_cast<jsize>(handles[d].size()), handles[d].data());
        env->SetObjectArrayElement(result, static_cast<jsize>(d), row);
        env->DeleteLocalRef(row);
      }
      return result;
    } catch (...) {
      for (const auto& row : handles) {
        for (jlong handle : row) g_registry.Discard(handle);
      }
      throw;
    }
  });
}

// void toHost(long buffer, ByteBuffer direct): waits for the buffer and copies it into the whole
// direct buffer, whose capacity must equal the array's byte size (row-major).
JNIEXPORT void JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_toHost(JNIEnv* env, jclass,
                                                                   jlong buffer, jobject host) {
  GuardedVoid(env, [&] {
    auto object = g_registry.Get<BufferObject>(env, buffer);
    const jint type = PjRtBuffer_element_type(object->buffer);
    const int element_bytes = ElementBytes(type);
    const Shape* shape = AbstractTfrtCpuBuffer_on_device_shape(object->buffer);
    const std::string shape_text = ShapeUtil_HumanStringWithLayout(shape);
    if (element_bytes == 0) {
      ThrowIllegalArgument(env, "cannot copy a buffer of shape " + shape_text + " to the host");
    }
    const Span<std::int64_t> dims = PjRtBuffer_dimensions(object->buffer);
    if (!IsRowMajorShapeString(shape_text, dims.size)) {
      ThrowIllegalState(env, "buffer layout is not row-major: " + shape_text);
    }
    const std::int64_t bytes = ByteSize(dims.data, dims.size, element_bytes);
    const DirectMemory memory = GetDirectMemory(env, host);
    if (memory.size != bytes) {
      ThrowIllegalArgument(env, "buffer holds " + std::to_string(memory.size) + " bytes, " +
                                    shape_text + " needs " + std::to_string(bytes));
    }
    BorrowingLiteral literal(memory.data, shape);
    StatusRep status = kStatusUnset;
    PjRtBuffer_ToLiteralSync(&status, object->buffer, literal.get());
    CheckStatus(env, status, "copying a buffer to the host");
  });
}

JNIEXPORT jint JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_bufferType(JNIEnv* env, jclass,
                                                                       jlong buffer) {
  return Guarded<jint>(env, 0, [&] {
    return PjRtBuffer_element_type(g_registry.Get<BufferObject>(env, buffer)->buffer);
  });
}

JNIEXPORT jlongArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_bufferDims(JNIEnv* env, jclass,
                                                                             jlong buffer) {
  return Guarded<jlongArray>(env, nullptr, [&] {
    auto object = g_registry.Get<BufferObject>(env, buffer);
    const Span<std::int64_t> dims = PjRtBuffer_dimensions(object->buffer);
    jlongArray result = env->NewLongArray(static_cast<jsize>(dims.size));
    if (result == nullptr) throw JavaExceptionPending{};
    env->SetLongArrayRegion(result, 0, static_cast<jsize>(dims.size),
                            reinterpret_cast<const jlong*>(dims.data));
    return result;
  });
}

// XLA's shape string with layout, e.g. "f32[8,128,256]{2,1,0}".
JNIEXPORT jstring JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_bufferShape(JNIEnv* env, jclass,
                                                                           jlong buffer) {
  return Guarded<jstring>(env, nullptr, [&] {
    auto object = g_registry.Get<BufferObject>(env, buffer);
    const Shape* shape = AbstractTfrtCpuBuffer_on_device_shape(object->buffer);
    return NewJavaString(env, ShapeUtil_HumanStringWithLayout(shape));
  });
}

// Index (in the client's device order) of the device holding the buffer.
JNIEXPORT jint JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_bufferDevice(JNIEnv* env, jclass,
                                                                         jlong buffer) {
  return Guarded<jint>(env, -1, [&] {
    auto object = g_registry.Get<BufferObject>(env, buffer);
    const PjRtDevice* device = TfrtCpuBuffer_device(object->buffer);
    const auto& devices = object->client->devices;
    const auto it = std::find(devices.begin(), devices.end(), device);
    return it == devices.end() ? -1 : static_cast<jint>(it - devices.begin());
  });
}

JNIEXPORT void JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_freeBuffer(JNIEnv* env, jclass,
                                                                       jlong buffer) {
  GuardedVoid(env, [&] { g_registry.Remove<BufferObject>(env, buffer); });
}

JNIEXPORT void JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_freeExecutable(JNIEnv* env, jclass,
                                                                           jlong executable) {
  GuardedVoid(env, [&] { g_registry.Remove<ExecutableObject>(env, executable); });
}

// Frees the client handle; the client itself goes when its last executable and buffer are freed.
JNIEXPORT void JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_freeClient(JNIEnv* env, jclass,
                                                                       jlong client) {
  GuardedVoid(env, [&] { g_registry.Remove<ClientObject>(env, client); });
}

// long[] {clients, executables, buffers}: live handle counts (for leak checks).
JNIEXPORT jlongArray JNICALL Java_dev_switchc_runtime_tpu_XlaBridge_liveHandles(JNIEnv* env,
                                                                              jclass) {
  return Guarded<jlongArray>(env, nullptr, [&] {
    const jlong counts[3] = {static_cast<jlong>(g_registry.Count(Kind::kClient)),
                             static_cast<jlong>(g_registry.Count(Kind::kExecutable)),
                             static_cast<jlong>(g_registry.Count(Kind::kBuffer))};
    jlongArray result = env->NewLongArray(3);
    if (result == nullptr) throw JavaExceptionPending{};
    env->SetLongArrayRegion(result, 0, 3, counts);
    return result;
  });
}

}  // extern "C"
