// plugin_bridge.cc -- JNI bridge from dev.switchc.runtime.tpu.PjrtPlugin to
// any PJRT C API plugin (libtpu, a GPU plugin, or the CPU stand-in).
//
// The bridge knows nothing about XLA's C++ API: it dlopen()s a plugin, calls
// GetPjrtApi() and drives the returned function table, using only the
// declarations in pjrt_c_api_min.h (PJRT C API 0.105).
//
// Handles. Every native object the Java side holds is a `jlong` that points
// to a small bridge-owned record (Plugin, Client, LoadedExec, Exec, Buffer,
// Topology). Live records are kept in a registry so that a stale, foreign or
// wrongly-typed handle is rejected with IllegalArgumentException instead of
// being dereferenced. Devices are the plugin's own PJRT_Device pointers; they
// are only accepted after checking that they belong to the given client.
//
// Lifetimes. A client (or topology) cannot be destroyed while buffers or
// executables created from it are alive (IllegalStateException). A plugin,
// once initialised, is never dlclose()d: PJRT plugins own threads and static
// state and are not designed to be unloaded (XLA never unloads them either).
// Loading the same path twice returns the same handle. Plugins older than
// PJRT C API 0.57 (function table rearranged) are refused.
//
// Errors. Every PJRT_Error becomes dev.switchc.runtime.tpu.XlaException
// (code = PJRT_Error_Code, message = "<PJRT function>: <plugin message>"),
// after which the error is destroyed. A function missing from an older
// plugin's table becomes XlaException(UNIMPLEMENTED) naming the function.
// Bad arguments from Java (null, wrong sizes, stale handles) become
// IllegalArgumentException / NullPointerException and never reach the plugin.
//
// Threading. All entry points may be called from any Java thread. The
// registry is internally synchronised; using a handle concurrently with its
// destruction is a caller bug the Java wrapper must prevent.

#include <dlfcn.h>
#include <jni.h>
#include <sys/stat.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "status_code_name.h"
#include "pjrt_c_api_min.h"

namespace {

constexpr const char* kPkg = "dev/switchc/runtime/tpu/";

// Oldest plugin minor version accepted (see loadPlugin).
constexpr int kMinimumMinor = 57;

// ---------------------------------------------------------------------------
// Java exceptions
// ---------------------------------------------------------------------------

// Thrown as a marker through our own helpers: a Java exception is pending and
// the JNI entry point must return immediately.
struct JavaThrown {};

void ThrowByName(JNIEnv* env, const char* cls, const std::string& msg) {
  if (env->ExceptionCheck()) return;  // keep the first exception
  jclass c = env->FindClass(cls);
  if (c != nullptr) env->ThrowNew(c, msg.c_str());
}

// java.lang.String from arbitrary bytes decoded as UTF-8 (malformed input is
// replaced, never rejected). NewStringUTF would require *modified* UTF-8,
// which plugin messages (e.g. echoing user source) need not be.
jstring Utf8ToJava(JNIEnv* env, const std::string& s) {
  jbyteArray bytes = env->NewByteArray(static_cast<jsize>(s.size()));
  if (bytes == nullptr) return nullptr;
  env->SetByteArrayRegion(bytes, 0, static_cast<jsize>(s.size()),
                          reinterpret_cast<const jbyte*>(s.data()));
  jclass str = env->FindClass("java/lang/String");
  jstring charset = env->NewStringUTF("UTF-8");
  if (str == nullptr || charset == nullptr) return nullptr;
  jmethodID ctor = env->GetMethodID(str, "<init>", "([BLjava/lang/String;)V");
  if (ctor == nullptr) return nullptr;
  auto out = static_cast<jstring>(env->NewObject(str, ctor, bytes, charset));
  env->DeleteLocalRef(bytes);
  env->DeleteLocalRef(charset);
  env->DeleteLocalRef(str);
  return out;
}

[[noreturn]] void ThrowIae(JNIEnv* env, const std::string& msg) {
  ThrowByName(env, "java/lang/IllegalArgumentException", msg);
  throw JavaThrown{};
}

[[noreturn]] void ThrowIse(JNIEnv* env, const std::string& msg) {
  ThrowByName(env, "java/lang/IllegalStateException", msg);
  throw JavaThrown{};
}

[[noreturn]] void ThrowNpe(JNIEnv* env, const char* what) {
  ThrowByName(env, "java/lang/NullPointerException", what);
  throw JavaThrown{};
}

// new XlaException(int code, String codeName, String statusMessage)
[[noreturn]] void ThrowXla(JNIEnv* env, int code, const std::string& msg) {
  if (!env->ExceptionCheck()) {
    std::string cls = std::string(kPkg) + "XlaException";
    jclass c = env->FindClass(cls.c_str());
    if (c != nullptr) {
      jmethodID ctor = env->GetMethodID(c, "<init>",
                                        "(ILjava/lang/String;Ljava/lang/String;)V");
      jstring jname = env->NewStringUTF(switchc::StatusCodeName(code));
      jstring jmsg = Utf8ToJava(env, msg);
      if (ctor != nullptr && jname != nullptr && jmsg != nullptr) {
        jobject ex = env->NewObject(c, ctor, static_cast<jint>(code), jname, jmsg);
        if (ex != nullptr) env->Throw(static_cast<jthrowable>(ex));
      }
    }
  }
  throw JavaThrown{};
}

// Runs `body`, translating JavaThrown into "return with pending exception"
// and any stray C++ exception (e.g. bad_alloc) into a Java Error, so that no
// C++ exception ever unwinds through the JVM.
template <typename R, typename F>
R Guard(JNIEnv* env, R on_error, F&& body) {
  try {
    return body();
  } catch (const JavaThrown&) {
    return on_error;
  } catch (const std::bad_alloc&) {
    ThrowByName(env, "java/lang/OutOfMemoryError", "native allocation failed");
  } catch (const std::exception& e) {
    ThrowByName(env, "java/lang/Error", std::string("native: ") + e.what());
  } catch (...) {
    ThrowByName(env, "java/lang/Error", "native: unknown C++ exception");
  }
  return on_error;
}

// ---------------------------------------------------------------------------
// Handle records and registry
// ---------------------------------------------------------------------------

enum class Kind { kPlugin, kClient, kLoadedExec, kExec, kBuffer, kTopology };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kPlugin: return "plugin";
    case Kind::kClient: return "client";
    case Kind::kLoadedExec: return "loaded executable";
    case Kind::kExec: return "executable";
    case Kind::kBuffer: return "buffer";
    case Kind::kTopology: return "topology";
  }
  return "?";
}

struct Plugin {
  std::string path;
  void* dl = nullptr;
  const PJRT_Api* api = nullptr;
  int minor = 0;
};

// A parent (client or topology) counts its live children so that it cannot be
// destroyed under them.
struct Parent {
  int live_children = 0;  // guarded by the registry mutex
};

struct Client : Parent {
  Plugin* plugin = nullptr;
  PJRT_Client* client = nullptr;
};

struct Topology : Parent {
  Plugin* plugin = nullptr;
  PJRT_TopologyDescription* topology = nullptr;
};

struct LoadedExec {
  Client* owner = nullptr;
  PJRT_LoadedExecutable* exec = nullptr;
};

// An executable that is not loaded on any client (result of PJRT_Compile).
struct Exec {
  Topology* owner = nullptr;
  PJRT_Executable* exec = nullptr;
};

struct Buffer {
  Client* owner = nullptr;
  PJRT_Buffer* buffer = nullptr;
};

class Registry {
 public:
  void Add(void* p, Kind k, Parent* parent) {
    std::lock_guard<std::mutex> lock(mu_);
    live_[p] = k;
    if (parent != nullptr) ++parent->live_children;
  }

  // Returns the record if `h` is a live handle of kind `k`, else throws IAE.
  template <typename T>
  T* Get(JNIEnv* env, jlong h, Kind k) {
    void* p = reinterpret_cast<void*>(static_cast<intptr_t>(h));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(p);
    if (it == live_.end() || it->second != k) {
      std::string what = it == live_.end()
                             ? "unknown or already destroyed"
                             : std::string("a ") + KindName(it->second);
      ThrowIae(env, std::string("invalid ") + KindName(k) + " handle 0x" +
                        Hex(h) + ": " + what);
    }
    return static_cast<T*>(p);
  }

  // Unregisters a child; returns false if it was not live.
  bool RemoveChild(void* p, Kind k, Parent* parent) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(p);
    if (it == live_.end() || it->second != k) return false;
    live_.erase(it);
    if (parent != nullptr) --parent->live_children;
    return true;
  }

  // Unregisters a parent unless it still has children (then returns the
  // number of children and leaves it registered).
  int RemoveParent(void* p, Kind k, Parent* self, Parent* grandparent) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(p);
    if (it == live_.end() || it->second != k) return -1;
    if (self->live_children > 0) return self->live_children;
    live_.erase(it);
    if (grandparent != nullptr) --grandparent->live_children;
    return 0;
  }

  std::mutex& mu() { return mu_; }

  static std::string Hex(jlong h) {
    char buf[32];
    snprintf(buf, sizeof buf, "%llx",
             static_cast<unsigned long long>(static_cast<uint64_t>(h)));
    return buf;
  }

 private:
  std::mutex mu_;
  std::unordered_map<void*, Kind> live_;
};

Registry& Reg() {
  static Registry* r = new Registry();  // never destroyed: used at exit
  return *r;
}

// Plugins by canonical path; records are never freed (see header comment).
struct PluginTable {
  std::mutex mu;
  std::unordered_map<std::string, Plugin*> by_path;
};
PluginTable& Plugins() {
  static PluginTable* t = new PluginTable();
  return *t;
}

template <typename T>
jlong ToHandle(T* p) {
  return static_cast<jlong>(reinterpret_cast<intptr_t>(p));
}

// ---------------------------------------------------------------------------
// PJRT helpers
// ---------------------------------------------------------------------------

// Zero-initialised args struct with struct_size set to the end of `last`.
// Always pass a struct's final field: plugins built from XLA's C API wrapper
// (libtpu, the CUDA plugin) reject a struct_size smaller than the size they
// were compiled with ("Unexpected <struct> size: expected N, got M"), so a
// caller must be at least as new as the plugin for every struct it sends.
template <typename T>
T Args(size_t struct_size) {
  T a;
  std::memset(&a, 0, sizeof a);
  a.struct_size = struct_size;
  return a;
}
#define PJRT_ARGS(type, last) Args<type>(PJRT_STRUCT_SIZE(type, last))

// Throws XlaException(UNIMPLEMENTED) when the plugin's table lacks `fn`.
#define REQUIRE_FN(env, plugin, fn)                                         \
  do {                                                                      \
    if (!PJRT_API_HAS((plugin)->api, fn)) {                                 \
      ThrowXla(env, PJRT_Error_Code_UNIMPLEMENTED,                          \
               std::string("PJRT plugin '") + (plugin)->path +              \
                   "' (PJRT C API 0." + std::to_string((plugin)->minor) +   \
                   ") does not provide " #fn);                              \
    }                                                                       \
  } while (0)

// Reads code and message of `err`, destroys it. Never throws.
std::pair<int, std::string> ConsumeError(const PJRT_Api* api, PJRT_Error* err) {
  int code = PJRT_Error_Code_UNKNOWN;
  std::string msg = "(no message)";
  if (PJRT_API_HAS(api, PJRT_Error_GetCode)) {
    auto a = PJRT_ARGS(PJRT_Error_GetCode_Args, code);
    a.error = err;
    PJRT_Error* e2 = api->PJRT_Error_GetCode(&a);
    if (e2 == nullptr) {
      code = a.code;
    } else if (PJRT_API_HAS(api, PJRT_Error_Destroy)) {
      auto d = PJRT_ARGS(PJRT_Error_Destroy_Args, error);
      d.error = e2;
      api->PJRT_Error_Destroy(&d);
    }
  }
  if (PJRT_API_HAS(api, PJRT_Error_Message)) {
    auto a = PJRT_ARGS(PJRT_Error_Message_Args, message_size);
    a.error = err;
    api->PJRT_Error_Message(&a);
    if (a.message != nullptr) msg.assign(a.message, a.message_size);
  }
  if (PJRT_API_HAS(api, PJRT_Error_Destroy)) {
    auto d = PJRT_ARGS(PJRT_Error_Destroy_Args, error);
    d.error = err;
    api->PJRT_Error_Destroy(&d);
  }
  return {code, msg};
}

// Converts a non-null error into a pending XlaException.
void Check(JNIEnv* env, const PJRT_Api* api, PJRT_Error* err, const char* fn) {
  if (err == nullptr) return;
  auto [code, msg] = ConsumeError(api, err);
  // Prefix the function unless the plugin already did.
  std::string prefix = std::string(fn) + ": ";
  ThrowXla(env, code, msg.compare(0, prefix.size(), prefix) == 0 ? msg : prefix + msg);
}

// Calls api->fn(&args) after checking the slot exists; errors -> exception.
#define CALL(env, plugin, fn, args)                            \
  do {                                                         \
    REQUIRE_FN(env, plugin, fn);                               \
    Check(env, (plugin)->api, (plugin)->api->fn(&(args)), #fn); \
  } while (0)

// Destroys an event, ignoring errors (used on cleanup paths).
void DestroyEvent(const Plugin* p, PJRT_Event* ev) {
  if (ev == nullptr || !PJRT_API_HAS(p->api, PJRT_Event_Destroy)) return;
  auto a = PJRT_ARGS(PJRT_Event_Destroy_Args, event);
  a.event = ev;
  PJRT_Error* e = p->api->PJRT_Event_Destroy(&a);
  if (e != nullptr) ConsumeError(p->api, e);
}

// Blocks until `ev` is ready and destroys it. Returns the event's error (code,
// message) or {OK, ""}; never throws so callers can clean up first.
std::pair<int, std::string> AwaitAndDestroy(const Plugin* p, PJRT_Event* ev,
                                            const char* what) {
  if (ev == nullptr) return {PJRT_Error_Code_OK, ""};
  std::pair<int, std::string> result{PJRT_Error_Code_OK, ""};
  if (!PJRT_API_HAS(p->api, PJRT_Event_Await)) {
    result = {PJRT_Error_Code_UNIMPLEMENTED,
              "plugin does not provide PJRT_Event_Await"};
  } else {
    auto a = PJRT_ARGS(PJRT_Event_Await_Args, event);
    a.event = ev;
    PJRT_Error* e = p->api->PJRT_Event_Await(&a);
    if (e != nullptr) {
      result = ConsumeError(p->api, e);
      result.second = std::string(what) + ": " + result.second;
    }
  }
  DestroyEvent(p, ev);
  return result;
}

std::string Str(const char* s, size_t n) {
  return s == nullptr ? std::string() : std::string(s, n);
}

// Bytes per element; 0 for types the bridge cannot size (sub-byte, token).
size_t ElementBytes(int type) {
  switch (type) {
    case PJRT_Buffer_Type_PRED:
    case PJRT_Buffer_Type_S8:
    case PJRT_Buffer_Type_U8:
    case PJRT_Buffer_Type_F8E5M2:
    case PJRT_Buffer_Type_F8E4M3FN:
    case PJRT_Buffer_Type_F8E4M3B11FNUZ:
    case PJRT_Buffer_Type_F8E5M2FNUZ:
    case PJRT_Buffer_Type_F8E4M3FNUZ:
    case PJRT_Buffer_Type_F8E4M3:
    case PJRT_Buffer_Type_F8E3M4:
    case PJRT_Buffer_Type_F8E8M0FNU:
      return 1;
    case PJRT_Buffer_Type_S16:
    case PJRT_Buffer_Type_U16:
    case PJRT_Buffer_Type_F16:
    case PJRT_Buffer_Type_BF16:
      return 2;
    case PJRT_Buffer_Type_S32:
    case PJRT_Buffer_Type_U32:
    case PJRT_Buffer_Type_F32:
      return 4;
    case PJRT_Buffer_Type_S64:
    case PJRT_Buffer_Type_U64:
    case PJRT_Buffer_Type_F64:
    case PJRT_Buffer_Type_C64:
      return 8;
    case PJRT_Buffer_Type_C128:
      return 16;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------
// JNI conversions
// ---------------------------------------------------------------------------

std::string JString(JNIEnv* env, jstring s, const char* what) {
  if (s == nullptr) ThrowNpe(env, what);
  const char* utf = env->GetStringUTFChars(s, nullptr);
  if (utf == nullptr) throw JavaThrown{};  // OOM pending
  std::string out(utf);
  env->ReleaseStringUTFChars(s, utf);
  return out;
}

std::vector<char> JBytes(JNIEnv* env, jbyteArray a, const char* what) {
  if (a == nullptr) ThrowNpe(env, what);
  jsize n = env->GetArrayLength(a);
  std::vector<char> out(static_cast<size_t>(n));
  if (n > 0) env->GetByteArrayRegion(a, 0, n, reinterpret_cast<jbyte*>(out.data()));
  if (env->ExceptionCheck()) throw JavaThrown{};
  return out;
}

std::vector<int64_t> JLongs(JNIEnv* env, jlongArray a, const char* what) {
  if (a == nullptr) ThrowNpe(env, what);
  jsize n = env->GetArrayLength(a);
  std::vector<int64_t> out(static_cast<size_t>(n));
  if (n > 0) env->GetLongArrayRegion(a, 0, n, reinterpret_cast<jlong*>(out.data()));
  if (env->ExceptionCheck()) throw JavaThrown{};
  return out;
}

// position() and remaining() of a java.nio.Buffer.
std::pair<jint, jint> PositionAndRemaining(JNIEnv* env, jobject buffer) {
  jclass bc = env->FindClass("java/nio/Buffer");
  if (bc == nullptr) throw JavaThrown{};
  jmethodID position = env->GetMethodID(bc, "position", "()I");
  jmethodID remaining = env->GetMethodID(bc, "remaining", "()I");
  env->DeleteLocalRef(bc);
  if (position == nullptr || remaining == nullptr) throw JavaThrown{};
  jint pos = env->CallIntMethod(buffer, position);
  if (env->ExceptionCheck()) throw JavaThrown{};
  jint rem = env->CallIntMethod(buffer, remaining);
  if (env->ExceptionCheck()) throw JavaThrown{};
  return {pos, rem};
}

jstring NewJString(JNIEnv* env, const std::string& s) {
  jstring j = Utf8ToJava(env, s);
  if (j == nullptr) throw JavaThrown{};
  return j;
}

jbyteArray NewJBytes(JNIEnv* env, const char* data, size_t n) {
  if (n > static_cast<size_t>(INT32_MAX)) {
    ThrowXla(env, PJRT_Error_Code_RESOURCE_EXHAUSTED,
             "serialized object of " + std::to_string(n) +
                 " bytes does not fit a Java byte[]");
  }
  jbyteArray a = env->NewByteArray(static_cast<jsize>(n));
  if (a == nullptr) throw JavaThrown{};
  if (n > 0) env->SetByteArrayRegion(a, 0, static_cast<jsize>(n),
                                     reinterpret_cast<const jbyte*>(data));
  return a;
}

jlongArray NewJLongs(JNIEnv* env, const int64_t* v, size_t n) {
  jlongArray a = env->NewLongArray(static_cast<jsize>(n));
  if (a == nullptr) throw JavaThrown{};
  if (n > 0) env->SetLongArrayRegion(a, 0, static_cast<jsize>(n),
                                     reinterpret_cast<const jlong*>(v));
  return a;
}

jlongArray NewJHandles(JNIEnv* env, PJRT_Device* const* devs, size_t n) {
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = ToHandle(devs[i]);
  return NewJLongs(env, v.data(), n);
}

// Owned storage behind a PJRT_NamedValue array built from Java.
struct NamedValues {
  std::vector<std::string> strings;          // names and string values
  std::vector<std::vector<int64_t>> lists;   // int64 list values
  std::vector<PJRT_NamedValue> values;
};

bool IsInstance(JNIEnv* env, jobject o, const char* cls) {
  jclass c = env->FindClass(cls);
  if (c == nullptr) throw JavaThrown{};
  bool is = env->IsInstanceOf(o, c) == JNI_TRUE;
  env->DeleteLocalRef(c);
  return is;
}

// Scopes a JNI local frame so that loops over many elements do not pile up
// local references; Pop() hands one reference out of the frame.
class LocalFrame {
 public:
  LocalFrame(JNIEnv* env, jint capacity) : env_(env) {
    if (env_->PushLocalFrame(capacity) != 0) throw JavaThrown{};
  }
  ~LocalFrame() {
    if (env_ != nullptr) env_->PopLocalFrame(nullptr);
  }
  jobject Pop(jobject result) {
    JNIEnv* env = env_;
    env_ = nullptr;
    return env->PopLocalFrame(result);
  }
  LocalFrame(const LocalFrame&) = delete;
  LocalFrame& operator=(const LocalFrame&) = delete;

 private:
  JNIEnv* env_;
};

// Converts parallel arrays (String name, Object value) into named values.
// Accepted values: String, Long/Integer/Short/Byte (int64), Boolean, Float or
// Double (float), long[] or int[] (int64 list).
void ToNamedValues(JNIEnv* env, jobjectArray names, jobjectArray values,
                   NamedValues* out) {
  if (names == nullptr && values == nullptr) return;
  if (names == nullptr || values == nullptr) ThrowNpe(env, "option names/values");
  jsize n = env->GetArrayLength(names);
  if (env->GetArrayLength(values) != n) {
    ThrowIae(env, "option names and values differ in length: " +
                      std::to_string(n) + " vs " +
                      std::to_string(env->GetArrayLength(values)));
  }
  // Reserve so that c_str()/data() pointers stay valid while we append.
  out->strings.reserve(2 * static_cast<size_t>(n));
  out->lists.reserve(static_cast<size_t>(n));
  out->values.reserve(static_cast<size_t>(n));
  for (jsize i = 0; i < n; ++i) {
    LocalFrame frame(env, 16);
    jobject jn = env->GetObjectArrayElement(names, i);
    jobject jv = env->GetObjectArrayElement(values, i);
    if (jn == nullptr) ThrowNpe(env, "option name");
    std::string name = JString(env, static_cast<jstring>(jn), "option name");
    if (jv == nullptr) ThrowIae(env, "option '" + name + "' has a null value");
    PJRT_NamedValue nv;
    std::memset(&nv, 0, sizeof nv);
    nv.struct_size = PJRT_STRUCT_SIZE(PJRT_NamedValue, value_size);
    out->strings.push_back(name);
    nv.name = out->strings.back().c_str();
    nv.name_size = out->strings.back().size();
    if (IsInstance(env, jv, "java/lang/String")) {
      out->strings.push_back(JString(env, static_cast<jstring>(jv), "value"));
      nv.type = PJRT_NamedValue_kString;
      nv.string_value = out->strings.back().c_str();
      nv.value_size = out->strings.back().size();
    } else if (IsInstance(env, jv, "java/lang/Boolean")) {
      jclass c = env->FindClass("java/lang/Boolean");
      jmethodID m = env->GetMethodID(c, "booleanValue", "()Z");
      nv.type = PJRT_NamedValue_kBool;
      nv.bool_value = env->CallBooleanMethod(jv, m) == JNI_TRUE;
      nv.value_size = 1;
    } else if (IsInstance(env, jv, "java/lang/Float") ||
               IsInstance(env, jv, "java/lang/Double")) {
      jclass c = env->FindClass("java/lang/Number");
      jmethodID m = env->GetMethodID(c, "floatValue", "()F");
      nv.type = PJRT_NamedValue_kFloat;
      nv.float_value = env->CallFloatMethod(jv, m);
      nv.value_size = 1;
    } else if (IsInstance(env, jv, "java/lang/Long") ||
               IsInstance(env, jv, "java/lang/Integer") ||
               IsInstance(env, jv, "java/lang/Short") ||
               IsInstance(env, jv, "java/lang/Byte")) {
      jclass c = env->FindClass("java/lang/Number");
      jmethodID m = env->GetMethodID(c, "longValue", "()J");
      nv.type = PJRT_NamedValue_kInt64;
      nv.int64_value = env->CallLongMethod(jv, m);
      nv.value_size = 1;
    } else if (IsInstance(env, jv, "[J")) {
      out->lists.push_back(JLongs(env, static_cast<jlongArray>(jv), "value"));
      nv.type = PJRT_NamedValue_kInt64List;
      nv.int64_array_value = out->lists.back().data();
      nv.value_size = out->lists.back().size();
    } else if (IsInstance(env, jv, "[I")) {
      jintArray ja = static_cast<jintArray>(jv);
      jsize m = env->GetArrayLength(ja);
      std::vector<jint> tmp(static_cast<size_t>(m));
      if (m > 0) env->GetIntArrayRegion(ja, 0, m, tmp.data());
      out->lists.emplace_back(tmp.begin(), tmp.end());
      nv.type = PJRT_NamedValue_kInt64List;
      nv.int64_array_value = out->lists.back().data();
      nv.value_size = out->lists.back().size();
    } else {
      ThrowIae(env, "option '" + name +
                        "': unsupported value type (use String, Long, "
                        "Integer, Boolean, Float, Double, long[] or int[])");
    }
    if (env->ExceptionCheck()) throw JavaThrown{};
    out->values.push_back(nv);
  }
}

// Named values -> Object[] {name0, value0, name1, value1, ...} with values as
// String, Long, long[], Float or Boolean.
jobjectArray NamedValuesToJava(JNIEnv* env, const PJRT_NamedValue* v, size_t n) {
  jclass obj = env->FindClass("java/lang/Object");
  if (obj == nullptr) throw JavaThrown{};
  jobjectArray out = env->NewObjectArray(static_cast<jsize>(2 * n), obj, nullptr);
  if (out == nullptr) throw JavaThrown{};
  for (size_t i = 0; i < n; ++i) {
    LocalFrame frame(env, 8);
    jobject val = nullptr;
    switch (v[i].type) {
      case PJRT_NamedValue_kString:
        val = NewJString(env, Str(v[i].string_value, v[i].value_size));
        break;
      case PJRT_NamedValue_kInt64: {
        jclass c = env->FindClass("java/lang/Long");
        jmethodID m = env->GetStaticMethodID(c, "valueOf", "(J)Ljava/lang/Long;");
        val = env->CallStaticObjectMethod(c, m, static_cast<jlong>(v[i].int64_value));
        break;
      }
      case PJRT_NamedValue_kInt64List:
        val = NewJLongs(env, v[i].int64_array_value, v[i].value_size);
        break;
      case PJRT_NamedValue_kFloat: {
        jclass c = env->FindClass("java/lang/Float");
        jmethodID m = env->GetStaticMethodID(c, "valueOf", "(F)Ljava/lang/Float;");
        val = env->CallStaticObjectMethod(c, m, static_cast<jfloat>(v[i].float_value));
        break;
      }
      case PJRT_NamedValue_kBool: {
        jclass c = env->FindClass("java/lang/Boolean");
        jmethodID m = env->GetStaticMethodID(c, "valueOf", "(Z)Ljava/lang/Boolean;");
        val = env->CallStaticObjectMethod(c, m, static_cast<jboolean>(v[i].bool_value));
        break;
      }
      default:
        val = NewJString(env, "<unknown named value type " +
                                  std::to_string(static_cast<int>(v[i].type)) + ">");
    }
    if (env->ExceptionCheck()) throw JavaThrown{};
    env->SetObjectArrayElement(out, static_cast<jsize>(2 * i),
                               NewJString(env, Str(v[i].name, v[i].name_size)));
    env->SetObjectArrayElement(out, static_cast<jsize>(2 * i + 1), val);
    if (env->ExceptionCheck()) throw JavaThrown{};
  }
  return out;
}

// ---------------------------------------------------------------------------
// Shared operations
// ---------------------------------------------------------------------------

std::vector<PJRT_Device*> ClientDevices(JNIEnv* env, Client* c, bool addressable) {
  auto a = PJRT_ARGS(PJRT_Client_Devices_Args, num_devices);
  a.client = c->client;
  if (addressable) {
    CALL(env, c->plugin, PJRT_Client_AddressableDevices, a);
  } else {
    CALL(env, c->plugin, PJRT_Client_Devices, a);
  }
  return std::vector<PJRT_Device*>(a.devices, a.devices + a.num_devices);
}

PJRT_Device* CheckDevice(JNIEnv* env, Client* c, jlong h) {
  auto* d = reinterpret_cast<PJRT_Device*>(static_cast<intptr_t>(h));
  for (PJRT_Device* x : ClientDevices(env, c, /*addressable=*/false)) {
    if (x == d) return d;
  }
  ThrowIae(env, "device handle 0x" + Registry::Hex(h) +
                    " does not belong to this client");
}

// Builds a dev.switchc.runtime.tpu.DeviceInfo from a device description.
jobject DescribeDevice(JNIEnv* env, Plugin* p, PJRT_DeviceDescription* desc,
                       jlong handle, bool addressable, int local_hw_id) {
  auto id = PJRT_ARGS(PJRT_DeviceDescription_Id_Args, id);
  id.device_description = desc;
  CALL(env, p, PJRT_DeviceDescription_Id, id);
  auto pi = PJRT_ARGS(PJRT_DeviceDescription_ProcessIndex_Args, process_index);
  pi.device_description = desc;
  CALL(env, p, PJRT_DeviceDescription_ProcessIndex, pi);
  auto kind = PJRT_ARGS(PJRT_DeviceDescription_Kind_Args, device_kind_size);
  kind.device_description = desc;
  CALL(env, p, PJRT_DeviceDescription_Kind, kind);
  auto dbg = PJRT_ARGS(PJRT_DeviceDescription_DebugString_Args, debug_string_size);
  dbg.device_description = desc;
  CALL(env, p, PJRT_DeviceDescription_DebugString, dbg);

  // Attributes are optional; "coords" (int64 list) is what TPUs report.
  jlongArray coords = nullptr;
  jobjectArray attrs = nullptr;
  if (PJRT_API_HAS(p->api, PJRT_DeviceDescription_Attributes)) {
    auto at = PJRT_ARGS(PJRT_DeviceDescription_Attributes_Args, attributes);
    at.device_description = desc;
    CALL(env, p, PJRT_DeviceDescription_Attributes, at);
    for (size_t i = 0; i < at.num_attributes; ++i) {
      const PJRT_NamedValue& nv = at.attributes[i];
      if (Str(nv.name, nv.name_size) == "coords" &&
          nv.type == PJRT_NamedValue_kInt64List) {
        coords = NewJLongs(env, nv.int64_array_value, nv.value_size);
      }
    }
    attrs = NamedValuesToJava(env, at.attributes, at.num_attributes);
  }

  std::string cls = std::string(kPkg) + "DeviceInfo";
  jclass c = env->FindClass(cls.c_str());
  if (c == nullptr) throw JavaThrown{};
  jmethodID ctor = env->GetMethodID(
      c, "<init>",
      "(JIILjava/lang/String;[JLjava/lang/String;ZI[Ljava/lang/Object;)V");
  if (ctor == nullptr) throw JavaThrown{};
  jobject o = env->NewObject(
      c, ctor, handle, static_cast<jint>(id.id), static_cast<jint>(pi.process_index),
      NewJString(env, Str(kind.device_kind, kind.device_kind_size)), coords,
      NewJString(env, Str(dbg.debug_string, dbg.debug_string_size)),
      static_cast<jboolean>(addressable), static_cast<jint>(local_hw_id), attrs);
  if (o == nullptr) throw JavaThrown{};
  return o;
}

// PJRT_Executable view of a loaded executable (caller destroys).
struct ExecView {
  const Plugin* plugin;
  PJRT_Executable* exec = nullptr;
  bool owned = false;
  ~ExecView() {
    if (!owned || exec == nullptr) return;
    auto d = PJRT_ARGS(PJRT_Executable_Destroy_Args, executable);
    d.executable = exec;
    PJRT_Error* e = plugin->api->PJRT_Executable_Destroy(&d);
    if (e != nullptr) ConsumeError(plugin->api, e);
  }
};

void GetExecView(JNIEnv* env, LoadedExec* le, ExecView* view) {
  Plugin* p = le->owner->plugin;
  REQUIRE_FN(env, p, PJRT_Executable_Destroy);
  auto a = PJRT_ARGS(PJRT_LoadedExecutable_GetExecutable_Args, executable);
  a.loaded_executable = le->exec;
  CALL(env, p, PJRT_LoadedExecutable_GetExecutable, a);
  view->plugin = p;
  view->exec = a.executable;
  view->owned = true;
}

size_t NumOutputs(JNIEnv* env, Plugin* p, PJRT_Executable* e) {
  auto a = PJRT_ARGS(PJRT_Executable_NumOutputs_Args, num_outputs);
  a.executable = e;
  CALL(env, p, PJRT_Executable_NumOutputs, a);
  return a.num_outputs;
}

jbyteArray Serialize(JNIEnv* env, Plugin* p, PJRT_Executable* e) {
  auto a = PJRT_ARGS(PJRT_Executable_Serialize_Args, serialized_executable_deleter);
  a.executable = e;
  CALL(env, p, PJRT_Executable_Serialize, a);
  // Copy out, then always release the plugin's backing storage.
  struct Release {
    PJRT_Executable_Serialize_Args* a;
    ~Release() {
      if (a->serialized_executable_deleter != nullptr)
        a->serialized_executable_deleter(a->serialized_executable);
    }
  } release{&a};
  return NewJBytes(env, a.serialized_bytes, a.serialized_bytes_size);
}

// The program with a NUL after its last byte, not counted in code_size: XLA's MLIR parser in some
// builds reads the text as a C string (the stand-in over TF 2.18 did, and read past the end).
PJRT_Program MakeProgram(std::vector<char>& code, const std::string& format) {
  auto prog = PJRT_ARGS(PJRT_Program, format_size);
  const std::size_t size = code.size();
  code.push_back('\0');
  prog.code = code.data();  // PJRT only reads it
  prog.code_size = size;
  prog.format = format.c_str();
  prog.format_size = format.size();
  return prog;
}

jlong RegisterLoaded(Client* c, PJRT_LoadedExecutable* le) {
  auto* rec = new LoadedExec{c, le};
  Reg().Add(rec, Kind::kLoadedExec, c);
  return ToHandle(rec);
}

jlong RegisterBuffer(Client* c, PJRT_Buffer* b) {
  auto* rec = new Buffer{c, b};
  Reg().Add(rec, Kind::kBuffer, c);
  return ToHandle(rec);
}

void DestroyPjrtBuffer(const Plugin* p, PJRT_Buffer* b) {
  if (b == nullptr || !PJRT_API_HAS(p->api, PJRT_Buffer_Destroy)) return;
  auto a = PJRT_ARGS(PJRT_Buffer_Destroy_Args, buffer);
  a.buffer = b;
  PJRT_Error* e = p->api->PJRT_Buffer_Destroy(&a);
  if (e != nullptr) ConsumeError(p->api, e);
}

// The dense row-major host layout for a buffer's rank: what Java reads and
// writes. Asking for it explicitly makes the plugin untile device layouts.
struct RowMajor {
  std::vector<int64_t> minor_to_major;
  PJRT_Buffer_MemoryLayout value;
  RowMajor(JNIEnv* env, Buffer* b) {
    auto d = PJRT_ARGS(PJRT_Buffer_Dimensions_Args, num_dims);
    d.buffer = b->buffer;
    CALL(env, b->owner->plugin, PJRT_Buffer_Dimensions, d);
    for (size_t i = 0; i < d.num_dims; ++i) {
      minor_to_major.push_back(static_cast<int64_t>(d.num_dims - 1 - i));
    }
    std::memset(&value, 0, sizeof value);
    value.struct_size = PJRT_STRUCT_SIZE(PJRT_Buffer_MemoryLayout, type);
    value.type = PJRT_Buffer_MemoryLayout_Type_Tiled;
    value.tiled.struct_size = PJRT_STRUCT_SIZE(PJRT_Buffer_MemoryLayout_Tiled, num_tiles);
    value.tiled.minor_to_major = minor_to_major.data();
    value.tiled.minor_to_major_size = minor_to_major.size();
  }
  RowMajor(const RowMajor&) = delete;
  RowMajor& operator=(const RowMajor&) = delete;
};

}  // namespace

// ===========================================================================
// JNI entry points: dev.switchc.runtime.tpu.PjrtPlugin
// ===========================================================================

#define JNI_FN(ret, name) \
  extern "C" JNIEXPORT ret JNICALL Java_dev_switchc_runtime_tpu_PjrtPlugin_##name

// --- Plugin ----------------------------------------------------------------

// long loadPlugin(String path)
JNI_FN(jlong, loadPlugin)(JNIEnv* env, jclass, jstring jpath) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    std::string path = JString(env, jpath, "path");
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      ThrowXla(env, PJRT_Error_Code_NOT_FOUND,
               "PJRT plugin '" + path + "' does not exist");
    }
    char* real = realpath(path.c_str(), nullptr);
    std::string canon = real != nullptr ? real : path;
    free(real);

    PluginTable& table = Plugins();
    std::lock_guard<std::mutex> lock(table.mu);
    auto it = table.by_path.find(canon);
    if (it != table.by_path.end()) return ToHandle(it->second);

    dlerror();
    void* dl = dlopen(canon.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (dl == nullptr) {
      const char* why = dlerror();
      ThrowXla(env, PJRT_Error_Code_INVALID_ARGUMENT,
               "cannot load PJRT plugin '" + path + "': " +
                   (why != nullptr ? why : "dlopen failed"));
    }
    auto* get_api = reinterpret_cast<PJRT_GetPjrtApi_Fn*>(dlsym(dl, "GetPjrtApi"));
    if (get_api == nullptr) {
      dlclose(dl);
      ThrowXla(env, PJRT_Error_Code_INVALID_ARGUMENT,
               "'" + path + "' is not a PJRT plugin: it does not export GetPjrtApi");
    }
    const PJRT_Api* api = get_api();
    if (api == nullptr) {
      dlclose(dl);
      ThrowXla(env, PJRT_Error_Code_INTERNAL,
               "GetPjrtApi() of '" + path + "' returned NULL");
    }
    // Until PJRT_Plugin_Initialize runs, an unusable plugin is closed again.
    struct CloseUnlessKept {
      void* dl;
      bool keep = false;
      ~CloseUnlessKept() {
        if (!keep) dlclose(dl);
      }
    } guard{dl};
    // The version header and the three error functions are present in every
    // plugin; anything shorter is not a PJRT_Api.
    if (!PJRT_HAS_FIELD(PJRT_Api, PJRT_Error_GetCode, api->struct_size)) {
      ThrowXla(env, PJRT_Error_Code_FAILED_PRECONDITION,
               "'" + path + "': PJRT_Api struct_size " +
                   std::to_string(api->struct_size) + " is too small");
    }
    int major = api->pjrt_api_version.major_version;
    int minor = api->pjrt_api_version.minor_version;
    if (major != SWITCHC_PJRT_API_MAJOR) {
      ThrowXla(env, PJRT_Error_Code_FAILED_PRECONDITION,
               "'" + path + "' implements PJRT C API " + std::to_string(major) +
                   "." + std::to_string(minor) + "; this bridge speaks major " +
                   std::to_string(SWITCHC_PJRT_API_MAJOR));
    }
    // 0.57 rearranged the PJRT_Api table; older tables may hold other
    // functions at the slots this bridge calls.
    if (minor < kMinimumMinor) {
      ThrowXla(env, PJRT_Error_Code_FAILED_PRECONDITION,
               "'" + path + "' implements PJRT C API 0." + std::to_string(minor) +
                   "; this bridge needs 0." + std::to_string(kMinimumMinor) +
                   " or later (the function table was rearranged in 0.57)");
    }
    guard.keep = true;
    auto* plugin = new Plugin{canon, dl, api, minor};
    // Initialise once per process. On failure the library stays mapped (its
    // state may be half-built) but is not recorded, so a retry calls
    // PJRT_Plugin_Initialize again.
    if (PJRT_API_HAS(api, PJRT_Plugin_Initialize)) {
      auto a = PJRT_ARGS(PJRT_Plugin_Initialize_Args, extension_start);
      PJRT_Error* err = api->PJRT_Plugin_Initialize(&a);
      if (err != nullptr) {
        auto [code, msg] = ConsumeError(api, err);
        delete plugin;  // leave `dl` mapped: its state may be half-built
        ThrowXla(env, code, "PJRT_Plugin_Initialize: " + msg);
      }
    }
    table.by_path[canon] = plugin;
    Reg().Add(plugin, Kind::kPlugin, nullptr);
    return ToHandle(plugin);
  });
}

// int[] apiVersion(long plugin) -> {major, minor, struct_size}
JNI_FN(jintArray, apiVersion)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jintArray>(nullptr), [&]() -> jintArray {
    auto* p = Reg().Get<Plugin>(env, h, Kind::kPlugin);
    jint v[3] = {p->api->pjrt_api_version.major_version,
                 p->api->pjrt_api_version.minor_version,
                 static_cast<jint>(p->api->struct_size)};
    jintArray a = env->NewIntArray(3);
    if (a == nullptr) throw JavaThrown{};
    env->SetIntArrayRegion(a, 0, 3, v);
    return a;
  });
}

// Object[] pluginAttributes(long plugin): {name, value, ...}; empty if the
// plugin predates PJRT_Plugin_Attributes.
JNI_FN(jobjectArray, pluginAttributes)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jobjectArray>(nullptr), [&]() -> jobjectArray {
    auto* p = Reg().Get<Plugin>(env, h, Kind::kPlugin);
    if (!PJRT_API_HAS(p->api, PJRT_Plugin_Attributes)) {
      return NamedValuesToJava(env, nullptr, 0);
    }
    auto a = PJRT_ARGS(PJRT_Plugin_Attributes_Args, num_attributes);
    CALL(env, p, PJRT_Plugin_Attributes, a);
    return NamedValuesToJava(env, a.attributes, a.num_attributes);
  });
}

// --- Client ----------------------------------------------------------------

// long createClient(long plugin, String[] optionNames, Object[] optionValues)
JNI_FN(jlong, createClient)(JNIEnv* env, jclass, jlong h, jobjectArray names,
                            jobjectArray values) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    auto* p = Reg().Get<Plugin>(env, h, Kind::kPlugin);
    NamedValues opts;
    ToNamedValues(env, names, values, &opts);
    auto a = PJRT_ARGS(PJRT_Client_Create_Args, kv_try_get_user_arg);
    a.create_options = opts.values.data();
    a.num_options = opts.values.size();
    CALL(env, p, PJRT_Client_Create, a);
    auto* c = new Client();
    c->plugin = p;
    c->client = a.client;
    Reg().Add(c, Kind::kClient, nullptr);
    return ToHandle(c);
  });
}

// void destroyClient(long client)
JNI_FN(void, destroyClient)(JNIEnv* env, jclass, jlong h) {
  Guard(env, 0, [&]() -> int {
    auto* c = Reg().Get<Client>(env, h, Kind::kClient);
    int children = Reg().RemoveParent(c, Kind::kClient, c, nullptr);
    if (children > 0) {
      ThrowIse(env, "client still has " + std::to_string(children) +
                        " live buffers/executables; destroy them first");
    }
    if (children < 0) ThrowIae(env, "client already destroyed");
    std::unique_ptr<Client> owned(c);
    auto a = PJRT_ARGS(PJRT_Client_Destroy_Args, client);
    a.client = c->client;
    CALL(env, c->plugin, PJRT_Client_Destroy, a);
    return 0;
  });
}

// String clientPlatformName(long client)
JNI_FN(jstring, clientPlatformName)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jstring>(nullptr), [&]() -> jstring {
    auto* c = Reg().Get<Client>(env, h, Kind::kClient);
    auto a = PJRT_ARGS(PJRT_Client_PlatformName_Args, platform_name_size);
    a.client = c->client;
    CALL(env, c->plugin, PJRT_Client_PlatformName, a);
    return NewJString(env, Str(a.platform_name, a.platform_name_size));
  });
}

// String clientPlatformVersion(long client)
JNI_FN(jstring, clientPlatformVersion)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jstring>(nullptr), [&]() -> jstring {
    auto* c = Reg().Get<Client>(env, h, Kind::kClient);
    auto a = PJRT_ARGS(PJRT_Client_PlatformVersion_Args, platform_version_size);
    a.client = c->client;
    CALL(env, c->plugin, PJRT_Client_PlatformVersion, a);
    return NewJString(env, Str(a.platform_version, a.platform_version_size));
  });
}

// int clientProcessIndex(long client)
JNI_FN(jint, clientProcessIndex)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, jint{-1}, [&]() -> jint {
    auto* c = Reg().Get<Client>(env, h, Kind::kClient);
    auto a = PJRT_ARGS(PJRT_Client_ProcessIndex_Args, process_index);
    a.client = c->client;
    CALL(env, c->plugin, PJRT_Client_ProcessIndex, a);
    return a.process_index;
  });
}

// long[] clientDevices(long client, boolean addressableOnly)
JNI_FN(jlongArray, clientDevices)(JNIEnv* env, jclass, jlong h, jboolean addressable) {
  return Guard(env, static_cast<jlongArray>(nullptr), [&]() -> jlongArray {
    auto* c = Reg().Get<Client>(env, h, Kind::kClient);
    auto devs = ClientDevices(env, c, addressable == JNI_TRUE);
    return NewJHandles(env, devs.data(), devs.size());
  });
}

// DeviceInfo deviceInfo(long client, long device)
JNI_FN(jobject, deviceInfo)(JNIEnv* env, jclass, jlong hc, jlong hd) {
  return Guard(env, static_cast<jobject>(nullptr), [&]() -> jobject {
    auto* c = Reg().Get<Client>(env, hc, Kind::kClient);
    PJRT_Device* d = CheckDevice(env, c, hd);
    Plugin* p = c->plugin;
    auto gd = PJRT_ARGS(PJRT_Device_GetDescription_Args, device_description);
    gd.device = d;
    CALL(env, p, PJRT_Device_GetDescription, gd);
    auto ad = PJRT_ARGS(PJRT_Device_IsAddressable_Args, is_addressable);
    ad.device = d;
    CALL(env, p, PJRT_Device_IsAddressable, ad);
    int hw = -1;
    if (PJRT_API_HAS(p->api, PJRT_Device_LocalHardwareId)) {
      auto lh = PJRT_ARGS(PJRT_Device_LocalHardwareId_Args, local_hardware_id);
      lh.device = d;
      CALL(env, p, PJRT_Device_LocalHardwareId, lh);
      hw = lh.local_hardware_id;
    }
    return DescribeDevice(env, p, gd.device_description, hd, ad.is_addressable, hw);
  });
}

// --- Compilation and executables ---------------------------------------------

// long compile(long client, byte[] program, String format, byte[] compileOptions)
JNI_FN(jlong, compile)(JNIEnv* env, jclass, jlong h, jbyteArray jcode,
                       jstring jformat, jbyteArray jopts) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    auto* c = Reg().Get<Client>(env, h, Kind::kClient);
    std::vector<char> code = JBytes(env, jcode, "program");
    std::string format = JString(env, jformat, "format");
    std::vector<char> opts = JBytes(env, jopts, "compileOptions");
    PJRT_Program prog = MakeProgram(code, format);
    auto a = PJRT_ARGS(PJRT_Client_Compile_Args, executable);
    a.client = c->client;
    a.program = &prog;
    a.compile_options = opts.data();
    a.compile_options_size = opts.size();
    CALL(env, c->plugin, PJRT_Client_Compile, a);
    return RegisterLoaded(c, a.executable);
  });
}

// void destroyExecutable(long loadedExecutable)
JNI_FN(void, destroyExecutable)(JNIEnv* env, jclass, jlong h) {
  Guard(env, 0, [&]() -> int {
    auto* le = Reg().Get<LoadedExec>(env, h, Kind::kLoadedExec);
    if (!Reg().RemoveChild(le, Kind::kLoadedExec, le->owner)) {
      ThrowIae(env, "executable already destroyed");
    }
    std::unique_ptr<LoadedExec> owned(le);
    auto a = PJRT_ARGS(PJRT_LoadedExecutable_Destroy_Args, executable);
    a.executable = le->exec;
    CALL(env, le->owner->plugin, PJRT_LoadedExecutable_Destroy, a);
    return 0;
  });
}

// long[] executableDevices(long loadedExecutable): addressable devices in the
// order execute() expects its argument lists.
JNI_FN(jlongArray, executableDevices)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jlongArray>(nullptr), [&]() -> jlongArray {
    auto* le = Reg().Get<LoadedExec>(env, h, Kind::kLoadedExec);
    auto a = PJRT_ARGS(PJRT_LoadedExecutable_AddressableDevices_Args,
                       num_addressable_devices);
    a.executable = le->exec;
    CALL(env, le->owner->plugin, PJRT_LoadedExecutable_AddressableDevices, a);
    return NewJHandles(env, a.addressable_devices, a.num_addressable_devices);
  });
}

// long[] executableCounts(long loadedExecutable) -> {outputs, replicas, partitions}
JNI_FN(jlongArray, executableCounts)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jlongArray>(nullptr), [&]() -> jlongArray {
    auto* le = Reg().Get<LoadedExec>(env, h, Kind::kLoadedExec);
    Plugin* p = le->owner->plugin;
    ExecView view{p};
    GetExecView(env, le, &view);
    int64_t v[3] = {static_cast<int64_t>(NumOutputs(env, p, view.exec)), -1, -1};
    auto r = PJRT_ARGS(PJRT_Executable_NumReplicas_Args, num_replicas);
    r.executable = view.exec;
    CALL(env, p, PJRT_Executable_NumReplicas, r);
    v[1] = static_cast<int64_t>(r.num_replicas);
    auto pa = PJRT_ARGS(PJRT_Executable_NumPartitions_Args, num_partitions);
    pa.executable = view.exec;
    CALL(env, p, PJRT_Executable_NumPartitions, pa);
    v[2] = static_cast<int64_t>(pa.num_partitions);
    return NewJLongs(env, v, 3);
  });
}

// byte[] serializeExecutable(long loadedExecutable)
JNI_FN(jbyteArray, serializeExecutable)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jbyteArray>(nullptr), [&]() -> jbyteArray {
    auto* le = Reg().Get<LoadedExec>(env, h, Kind::kLoadedExec);
    ExecView view{le->owner->plugin};
    GetExecView(env, le, &view);
    return Serialize(env, le->owner->plugin, view.exec);
  });
}

// long deserializeAndLoad(long client, byte[] serialized, byte[] overrideOptions)
// overrideOptions may be null: use the options stored in `serialized`.
JNI_FN(jlong, deserializeAndLoad)(JNIEnv* env, jclass, jlong h, jbyteArray jbytes,
                                  jbyteArray jopts) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    auto* c = Reg().Get<Client>(env, h, Kind::kClient);
    std::vector<char> bytes = JBytes(env, jbytes, "serialized executable");
    std::vector<char> opts;
    if (jopts != nullptr) opts = JBytes(env, jopts, "compile options");
    // Full size even without an override: XLA-built plugins reject any args
    // struct smaller than the one they were compiled with.
    auto a = PJRT_ARGS(PJRT_Executable_DeserializeAndLoad_Args,
                       overridden_serialized_compile_options_size);
    if (jopts != nullptr) {
      a.overridden_serialized_compile_options = opts.data();
      a.overridden_serialized_compile_options_size = opts.size();
    }
    a.client = c->client;
    a.serialized_executable = bytes.data();
    a.serialized_executable_size = bytes.size();
    CALL(env, c->plugin, PJRT_Executable_DeserializeAndLoad, a);
    return RegisterLoaded(c, a.loaded_executable);
  });
}

// long[][] execute(long loadedExecutable, long[][] args): args[device][arg]
// with devices in executableDevices() order; returns outputs[device][out].
// Blocks until every device has finished.
JNI_FN(jobjectArray, execute)(JNIEnv* env, jclass, jlong h, jobjectArray jargs) {
  return Guard(env, static_cast<jobjectArray>(nullptr), [&]() -> jobjectArray {
    auto* le = Reg().Get<LoadedExec>(env, h, Kind::kLoadedExec);
    Client* c = le->owner;
    Plugin* p = c->plugin;
    if (jargs == nullptr) ThrowNpe(env, "args");

    auto ad = PJRT_ARGS(PJRT_LoadedExecutable_AddressableDevices_Args,
                        num_addressable_devices);
    ad.executable = le->exec;
    CALL(env, p, PJRT_LoadedExecutable_AddressableDevices, ad);
    size_t num_devices = ad.num_addressable_devices;
    if (static_cast<size_t>(env->GetArrayLength(jargs)) != num_devices) {
      ThrowIae(env, "execute: " + std::to_string(env->GetArrayLength(jargs)) +
                        " argument lists for an executable on " +
                        std::to_string(num_devices) + " devices");
    }

    // Resolve every argument handle before touching the plugin.
    std::vector<std::vector<PJRT_Buffer*>> args(num_devices);
    size_t num_args = 0;
    for (size_t d = 0; d < num_devices; ++d) {
      auto row = static_cast<jlongArray>(env->GetObjectArrayElement(jargs, static_cast<jsize>(d)));
      if (row == nullptr) ThrowNpe(env, "argument list");
      std::vector<int64_t> hs = JLongs(env, row, "argument list");
      env->DeleteLocalRef(row);
      if (d == 0) num_args = hs.size();
      if (hs.size() != num_args) {
        ThrowIae(env, "execute: device " + std::to_string(d) + " has " +
                          std::to_string(hs.size()) + " arguments, device 0 has " +
                          std::to_string(num_args));
      }
      for (int64_t bh : hs) {
        auto* b = Reg().Get<Buffer>(env, bh, Kind::kBuffer);
        if (b->owner != c) ThrowIae(env, "execute: argument buffer belongs to another client");
        args[d].push_back(b->buffer);
      }
    }

    size_t num_outputs;
    {
      ExecView view{p};
      GetExecView(env, le, &view);
      num_outputs = NumOutputs(env, p, view.exec);
    }

    std::vector<PJRT_Buffer* const*> arg_ptrs(num_devices);
    std::vector<std::vector<PJRT_Buffer*>> outs(num_devices,
                                                std::vector<PJRT_Buffer*>(num_outputs));
    std::vector<PJRT_Buffer**> out_ptrs(num_devices);
    for (size_t d = 0; d < num_devices; ++d) {
      arg_ptrs[d] = args[d].data();
      out_ptrs[d] = outs[d].data();
    }
    std::vector<PJRT_Event*> events(num_devices, nullptr);

    auto opts = PJRT_ARGS(PJRT_ExecuteOptions, multi_slice_config);
    auto a = PJRT_ARGS(PJRT_LoadedExecutable_Execute_Args, execute_device);
    a.executable = le->exec;
    a.options = &opts;
    a.argument_lists = arg_ptrs.data();
    a.num_devices = num_devices;
    a.num_args = num_args;
    a.output_lists = out_ptrs.data();
    a.device_complete_events = events.data();
    CALL(env, p, PJRT_LoadedExecutable_Execute, a);

    // Wait for every device, remembering the first failure.
    std::pair<int, std::string> first{PJRT_Error_Code_OK, ""};
    for (size_t d = 0; d < num_devices; ++d) {
      auto r = AwaitAndDestroy(p, events[d], "execution");
      if (r.first != PJRT_Error_Code_OK && first.first == PJRT_Error_Code_OK) {
        first = r;
        first.second = "device " + std::to_string(d) + ": " + first.second;
      }
    }
    if (first.first != PJRT_Error_Code_OK) {
      for (auto& row : outs)
        for (PJRT_Buffer* b : row) DestroyPjrtBuffer(p, b);
      ThrowXla(env, first.first, "PJRT_LoadedExecutable_Execute: " + first.second);
    }

    jclass la = env->FindClass("[J");
    if (la == nullptr) throw JavaThrown{};
    jobjectArray result = env->NewObjectArray(static_cast<jsize>(num_devices), la, nullptr);
    if (result == nullptr) throw JavaThrown{};
    for (size_t d = 0; d < num_devices; ++d) {
      std::vector<int64_t> hs(num_outputs);
      for (size_t o = 0; o < num_outputs; ++o) hs[o] = RegisterBuffer(c, outs[d][o]);
      jlongArray row = NewJLongs(env, hs.data(), hs.size());
      env->SetObjectArrayElement(result, static_cast<jsize>(d), row);
      env->DeleteLocalRef(row);
    }
    return result;
  });
}

// --- Buffers ---------------------------------------------------------------

// long bufferFromHost(long client, long device, int type, long[] dims,
//                     ByteBuffer data): `data` must be a direct buffer whose
// remaining() bytes are exactly the dense row-major array; copied during the
// call (kImmutableOnlyDuringCall).
JNI_FN(jlong, bufferFromHost)(JNIEnv* env, jclass, jlong hc, jlong hd, jint type,
                              jlongArray jdims, jobject data) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    auto* c = Reg().Get<Client>(env, hc, Kind::kClient);
    PJRT_Device* dev = CheckDevice(env, c, hd);
    std::vector<int64_t> dims = JLongs(env, jdims, "dims");
    size_t esize = ElementBytes(type);
    if (esize == 0) ThrowIae(env, "unsupported element type " + std::to_string(type));
    size_t expected = esize;
    for (int64_t d : dims) {
      if (d < 0) ThrowIae(env, "negative dimension " + std::to_string(d));
      if (__builtin_mul_overflow(expected, static_cast<size_t>(d), &expected)) {
        ThrowIae(env, "array too large");
      }
    }
    if (data == nullptr) ThrowNpe(env, "data");
    char* base = static_cast<char*>(env->GetDirectBufferAddress(data));
    if (base == nullptr) ThrowIae(env, "data must be a direct ByteBuffer");
    auto [pos, rem] = PositionAndRemaining(env, data);
    if (static_cast<size_t>(rem) != expected) {
      ThrowIae(env, "data has " + std::to_string(rem) + " bytes remaining, the array needs " +
                        std::to_string(expected));
    }
    auto a = PJRT_ARGS(PJRT_Client_BufferFromHostBuffer_Args, buffer);
    a.client = c->client;
    a.data = base + pos;
    a.type = static_cast<PJRT_Buffer_Type>(type);
    a.dims = dims.data();
    a.num_dims = dims.size();
    a.host_buffer_semantics = PJRT_HostBufferSemantics_kImmutableOnlyDuringCall;
    a.device = dev;
    CALL(env, c->plugin, PJRT_Client_BufferFromHostBuffer, a);
    // The host memory must stay valid until the plugin is done with it.
    auto r = AwaitAndDestroy(c->plugin, a.done_with_host_buffer, "host transfer");
    if (r.first != PJRT_Error_Code_OK) {
      DestroyPjrtBuffer(c->plugin, a.buffer);
      ThrowXla(env, r.first, "PJRT_Client_BufferFromHostBuffer: " + r.second);
    }
    return RegisterBuffer(c, a.buffer);
  });
}

// long bufferToHost(long buffer, ByteBuffer dst): copies into a direct
// buffer at its position; returns the number of bytes written.
JNI_FN(jlong, bufferToHost)(JNIEnv* env, jclass, jlong h, jobject dst) {
  return Guard(env, jlong{-1}, [&]() -> jlong {
    auto* b = Reg().Get<Buffer>(env, h, Kind::kBuffer);
    Plugin* p = b->owner->plugin;
    if (dst == nullptr) ThrowNpe(env, "dst");
    char* base = static_cast<char*>(env->GetDirectBufferAddress(dst));
    if (base == nullptr) ThrowIae(env, "dst must be a direct ByteBuffer");
    auto [pos, rem] = PositionAndRemaining(env, dst);

    RowMajor layout(env, b);
    auto q = PJRT_ARGS(PJRT_Buffer_ToHostBuffer_Args, event);
    q.src = b->buffer;  // dst == NULL: query the size
    q.host_layout = &layout.value;
    CALL(env, p, PJRT_Buffer_ToHostBuffer, q);
    DestroyEvent(p, q.event);
    if (q.dst_size > static_cast<size_t>(rem)) {
      ThrowIae(env, "dst has " + std::to_string(rem) + " bytes remaining, the buffer needs " +
                        std::to_string(q.dst_size));
    }
    auto a = PJRT_ARGS(PJRT_Buffer_ToHostBuffer_Args, event);
    a.src = b->buffer;
    a.host_layout = &layout.value;
    a.dst = base + pos;
    a.dst_size = q.dst_size;
    CALL(env, p, PJRT_Buffer_ToHostBuffer, a);
    auto r = AwaitAndDestroy(p, a.event, "device-to-host copy");
    if (r.first != PJRT_Error_Code_OK) {
      ThrowXla(env, r.first, "PJRT_Buffer_ToHostBuffer: " + r.second);
    }
    return static_cast<jlong>(q.dst_size);
  });
}

// long bufferByteSize(long buffer): bytes bufferToHost() will write.
JNI_FN(jlong, bufferByteSize)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, jlong{-1}, [&]() -> jlong {
    auto* b = Reg().Get<Buffer>(env, h, Kind::kBuffer);
    Plugin* p = b->owner->plugin;
    RowMajor layout(env, b);
    auto q = PJRT_ARGS(PJRT_Buffer_ToHostBuffer_Args, event);
    q.src = b->buffer;
    q.host_layout = &layout.value;
    CALL(env, p, PJRT_Buffer_ToHostBuffer, q);
    DestroyEvent(p, q.event);
    return static_cast<jlong>(q.dst_size);
  });
}

// long[] bufferDimensions(long buffer)
JNI_FN(jlongArray, bufferDimensions)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jlongArray>(nullptr), [&]() -> jlongArray {
    auto* b = Reg().Get<Buffer>(env, h, Kind::kBuffer);
    auto a = PJRT_ARGS(PJRT_Buffer_Dimensions_Args, num_dims);
    a.buffer = b->buffer;
    CALL(env, b->owner->plugin, PJRT_Buffer_Dimensions, a);
    return NewJLongs(env, a.dims, a.num_dims);
  });
}

// int bufferElementType(long buffer): a PJRT_Buffer_Type code.
JNI_FN(jint, bufferElementType)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, jint{-1}, [&]() -> jint {
    auto* b = Reg().Get<Buffer>(env, h, Kind::kBuffer);
    auto a = PJRT_ARGS(PJRT_Buffer_ElementType_Args, type);
    a.buffer = b->buffer;
    CALL(env, b->owner->plugin, PJRT_Buffer_ElementType, a);
    return static_cast<jint>(a.type);
  });
}

// void destroyBuffer(long buffer)
JNI_FN(void, destroyBuffer)(JNIEnv* env, jclass, jlong h) {
  Guard(env, 0, [&]() -> int {
    auto* b = Reg().Get<Buffer>(env, h, Kind::kBuffer);
    if (!Reg().RemoveChild(b, Kind::kBuffer, b->owner)) {
      ThrowIae(env, "buffer already destroyed");
    }
    std::unique_ptr<Buffer> owned(b);
    auto a = PJRT_ARGS(PJRT_Buffer_Destroy_Args, buffer);
    a.buffer = b->buffer;
    CALL(env, b->owner->plugin, PJRT_Buffer_Destroy, a);
    return 0;
  });
}

// --- Topologies and ahead-of-time compilation ---------------------------------

// long createTopology(long plugin, String name, String[] optionNames,
//                     Object[] optionValues)
JNI_FN(jlong, createTopology)(JNIEnv* env, jclass, jlong h, jstring jname,
                              jobjectArray names, jobjectArray values) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    auto* p = Reg().Get<Plugin>(env, h, Kind::kPlugin);
    std::string name = JString(env, jname, "topology name");
    NamedValues opts;
    ToNamedValues(env, names, values, &opts);
    auto a = PJRT_ARGS(PJRT_TopologyDescription_Create_Args, topology);
    a.topology_name = name.c_str();
    a.topology_name_size = name.size();
    a.create_options = opts.values.data();
    a.num_options = opts.values.size();
    CALL(env, p, PJRT_TopologyDescription_Create, a);
    auto* t = new Topology();
    t->plugin = p;
    t->topology = a.topology;
    Reg().Add(t, Kind::kTopology, nullptr);
    return ToHandle(t);
  });
}

// void destroyTopology(long topology)
JNI_FN(void, destroyTopology)(JNIEnv* env, jclass, jlong h) {
  Guard(env, 0, [&]() -> int {
    auto* t = Reg().Get<Topology>(env, h, Kind::kTopology);
    int children = Reg().RemoveParent(t, Kind::kTopology, t, nullptr);
    if (children > 0) {
      ThrowIse(env, "topology still has " + std::to_string(children) +
                        " live executables; destroy them first");
    }
    if (children < 0) ThrowIae(env, "topology already destroyed");
    std::unique_ptr<Topology> owned(t);
    auto a = PJRT_ARGS(PJRT_TopologyDescription_Destroy_Args, topology);
    a.topology = t->topology;
    CALL(env, t->plugin, PJRT_TopologyDescription_Destroy, a);
    return 0;
  });
}

// String topologyPlatformName(long topology)
JNI_FN(jstring, topologyPlatformName)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jstring>(nullptr), [&]() -> jstring {
    auto* t = Reg().Get<Topology>(env, h, Kind::kTopology);
    auto a = PJRT_ARGS(PJRT_TopologyDescription_PlatformName_Args, platform_name_size);
    a.topology = t->topology;
    CALL(env, t->plugin, PJRT_TopologyDescription_PlatformName, a);
    return NewJString(env, Str(a.platform_name, a.platform_name_size));
  });
}

// DeviceInfo[] topologyDevices(long topology): descriptions of the devices of
// the topology (handle 0, not addressable).
JNI_FN(jobjectArray, topologyDevices)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jobjectArray>(nullptr), [&]() -> jobjectArray {
    auto* t = Reg().Get<Topology>(env, h, Kind::kTopology);
    auto a = PJRT_ARGS(PJRT_TopologyDescription_GetDeviceDescriptions_Args,
                       num_descriptions);
    a.topology = t->topology;
    CALL(env, t->plugin, PJRT_TopologyDescription_GetDeviceDescriptions, a);
    std::string cls = std::string(kPkg) + "DeviceInfo";
    jclass c = env->FindClass(cls.c_str());
    if (c == nullptr) throw JavaThrown{};
    jobjectArray out = env->NewObjectArray(static_cast<jsize>(a.num_descriptions), c, nullptr);
    if (out == nullptr) throw JavaThrown{};
    for (size_t i = 0; i < a.num_descriptions; ++i) {
      LocalFrame frame(env, 32);
      jobject o = DescribeDevice(env, t->plugin, a.descriptions[i], 0, false, -1);
      env->SetObjectArrayElement(out, static_cast<jsize>(i), o);
      if (env->ExceptionCheck()) throw JavaThrown{};
    }
    return out;
  });
}

// long compileForTopology(long topology, byte[] program, String format,
//                         byte[] compileOptions): PJRT_Compile, no client.
JNI_FN(jlong, compileForTopology)(JNIEnv* env, jclass, jlong h, jbyteArray jcode,
                                  jstring jformat, jbyteArray jopts) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    auto* t = Reg().Get<Topology>(env, h, Kind::kTopology);
    std::vector<char> code = JBytes(env, jcode, "program");
    std::string format = JString(env, jformat, "format");
    std::vector<char> opts = JBytes(env, jopts, "compileOptions");
    PJRT_Program prog = MakeProgram(code, format);
    auto a = PJRT_ARGS(PJRT_Compile_Args, executable);
    a.topology = t->topology;
    a.program = &prog;
    a.compile_options = opts.data();
    a.compile_options_size = opts.size();
    a.client = nullptr;
    CALL(env, t->plugin, PJRT_Compile, a);
    auto* e = new Exec{t, a.executable};
    Reg().Add(e, Kind::kExec, t);
    return ToHandle(e);
  });
}

// long loadCompiled(long client, long executable): PJRT_Client_Load (minor
// 95+) of a PJRT_Compile result, without a serialize/deserialize round trip.
JNI_FN(jlong, loadCompiled)(JNIEnv* env, jclass, jlong hc, jlong he) {
  return Guard(env, jlong{0}, [&]() -> jlong {
    auto* c = Reg().Get<Client>(env, hc, Kind::kClient);
    auto* e = Reg().Get<Exec>(env, he, Kind::kExec);
    if (e->owner->plugin != c->plugin) {
      ThrowIae(env, "executable and client come from different plugins");
    }
    auto a = PJRT_ARGS(PJRT_Client_Load_Args, loaded_executable);
    a.client = c->client;
    a.executable = e->exec;
    CALL(env, c->plugin, PJRT_Client_Load, a);
    return RegisterLoaded(c, a.loaded_executable);
  });
}

// byte[] serializeCompiled(long executable)
JNI_FN(jbyteArray, serializeCompiled)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, static_cast<jbyteArray>(nullptr), [&]() -> jbyteArray {
    auto* e = Reg().Get<Exec>(env, h, Kind::kExec);
    return Serialize(env, e->owner->plugin, e->exec);
  });
}

// int compiledNumOutputs(long executable)
JNI_FN(jint, compiledNumOutputs)(JNIEnv* env, jclass, jlong h) {
  return Guard(env, jint{-1}, [&]() -> jint {
    auto* e = Reg().Get<Exec>(env, h, Kind::kExec);
    return static_cast<jint>(NumOutputs(env, e->owner->plugin, e->exec));
  });
}

// void destroyCompiled(long executable)
JNI_FN(void, destroyCompiled)(JNIEnv* env, jclass, jlong h) {
  Guard(env, 0, [&]() -> int {
    auto* e = Reg().Get<Exec>(env, h, Kind::kExec);
    if (!Reg().RemoveChild(e, Kind::kExec, e->owner)) {
      ThrowIae(env, "executable already destroyed");
    }
    std::unique_ptr<Exec> owned(e);
    auto a = PJRT_ARGS(PJRT_Executable_Destroy_Args, executable);
    a.executable = e->exec;
    CALL(env, e->owner->plugin, PJRT_Executable_Destroy, a);
    return 0;
  });
}
