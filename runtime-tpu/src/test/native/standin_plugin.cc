// standin_plugin.cc -> libpjrt_standin_cpu.so
//
// A real PJRT C API plugin (exports GetPjrtApi, PJRT C API 0.105) that stands
// in for libtpu in tests on machines without accelerators. It implements the
// subset of the API that switchc's JNI bridge (plugin_bridge.cc) calls, backed
// by XLA's TFRT CPU client (xla::TfrtCpuClient) inside the TensorFlow Java
// natives, so programs are compiled by XLA for real: SPMD modules are
// partitioned by XLA's SPMD partitioner and collectives run between N
// in-process CPU devices.
//
// What it provides
//  * Client_Create options: "cpu_device_count" (int64, 1..64, default 8) and
//    "asynchronous" (bool, default true). Unknown options are rejected.
//  * Devices: kind "cpu", process index 0, attribute "coords" = [id, 0, 0]
//    and "core_on_chip" = 0 (shaped like libtpu's, so clients exercise the
//    same code path).
//  * Compile from format "mlir" (StableHLO text or bytecode) with serialized
//    xla.CompileOptionsProto.
//  * Buffers in dense row-major layout; host transfers are synchronous, so
//    every event it returns is already complete. Execute blocks until all
//    devices finished (executes on one client are serialized: concurrent
//    launches can deadlock inside XLA's in-process collectives).
//  * Topologies "cpu:N" for ahead-of-time compilation: PJRT_Compile compiles
//    on a private compile-only CPU client of N devices owned by the topology;
//    the result can be serialized and loaded by any stand-in client with at
//    least those devices (PJRT_Executable_DeserializeAndLoad), or loaded
//    directly with PJRT_Client_Load (done here by serializing internally).
//  * Every other entry of the function table returns an UNIMPLEMENTED error
//    naming the function. Incoming argument structs are checked to be at
//    least as large as the fields read.
//
// Limits (see FINDINGS.md): execution errors are reported when outputs are
// read (PJRT_Buffer_ToHostBuffer), not on the completion events; no memory
// spaces, layouts, donation, send/recv callbacks or multi-process clients.
//
// Build variants: -DSTANDIN_TRUNCATE_BEFORE=<slot name> -DSTANDIN_MINOR=<n>
// produce a plugin whose function table ends before that slot, posing as an
// older plugin (used to test how clients handle missing functions).

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pjrt_c_api_min.h"
#include "tf_natives.h"
#include "standin_xla_abi.h"

namespace x = standin::xla;

namespace {

constexpr int kDefaultDeviceCount = 8;
// XLA CHECK-fails (aborting the process) when it cannot create threads for a
// huge device count; keep well below that.
constexpr int kMaxDeviceCount = 64;

// Shared ownership of one xla::TfrtCpuClient: buffers and executables keep
// their client alive, so PJRT objects may be destroyed in any order.
struct CpuClient {
  x::PjRtClient* cpp = nullptr;
  std::mutex execute_mu;  // serializes Execute (see header comment)
  ~CpuClient() {
    if (cpp != nullptr && x::HasDynamicType(cpp, x::TfrtCpuClient_vtable)) {
      x::TfrtCpuClient_Delete(cpp);
    }
  }
};

// Shared by a loaded executable and the PJRT_Executable views of it.
struct ExecutableCore {
  std::shared_ptr<CpuClient> client;
  x::PjRtLoadedExecutable* cpp = nullptr;
  std::string name;
  std::vector<PJRT_Buffer_Type> output_types;
  size_t num_replicas = 0;
  size_t num_partitions = 0;
  ~ExecutableCore() {
    if (cpp != nullptr && x::HasDynamicType(cpp, x::TfrtCpuExecutable_vtable)) {
      x::TfrtCpuExecutable_Delete(cpp);
    }
  }
};

}  // namespace

// ---------------------------------------------------------------------------
// The opaque PJRT types of this plugin.
// ---------------------------------------------------------------------------

struct PJRT_Error {
  PJRT_Error_Code code;
  std::string message;
};

// Every stand-in event is created complete.
struct PJRT_Event {
  std::optional<std::pair<PJRT_Error_Code, std::string>> error;
};

struct PJRT_DeviceDescription {
  int id = 0;
  int process_index = 0;
  std::string kind;
  std::string debug_string;
  std::string to_string;
  std::vector<int64_t> coords;
  std::vector<PJRT_NamedValue> attributes;  // points into `coords`
};

struct PJRT_Device {
  PJRT_DeviceDescription description;
  x::PjRtDevice* cpp = nullptr;
  int local_hardware_id = -1;
};

struct PJRT_Client {
  std::shared_ptr<CpuClient> cpu;
  std::vector<std::unique_ptr<PJRT_Device>> device_storage;
  std::vector<PJRT_Device*> devices;  // all devices are addressable
  std::unordered_map<const x::PjRtDevice*, PJRT_Device*> by_cpp;
  std::string platform_name;
  std::string platform_version;
  int process_index = 0;
};

struct PJRT_Executable {
  std::shared_ptr<ExecutableCore> core;
};

struct PJRT_LoadedExecutable {
  PJRT_Client* client = nullptr;
  std::shared_ptr<ExecutableCore> core;
  std::vector<PJRT_Device*> addressable_devices;
};

struct PJRT_Buffer {
  std::shared_ptr<CpuClient> cpu;
  x::PjRtBuffer* cpp = nullptr;
  PJRT_Device* device = nullptr;
  PJRT_Buffer_Type type = PJRT_Buffer_Type_INVALID;
  std::vector<int64_t> dims;
  ~PJRT_Buffer() {
    if (cpp != nullptr && x::HasDynamicType(cpp, x::TfrtCpuBuffer_vtable)) {
      x::TfrtCpuBuffer_Delete(cpp);
    }
  }
};

struct PJRT_TopologyDescription {
  int device_count = 0;
  std::string name;
  std::vector<std::unique_ptr<PJRT_DeviceDescription>> storage;
  std::vector<PJRT_DeviceDescription*> descriptions;
  std::mutex mu;
  std::shared_ptr<CpuClient> compile_client;  // created by the first PJRT_Compile
};

struct PJRT_SerializedExecutable {
  std::string bytes;
};

namespace {

// ---------------------------------------------------------------------------
// Errors and argument checks
// ---------------------------------------------------------------------------

PJRT_Error* Error(PJRT_Error_Code code, std::string message) {
  return new PJRT_Error{code, std::move(message)};
}

PJRT_Error* FromStatus(const x::StatusInfo& info, const std::string& context) {
  int code = info.code;
  if (code <= 0 || code > PJRT_Error_Code_UNAUTHENTICATED) code = PJRT_Error_Code_UNKNOWN;
  return Error(static_cast<PJRT_Error_Code>(code), context + ": " + info.message);
}

// Rejects a missing or too-small args struct. Like plugins built from XLA's
// C API wrapper (libtpu), the stand-in demands at least the full size of the
// struct at its own minor (pass the struct's final field), so clients that
// would be rejected by libtpu for announcing too small a struct fail here too.
#define CHECK_ARGS(fn, type, last_field)                                          \
  do {                                                                            \
    if (args == nullptr) return Error(PJRT_Error_Code_INVALID_ARGUMENT,           \
                                      #fn ": args is NULL");                      \
    if (args->struct_size < PJRT_STRUCT_SIZE(type, last_field)) {                 \
      return Error(PJRT_Error_Code_INVALID_ARGUMENT,                              \
                   std::string(#fn ": struct_size ") +                            \
                       std::to_string(args->struct_size) + " < " +                \
                       std::to_string(PJRT_STRUCT_SIZE(type, last_field)) +       \
                       " (the end of " #type "." #last_field ")");                \
    }                                                                             \
  } while (0)

#define CHECK_NOT_NULL(fn, ptr)                                                   \
  do {                                                                            \
    if ((ptr) == nullptr) return Error(PJRT_Error_Code_INVALID_ARGUMENT,          \
                                       #fn ": " #ptr " is NULL");                 \
  } while (0)

// No C++ exception may leave a C API function.
template <typename F>
PJRT_Error* Guarded(const char* fn, F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Error(PJRT_Error_Code_RESOURCE_EXHAUSTED, std::string(fn) + ": out of memory");
  } catch (const std::exception& e) {
    return Error(PJRT_Error_Code_INTERNAL, std::string(fn) + ": " + e.what());
  } catch (...) {
    return Error(PJRT_Error_Code_INTERNAL, std::string(fn) + ": unknown C++ exception");
  }
}

PJRT_Event* ReadyEvent() { return new PJRT_Event(); }

std::string_view Sv(const char* p, size_t n) {
  return p == nullptr ? std::string_view() : std::string_view(p, n);
}

// ---------------------------------------------------------------------------
// Element types
// ---------------------------------------------------------------------------

struct TypeEntry {
  PJRT_Buffer_Type pjrt;
  x::PrimitiveType xla;
  size_t bytes;
};
constexpr TypeEntry kTypes[] = {
    {PJRT_Buffer_Type_PRED, x::PRED, 1}, {PJRT_Buffer_Type_S8, x::S8, 1},
    {PJRT_Buffer_Type_S16, x::S16, 2},   {PJRT_Buffer_Type_S32, x::S32, 4},
    {PJRT_Buffer_Type_S64, x::S64, 8},   {PJRT_Buffer_Type_U8, x::U8, 1},
    {PJRT_Buffer_Type_U16, x::U16, 2},   {PJRT_Buffer_Type_U32, x::U32, 4},
    {PJRT_Buffer_Type_U64, x::U64, 8},   {PJRT_Buffer_Type_F16, x::F16, 2},
    {PJRT_Buffer_Type_F32, x::F32, 4},   {PJRT_Buffer_Type_F64, x::F64, 8},
    {PJRT_Buffer_Type_BF16, x::BF16, 2}, {PJRT_Buffer_Type_C64, x::C64, 8},
    {PJRT_Buffer_Type_C128, x::C128, 16},
};

const TypeEntry* FromPjrtType(int t) {
  for (const auto& e : kTypes) if (e.pjrt == t) return &e;
  return nullptr;
}
const TypeEntry* FromXlaType(int t) {
  for (const auto& e : kTypes) if (e.xla == t) return &e;
  return nullptr;
}

// True if XLA's "f32[2,3]{1,0}" names the dense row-major layout.
bool IsRowMajor(const std::string& shape, size_t rank) {
  size_t open = shape.find('{');
  if (open == std::string::npos) return rank <= 1;
  std::vector<long> minor_to_major;
  size_t pos = open + 1;
  while (pos < shape.size() && shape[pos] != '}' && shape[pos] != ':') {
    char* end = nullptr;
    long v = std::strtol(shape.c_str() + pos, &end, 10);
    if (end == shape.c_str() + pos) return false;
    minor_to_major.push_back(v);
    pos = static_cast<size_t>(end - shape.c_str());
    if (pos < shape.size() && shape[pos] == ',') ++pos;
  }
  if (minor_to_major.size() != rank) return false;
  for (size_t i = 0; i < rank; ++i) {
    if (minor_to_major[i] != static_cast<long>(rank - 1 - i)) return false;
  }
  return true;
}

// True if a caller's PJRT layout is dense row-major for `rank` dimensions.
bool IsRowMajorLayout(const PJRT_Buffer_MemoryLayout* l, size_t rank) {
  if (l->struct_size < PJRT_STRUCT_SIZE(PJRT_Buffer_MemoryLayout, type)) return false;
  if (l->type != PJRT_Buffer_MemoryLayout_Type_Tiled) return false;
  const PJRT_Buffer_MemoryLayout_Tiled& t = l->tiled;
  if (t.num_tiles != 0 || t.minor_to_major_size != rank) return false;
  for (size_t i = 0; i < rank; ++i) {
    if (t.minor_to_major == nullptr || t.minor_to_major[i] != static_cast<int64_t>(rank - 1 - i)) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Build-id check of the TensorFlow natives (the layouts above belong to them)
// ---------------------------------------------------------------------------

std::string BuildIdOf(const dl_phdr_info* info) {
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& seg = info->dlpi_phdr[i];
    if (seg.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + seg.p_vaddr);
    const unsigned char* end = p + seg.p_memsz;
    const size_t align = seg.p_align > 4 ? seg.p_align : 4;
    auto up = [align](size_t n) { return (n + align - 1) / align * align; };
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) h;
      std::memcpy(&h, p, sizeof h);
      const unsigned char* name = p + sizeof h;
      const unsigned char* desc = name + up(h.n_namesz);
      const unsigned char* next = desc + up(h.n_descsz);
      if (next > end || next <= p) break;
      if (h.n_type == NT_GNU_BUILD_ID && h.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        static const char kHex[] = "0123456789abcdef";
        std::string hex;
        for (ElfW(Word) k = 0; k < h.n_descsz; ++k) {
          hex += kHex[desc[k] >> 4];
          hex += kHex[desc[k] & 15];
        }
        return hex;
      }
      p = next;
    }
  }
  return {};
}

// Empty if the mapped TF libraries are the ones this plugin was built for.
std::string NativesMismatch() {
  struct Found {
    std::string cc, fw;
  } found;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) -> int {
        auto* f = static_cast<Found*>(data);
        const char* n = info->dlpi_name;
        const char* base = n != nullptr ? std::strrchr(n, '/') : nullptr;
        base = base != nullptr ? base + 1 : n;
        if (base == nullptr) return 0;
        if (std::strcmp(base, "libtensorflow_cc.so.2") == 0 && f->cc.empty()) f->cc = BuildIdOf(info);
        if (std::strcmp(base, "libtensorflow_framework.so.2") == 0 && f->fw.empty()) f->fw = BuildIdOf(info);
        return 0;
      },
      &found);
  std::string out;
  if (found.cc != SWITCHC_EXPECTED_TF_CC_BUILD_ID) {
    out += "libtensorflow_cc.so.2 build-id '" + found.cc + "', expected " SWITCHC_EXPECTED_TF_CC_BUILD_ID;
  }
  if (found.fw != SWITCHC_EXPECTED_TF_FRAMEWORK_BUILD_ID) {
    if (!out.empty()) out += "; ";
    out += "libtensorflow_framework.so.2 build-id '" + found.fw +
           "', expected " SWITCHC_EXPECTED_TF_FRAMEWORK_BUILD_ID;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Process-wide state
// ---------------------------------------------------------------------------

struct Globals {
  std::once_flag init_once;
  PJRT_Error_Code init_code = PJRT_Error_Code_OK;
  std::string init_error;
  x::StatusOr<x::ExecuteOptionsValue>* execute_options = nullptr;  // never freed
};
Globals& G() {
  static Globals* g = new Globals();
  return *g;
}

// ExecuteOptionsProto{untuple_result (2) = true, execution_mode (6) = DEFAULT (1)}.
constexpr unsigned char kExecuteOptionsBytes[] = {0x10, 0x01, 0x30, 0x01};

void InitializeOnce() {
  Globals& g = G();
  std::string mismatch = NativesMismatch();
  if (!mismatch.empty()) {
    g.init_code = PJRT_Error_Code_FAILED_PRECONDITION;
    g.init_error = "stand-in was built for other TensorFlow natives: " + mismatch;
    return;
  }
  x::ExecuteOptionsProto proto;
  if (!proto.Parse(kExecuteOptionsBytes, sizeof kExecuteOptionsBytes)) {
    g.init_code = PJRT_Error_Code_INTERNAL;
    g.init_error = "cannot parse the stand-in's ExecuteOptionsProto";
    return;
  }
  auto* parsed = new x::StatusOr<x::ExecuteOptionsValue>();
  x::ExecuteOptions_FromProto(parsed->out(), proto.get());
  if (!parsed->ok()) {
    x::StatusInfo info = parsed->TakeError();
    g.init_code = PJRT_Error_Code_INTERNAL;
    g.init_error = "ExecuteOptions::FromProto: " + info.message;
    delete parsed;
    return;
  }
  if (parsed->value().bytes[x::kExecuteOptionsUntupleResultOffset] != 1) {
    g.init_code = PJRT_Error_Code_INTERNAL;
    g.init_error = "ExecuteOptions layout check failed";
    return;  // leaked on purpose: do not run a destructor on a misread layout
  }
  g.execute_options = parsed;
}

PJRT_Error* RequireInitialized(const char* fn) {
  Globals& g = G();
  std::call_once(g.init_once, InitializeOnce);
  if (g.init_code != PJRT_Error_Code_OK) {
    return Error(g.init_code, std::string(fn) + ": " + g.init_error);
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

// Parses named options; returns an error for unknown names or wrong types.
PJRT_Error* ParseCpuOptions(const char* fn, const PJRT_NamedValue* opts, size_t n,
                            int* device_count, bool* asynchronous) {
  if (n > 0 && opts == nullptr) {
    return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": options array is NULL");
  }
  for (size_t i = 0; i < n; ++i) {
    const PJRT_NamedValue& v = opts[i];
    if (v.struct_size < PJRT_STRUCT_SIZE(PJRT_NamedValue, value_size)) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                   std::string(fn) + ": PJRT_NamedValue struct_size too small");
    }
    std::string name(Sv(v.name, v.name_size));
    if (name == "cpu_device_count" && device_count != nullptr) {
      if (v.type != PJRT_NamedValue_kInt64) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": option cpu_device_count must be an int64");
      }
      if (v.int64_value < 1 || v.int64_value > kMaxDeviceCount) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": cpu_device_count " + std::to_string(v.int64_value) +
                         " is outside 1.." + std::to_string(kMaxDeviceCount));
      }
      *device_count = static_cast<int>(v.int64_value);
    } else if (name == "asynchronous" && asynchronous != nullptr) {
      if (v.type != PJRT_NamedValue_kBool) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": option asynchronous must be a bool");
      }
      *asynchronous = v.bool_value;
    } else {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                   std::string(fn) + ": unknown option '" + name + "' (the stand-in accepts " +
                       (asynchronous != nullptr ? "cpu_device_count, asynchronous)"
                                                : "cpu_device_count)"));
    }
  }
  return nullptr;
}

PJRT_Error* NewCpuClient(int devices, bool asynchronous, std::shared_ptr<CpuClient>* out) {
  x::CpuClientOptions o;
  std::memset(&o, 0, sizeof o);
  o.asynchronous = asynchronous;
  o.cpu_device_count = devices;
  o.has_cpu_device_count = true;
  o.max_inflight_computations_per_device = 32;  // XLA's default
  o.process_id = 0;
  x::StatusOr<x::PjRtClient*> client;  // StatusOr<unique_ptr<PjRtClient>>
  x::GetTfrtCpuClient(client.out(), o);
  if (!client.ok()) return FromStatus(client.TakeError(), "GetTfrtCpuClient");
  auto cpu = std::make_shared<CpuClient>();
  cpu->cpp = client.value();
  if (!x::HasDynamicType(cpu->cpp, x::TfrtCpuClient_vtable)) {
    cpu->cpp = nullptr;  // leak rather than destroy an object of unknown type
    return Error(PJRT_Error_Code_INTERNAL, "GetTfrtCpuClient returned an unexpected type");
  }
  *out = std::move(cpu);
  return nullptr;
}

void FillDescription(PJRT_DeviceDescription* d, int id, int process_index, std::string kind,
                     std::string debug, std::string to_string) {
  d->id = id;
  d->process_index = process_index;
  d->kind = std::move(kind);
  d->debug_string = std::move(debug);
  d->to_string = std::move(to_string);
  d->coords = {id, 0, 0};
  auto nv = [](const char* name) {
    PJRT_NamedValue v;
    std::memset(&v, 0, sizeof v);
    v.struct_size = PJRT_STRUCT_SIZE(PJRT_NamedValue, value_size);
    v.name = name;
    v.name_size = std::strlen(name);
    return v;
  };
  PJRT_NamedValue coords = nv("coords");
  coords.type = PJRT_NamedValue_kInt64List;
  coords.int64_array_value = d->coords.data();
  coords.value_size = d->coords.size();
  PJRT_NamedValue core = nv("core_on_chip");
  core.type = PJRT_NamedValue_kInt64;
  core.int64_value = 0;
  core.value_size = 1;
  d->attributes = {coords, core};
}

// Parses compile options bytes into xla::CompileOptions.
PJRT_Error* ParseCompileOptions(const char* fn, const char* bytes, size_t size,
                                x::StatusOr<x::CompileOptionsValue>* out) {
  if (size > 0 && bytes == nullptr) {
    return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": compile_options is NULL");
  }
  x::CompileOptionsProto proto;
  if (size > 0 && !proto.Parse(bytes, size)) {
    return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                 std::string(fn) + ": compile_options is not a serialized xla.CompileOptionsProto");
  }
  x::CompileOptions_FromProto(out->out(), proto.get());
  if (!out->ok()) return FromStatus(out->TakeError(), "CompileOptions::FromProto");
  return nullptr;
}

// Wraps a freshly built TfrtCpuExecutable (takes ownership).
PJRT_Error* MakeCore(const char* fn, const std::shared_ptr<CpuClient>& cpu,
                     x::PjRtLoadedExecutable* exe, std::shared_ptr<ExecutableCore>* out) {
  auto core = std::make_shared<ExecutableCore>();
  core->client = cpu;
  if (!x::HasDynamicType(exe, x::TfrtCpuExecutable_vtable)) {
    return Error(PJRT_Error_Code_INTERNAL, std::string(fn) + ": unexpected executable type");
  }
  core->cpp = exe;
  core->name = std::string(x::TfrtCpuExecutable_name(exe));
  core->num_replicas = static_cast<size_t>(x::TfrtCpuExecutable_num_replicas(exe));
  core->num_partitions = static_cast<size_t>(x::TfrtCpuExecutable_num_partitions(exe));
  x::StatusOr<std::vector<std::vector<x::PrimitiveType>>> types;
  x::PjRtExecutable_GetOutputElementTypes(types.out(), exe);
  if (!types.ok()) return FromStatus(types.TakeError(), std::string(fn) + ": output types");
  if (types.value().empty()) {
    return Error(PJRT_Error_Code_INTERNAL, std::string(fn) + ": executable has no program");
  }
  for (x::PrimitiveType t : types.value()[0]) {
    const TypeEntry* e = FromXlaType(t);
    core->output_types.push_back(e != nullptr ? e->pjrt : PJRT_Buffer_Type_INVALID);
  }
  *out = std::move(core);
  return nullptr;
}

// Parses + compiles a program on `cpu`.
PJRT_Error* CompileOn(const char* fn, const std::shared_ptr<CpuClient>& cpu,
                      const PJRT_Program* program, const char* options, size_t options_size,
                      std::shared_ptr<ExecutableCore>* out) {
  if (program == nullptr) {
    return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": program is NULL");
  }
  if (program->struct_size < PJRT_STRUCT_SIZE(PJRT_Program, format_size)) {
    return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                 std::string(fn) + ": PJRT_Program struct_size too small");
  }
  std::string_view format = Sv(program->format, program->format_size);
  if (format != "mlir") {
    return Error(PJRT_Error_Code_UNIMPLEMENTED,
                 std::string(fn) + ": program format '" + std::string(format) +
                     "' (the stand-in compiles only \"mlir\")");
  }
  if (program->code == nullptr && program->code_size > 0) {
    return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": program code is NULL");
  }
  x::StatusOr<x::CompileOptionsValue> opts;
  if (PJRT_Error* e = ParseCompileOptions(fn, options, options_size, &opts)) return e;

  // The MLIR parser of this XLA reads its input as a NUL-terminated buffer:
  // PJRT_Program.code is not, so parse a terminated copy.
  const std::string code(program->code, program->code_size);
  x::XlaComputation computation;
  x::StatusRep status = x::kStatusUnset;
  x::ParseMlirModuleStringAndConvertToXlaComputation(&status, code, computation.get(),
                                                     /*use_tuple_args=*/false,
                                                     /*return_tuple=*/false);
  if (status != x::kStatusOk) {
    return FromStatus(x::ConsumeStatus(status), "parsing the MLIR module");
  }
  // CompileOptions is taken by value: opts.value() is the caller-owned
  // temporary, destroyed (moved-from) when `opts` goes out of scope.
  x::StatusOr<x::PjRtLoadedExecutable*> exe;
  x::TfrtCpuClient_Compile(exe.out(), cpu->cpp, computation.get(), opts.value().bytes);
  if (!exe.ok()) return FromStatus(exe.TakeError(), "compiling");
  return MakeCore(fn, cpu, exe.value(), out);
}

PJRT_LoadedExecutable* NewLoaded(PJRT_Client* client, std::shared_ptr<ExecutableCore> core) {
  auto* le = new PJRT_LoadedExecutable();
  le->client = client;
  le->core = std::move(core);
  x::Span<x::PjRtDevice*> devs = x::TfrtCpuExecutable_addressable_devices(le->core->cpp);
  for (size_t i = 0; i < devs.size; ++i) {
    auto it = client->by_cpp.find(devs.data[i]);
    le->addressable_devices.push_back(it != client->by_cpp.end() ? it->second : nullptr);
  }
  return le;
}

PJRT_Buffer* WrapBuffer(PJRT_Client* client, x::PjRtBuffer* cpp) {
  auto* b = new PJRT_Buffer();
  b->cpu = client->cpu;
  b->cpp = cpp;
  auto it = client->by_cpp.find(x::TfrtCpuBuffer_device(cpp));
  b->device = it != client->by_cpp.end() ? it->second : nullptr;
  const TypeEntry* t = FromXlaType(x::PjRtBuffer_element_type(cpp));
  b->type = t != nullptr ? t->pjrt : PJRT_Buffer_Type_INVALID;
  x::Span<int64_t> dims = x::PjRtBuffer_dimensions(cpp);
  b->dims.assign(dims.data, dims.data + dims.size);
  return b;
}

// Blocks on and destroys the futures Execute returned (a vector the library
// allocated with the global operator new).
void AwaitFutures(x::OptionalFutureVector* f) {
  if (f->begin == nullptr) return;
  unsigned char* const end = static_cast<unsigned char*>(f->end);
  for (unsigned char* p = static_cast<unsigned char*>(f->begin); p + x::kPjRtFutureSize <= end; p += x::kPjRtFutureSize) {
    x::AsyncValue* value;
    std::memcpy(&value, p, sizeof value);
    if (value != nullptr) x::BlockUntilReady(value);
    x::PjRtFutureVoid_Destroy(p);
  }
  ::operator delete(f->begin);
  f->begin = f->end = f->capacity = nullptr;
}

// ===========================================================================
// PJRT C API implementation
// ===========================================================================

// --- Errors ------------------------------------------------------------------

void ErrorDestroy(PJRT_Error_Destroy_Args* args) {
  if (args != nullptr) delete args->error;
}

void ErrorMessage(PJRT_Error_Message_Args* args) {
  if (args == nullptr || args->error == nullptr) return;
  args->message = args->error->message.c_str();
  args->message_size = args->error->message.size();
}

PJRT_Error* ErrorGetCode(PJRT_Error_GetCode_Args* args) {
  CHECK_ARGS(PJRT_Error_GetCode, PJRT_Error_GetCode_Args, code);
  CHECK_NOT_NULL(PJRT_Error_GetCode, args->error);
  args->code = args->error->code;
  return nullptr;
}

// --- Plugin ------------------------------------------------------------------

PJRT_Error* PluginInitialize(PJRT_Plugin_Initialize_Args* args) {
  CHECK_ARGS(PJRT_Plugin_Initialize, PJRT_Plugin_Initialize_Args, extension_start);
  return Guarded("PJRT_Plugin_Initialize",
                 [&]() { return RequireInitialized("PJRT_Plugin_Initialize"); });
}

PJRT_Error* PluginAttributes(PJRT_Plugin_Attributes_Args* args) {
  CHECK_ARGS(PJRT_Plugin_Attributes, PJRT_Plugin_Attributes_Args, num_attributes);
  static const PJRT_NamedValue* attrs = [] {
    static PJRT_NamedValue v[3];
    std::memset(v, 0, sizeof v);
    static const char kBackend[] = "xla::TfrtCpuClient from the TensorFlow 2.18 Java natives";
    const char* names[3] = {"stand_in", "backend", "max_cpu_device_count"};
    for (int i = 0; i < 3; ++i) {
      v[i].struct_size = PJRT_STRUCT_SIZE(PJRT_NamedValue, value_size);
      v[i].name = names[i];
      v[i].name_size = std::strlen(names[i]);
      v[i].value_size = 1;
    }
    v[0].type = PJRT_NamedValue_kBool;
    v[0].bool_value = true;
    v[1].type = PJRT_NamedValue_kString;
    v[1].string_value = kBackend;
    v[1].value_size = sizeof kBackend - 1;
    v[2].type = PJRT_NamedValue_kInt64;
    v[2].int64_value = kMaxDeviceCount;
    return v;
  }();
  args->attributes = attrs;
  args->num_attributes = 3;
  return nullptr;
}

// --- Events ------------------------------------------------------------------

PJRT_Error* EventDestroy(PJRT_Event_Destroy_Args* args) {
  CHECK_ARGS(PJRT_Event_Destroy, PJRT_Event_Destroy_Args, event);
  delete args->event;
  return nullptr;
}

PJRT_Error* EventIsReady(PJRT_Event_IsReady_Args* args) {
  CHECK_ARGS(PJRT_Event_IsReady, PJRT_Event_IsReady_Args, is_ready);
  CHECK_NOT_NULL(PJRT_Event_IsReady, args->event);
  args->is_ready = true;
  return nullptr;
}

PJRT_Error* EventAwait(PJRT_Event_Await_Args* args) {
  CHECK_ARGS(PJRT_Event_Await, PJRT_Event_Await_Args, event);
  CHECK_NOT_NULL(PJRT_Event_Await, args->event);
  const auto& e = args->event->error;
  return e ? Error(e->first, e->second) : nullptr;
}

PJRT_Error* EventError(PJRT_Event_Error_Args* args) { return EventAwait(args); }

// --- Client ------------------------------------------------------------------

PJRT_Error* ClientCreate(PJRT_Client_Create_Args* args) {
  CHECK_ARGS(PJRT_Client_Create, PJRT_Client_Create_Args, kv_try_get_user_arg);
  return Guarded("PJRT_Client_Create", [&]() -> PJRT_Error* {
    if (PJRT_Error* e = RequireInitialized("PJRT_Client_Create")) return e;
    int devices = kDefaultDeviceCount;
    bool asynchronous = true;
    if (PJRT_Error* e = ParseCpuOptions("PJRT_Client_Create", args->create_options,
                                        args->num_options, &devices, &asynchronous)) {
      return e;
    }
    auto client = std::make_unique<PJRT_Client>();
    if (PJRT_Error* e = NewCpuClient(devices, asynchronous, &client->cpu)) return e;
    x::PjRtClient* cpp = client->cpu->cpp;
    client->platform_name = std::string(x::TfrtCpuClient_platform_name(cpp));
    client->platform_version =
        "switchc PJRT stand-in over " + std::string(x::TfrtCpuClient_platform_version(cpp)) +
        " (TensorFlow 2.18 natives)";
    client->process_index = x::TfrtCpuClient_process_index(cpp);
    x::Span<x::PjRtDevice*> devs = x::TfrtCpuClient_devices(cpp);
    for (size_t i = 0; i < devs.size; ++i) {
      auto d = std::make_unique<PJRT_Device>();
      d->cpp = devs.data[i];
      d->local_hardware_id = x::TfrtCpuDevice_local_hardware_id(d->cpp);
      FillDescription(&d->description, x::PjRtDevice_id(d->cpp),
                      x::PjRtDevice_process_index(d->cpp),
                      std::string(x::PjRtDevice_device_kind(d->cpp)),
                      std::string(x::PjRtDevice_DebugString(d->cpp)),
                      std::string(x::PjRtDevice_ToString(d->cpp)));
      client->by_cpp[d->cpp] = d.get();
      client->devices.push_back(d.get());
      client->device_storage.push_back(std::move(d));
    }
    args->client = client.release();
    return nullptr;
  });
}

PJRT_Error* ClientDestroy(PJRT_Client_Destroy_Args* args) {
  CHECK_ARGS(PJRT_Client_Destroy, PJRT_Client_Destroy_Args, client);
  delete args->client;  // the CPU client lives on while buffers/executables do
  return nullptr;
}

PJRT_Error* ClientPlatformName(PJRT_Client_PlatformName_Args* args) {
  CHECK_ARGS(PJRT_Client_PlatformName, PJRT_Client_PlatformName_Args, platform_name_size);
  CHECK_NOT_NULL(PJRT_Client_PlatformName, args->client);
  args->platform_name = args->client->platform_name.c_str();
  args->platform_name_size = args->client->platform_name.size();
  return nullptr;
}

PJRT_Error* ClientPlatformVersion(PJRT_Client_PlatformVersion_Args* args) {
  CHECK_ARGS(PJRT_Client_PlatformVersion, PJRT_Client_PlatformVersion_Args,
             platform_version_size);
  CHECK_NOT_NULL(PJRT_Client_PlatformVersion, args->client);
  args->platform_version = args->client->platform_version.c_str();
  args->platform_version_size = args->client->platform_version.size();
  return nullptr;
}

PJRT_Error* ClientProcessIndex(PJRT_Client_ProcessIndex_Args* args) {
  CHECK_ARGS(PJRT_Client_ProcessIndex, PJRT_Client_ProcessIndex_Args, process_index);
  CHECK_NOT_NULL(PJRT_Client_ProcessIndex, args->client);
  args->process_index = args->client->process_index;
  return nullptr;
}

PJRT_Error* ClientDevices(PJRT_Client_Devices_Args* args) {
  CHECK_ARGS(PJRT_Client_Devices, PJRT_Client_Devices_Args, num_devices);
  CHECK_NOT_NULL(PJRT_Client_Devices, args->client);
  args->devices = args->client->devices.data();
  args->num_devices = args->client->devices.size();
  return nullptr;
}

PJRT_Error* ClientAddressableDevices(PJRT_Client_AddressableDevices_Args* args) {
  CHECK_ARGS(PJRT_Client_AddressableDevices, PJRT_Client_AddressableDevices_Args, num_devices);
  CHECK_NOT_NULL(PJRT_Client_AddressableDevices, args->client);
  args->devices = args->client->devices.data();
  args->num_devices = args->client->devices.size();
  return nullptr;
}

PJRT_Error* ClientCompile(PJRT_Client_Compile_Args* args) {
  CHECK_ARGS(PJRT_Client_Compile, PJRT_Client_Compile_Args, executable);
  CHECK_NOT_NULL(PJRT_Client_Compile, args->client);
  return Guarded("PJRT_Client_Compile", [&]() -> PJRT_Error* {
    std::shared_ptr<ExecutableCore> core;
    if (PJRT_Error* e = CompileOn("PJRT_Client_Compile", args->client->cpu, args->program,
                                  args->compile_options, args->compile_options_size, &core)) {
      return e;
    }
    args->executable = NewLoaded(args->client, std::move(core));
    return nullptr;
  });
}

PJRT_Error* ClientBufferFromHostBuffer(PJRT_Client_BufferFromHostBuffer_Args* args) {
  CHECK_ARGS(PJRT_Client_BufferFromHostBuffer, PJRT_Client_BufferFromHostBuffer_Args, buffer);
  CHECK_NOT_NULL(PJRT_Client_BufferFromHostBuffer, args->client);
  CHECK_NOT_NULL(PJRT_Client_BufferFromHostBuffer, args->device);
  return Guarded("PJRT_Client_BufferFromHostBuffer", [&]() -> PJRT_Error* {
    const char* fn = "PJRT_Client_BufferFromHostBuffer";
    PJRT_Client* client = args->client;
    // Membership is checked by pointer before the device is dereferenced.
    if (std::find(client->devices.begin(), client->devices.end(), args->device) ==
        client->devices.end()) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": device of another client");
    }
    if (args->memory != nullptr || args->device_layout != nullptr) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED,
                   std::string(fn) + ": memory spaces and device layouts (stand-in)");
    }
    const TypeEntry* t = FromPjrtType(args->type);
    if (t == nullptr) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED,
                   std::string(fn) + ": element type " + std::to_string(args->type) +
                       " (stand-in)");
    }
    if (args->num_dims > 0 && args->dims == nullptr) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": dims is NULL");
    }
    for (size_t i = 0; i < args->num_dims; ++i) {
      if (args->dims[i] < 0) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": negative dimension " + std::to_string(args->dims[i]));
      }
    }
    x::OptionalSpanI64 strides{{nullptr, 0}, false};
    if (args->num_byte_strides > 0) {
      if (args->byte_strides == nullptr || args->num_byte_strides != args->num_dims) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": byte_strides must match dims");
      }
      strides = {{args->byte_strides, args->num_byte_strides}, true};
    }
    if (args->data == nullptr) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": data is NULL");
    }
    // Every semantics is served by copying during the call, which satisfies
    // each of their contracts; done_with_host_buffer is complete on return.
    x::EmptyAnyInvocable on_done;
    x::StatusOr<x::PjRtBuffer*> buffer;  // StatusOr<unique_ptr<PjRtBuffer>>
    x::TfrtCpuClient_BufferFromHostBuffer(
        buffer.out(), client->cpu->cpp, args->data, t->xla,
        {args->dims, args->num_dims}, strides, x::kHostBufferImmutableOnlyDuringCall,
        on_done.get(), args->device->cpp);
    if (!buffer.ok()) return FromStatus(buffer.TakeError(), "copying from the host");
    std::unique_ptr<PJRT_Buffer> wrapped(WrapBuffer(client, buffer.value()));
    if (!x::HasDynamicType(wrapped->cpp, x::TfrtCpuBuffer_vtable)) {
      wrapped->cpp = nullptr;  // leak rather than destroy an unknown type
      return Error(PJRT_Error_Code_INTERNAL, std::string(fn) + ": unexpected buffer type");
    }
    args->done_with_host_buffer = ReadyEvent();
    args->buffer = wrapped.release();
    return nullptr;
  });
}

// --- Device descriptions and devices -----------------------------------------

PJRT_Error* DescId(PJRT_DeviceDescription_Id_Args* args) {
  CHECK_ARGS(PJRT_DeviceDescription_Id, PJRT_DeviceDescription_Id_Args, id);
  CHECK_NOT_NULL(PJRT_DeviceDescription_Id, args->device_description);
  args->id = args->device_description->id;
  return nullptr;
}

PJRT_Error* DescProcessIndex(PJRT_DeviceDescription_ProcessIndex_Args* args) {
  CHECK_ARGS(PJRT_DeviceDescription_ProcessIndex, PJRT_DeviceDescription_ProcessIndex_Args,
             process_index);
  CHECK_NOT_NULL(PJRT_DeviceDescription_ProcessIndex, args->device_description);
  args->process_index = args->device_description->process_index;
  return nullptr;
}

PJRT_Error* DescAttributes(PJRT_DeviceDescription_Attributes_Args* args) {
  CHECK_ARGS(PJRT_DeviceDescription_Attributes, PJRT_DeviceDescription_Attributes_Args,
             attributes);
  CHECK_NOT_NULL(PJRT_DeviceDescription_Attributes, args->device_description);
  args->attributes = args->device_description->attributes.data();
  args->num_attributes = args->device_description->attributes.size();
  return nullptr;
}

PJRT_Error* DescKind(PJRT_DeviceDescription_Kind_Args* args) {
  CHECK_ARGS(PJRT_DeviceDescription_Kind, PJRT_DeviceDescription_Kind_Args, device_kind_size);
  CHECK_NOT_NULL(PJRT_DeviceDescription_Kind, args->device_description);
  args->device_kind = args->device_description->kind.c_str();
  args->device_kind_size = args->device_description->kind.size();
  return nullptr;
}

PJRT_Error* DescDebugString(PJRT_DeviceDescription_DebugString_Args* args) {
  CHECK_ARGS(PJRT_DeviceDescription_DebugString, PJRT_DeviceDescription_DebugString_Args,
             debug_string_size);
  CHECK_NOT_NULL(PJRT_DeviceDescription_DebugString, args->device_description);
  args->debug_string = args->device_description->debug_string.c_str();
  args->debug_string_size = args->device_description->debug_string.size();
  return nullptr;
}

// Same layout as DebugString (to_string, to_string_size).
PJRT_Error* DescToString(PJRT_DeviceDescription_DebugString_Args* args) {
  CHECK_ARGS(PJRT_DeviceDescription_ToString, PJRT_DeviceDescription_DebugString_Args,
             debug_string_size);
  CHECK_NOT_NULL(PJRT_DeviceDescription_ToString, args->device_description);
  args->debug_string = args->device_description->to_string.c_str();
  args->debug_string_size = args->device_description->to_string.size();
  return nullptr;
}

PJRT_Error* DeviceGetDescription(PJRT_Device_GetDescription_Args* args) {
  CHECK_ARGS(PJRT_Device_GetDescription, PJRT_Device_GetDescription_Args, device_description);
  CHECK_NOT_NULL(PJRT_Device_GetDescription, args->device);
  args->device_description = &args->device->description;
  return nullptr;
}

PJRT_Error* DeviceIsAddressable(PJRT_Device_IsAddressable_Args* args) {
  CHECK_ARGS(PJRT_Device_IsAddressable, PJRT_Device_IsAddressable_Args, is_addressable);
  CHECK_NOT_NULL(PJRT_Device_IsAddressable, args->device);
  args->is_addressable = true;
  return nullptr;
}

PJRT_Error* DeviceLocalHardwareId(PJRT_Device_LocalHardwareId_Args* args) {
  CHECK_ARGS(PJRT_Device_LocalHardwareId, PJRT_Device_LocalHardwareId_Args, local_hardware_id);
  CHECK_NOT_NULL(PJRT_Device_LocalHardwareId, args->device);
  args->local_hardware_id = args->device->local_hardware_id;
  return nullptr;
}

// --- Executables ---------------------------------------------------------------

PJRT_Error* ExecutableDestroy(PJRT_Executable_Destroy_Args* args) {
  CHECK_ARGS(PJRT_Executable_Destroy, PJRT_Executable_Destroy_Args, executable);
  delete args->executable;
  return nullptr;
}

PJRT_Error* ExecutableName(PJRT_Executable_Name_Args* args) {
  CHECK_ARGS(PJRT_Executable_Name, PJRT_Executable_Name_Args, executable_name_size);
  CHECK_NOT_NULL(PJRT_Executable_Name, args->executable);
  args->executable_name = args->executable->core->name.c_str();
  args->executable_name_size = args->executable->core->name.size();
  return nullptr;
}

PJRT_Error* ExecutableNumReplicas(PJRT_Executable_NumReplicas_Args* args) {
  CHECK_ARGS(PJRT_Executable_NumReplicas, PJRT_Executable_NumReplicas_Args, num_replicas);
  CHECK_NOT_NULL(PJRT_Executable_NumReplicas, args->executable);
  args->num_replicas = args->executable->core->num_replicas;
  return nullptr;
}

PJRT_Error* ExecutableNumPartitions(PJRT_Executable_NumPartitions_Args* args) {
  CHECK_ARGS(PJRT_Executable_NumPartitions, PJRT_Executable_NumPartitions_Args, num_partitions);
  CHECK_NOT_NULL(PJRT_Executable_NumPartitions, args->executable);
  args->num_partitions = args->executable->core->num_partitions;
  return nullptr;
}

PJRT_Error* ExecutableNumOutputs(PJRT_Executable_NumOutputs_Args* args) {
  CHECK_ARGS(PJRT_Executable_NumOutputs, PJRT_Executable_NumOutputs_Args, num_outputs);
  CHECK_NOT_NULL(PJRT_Executable_NumOutputs, args->executable);
  args->num_outputs = args->executable->core->output_types.size();
  return nullptr;
}

void DeleteSerialized(PJRT_SerializedExecutable* s) { delete s; }

PJRT_Error* ExecutableSerialize(PJRT_Executable_Serialize_Args* args) {
  CHECK_ARGS(PJRT_Executable_Serialize, PJRT_Executable_Serialize_Args,
             serialized_executable_deleter);
  CHECK_NOT_NULL(PJRT_Executable_Serialize, args->executable);
  return Guarded("PJRT_Executable_Serialize", [&]() -> PJRT_Error* {
    x::StatusOr<std::string> bytes;
    x::TfrtCpuExecutable_SerializeExecutable(bytes.out(), args->executable->core->cpp);
    if (!bytes.ok()) return FromStatus(bytes.TakeError(), "serializing");
    auto* s = new PJRT_SerializedExecutable{std::move(bytes.value())};
    args->serialized_executable = s;
    args->serialized_bytes = s->bytes.data();
    args->serialized_bytes_size = s->bytes.size();
    args->serialized_executable_deleter = &DeleteSerialized;
    return nullptr;
  });
}

PJRT_Error* LoadedDestroy(PJRT_LoadedExecutable_Destroy_Args* args) {
  CHECK_ARGS(PJRT_LoadedExecutable_Destroy, PJRT_LoadedExecutable_Destroy_Args, executable);
  delete args->executable;
  return nullptr;
}

PJRT_Error* LoadedGetExecutable(PJRT_LoadedExecutable_GetExecutable_Args* args) {
  CHECK_ARGS(PJRT_LoadedExecutable_GetExecutable, PJRT_LoadedExecutable_GetExecutable_Args,
             executable);
  CHECK_NOT_NULL(PJRT_LoadedExecutable_GetExecutable, args->loaded_executable);
  args->executable = new PJRT_Executable{args->loaded_executable->core};
  return nullptr;
}

PJRT_Error* LoadedAddressableDevices(PJRT_LoadedExecutable_AddressableDevices_Args* args) {
  CHECK_ARGS(PJRT_LoadedExecutable_AddressableDevices,
             PJRT_LoadedExecutable_AddressableDevices_Args, num_addressable_devices);
  CHECK_NOT_NULL(PJRT_LoadedExecutable_AddressableDevices, args->executable);
  args->addressable_devices = args->executable->addressable_devices.data();
  args->num_addressable_devices = args->executable->addressable_devices.size();
  return nullptr;
}

PJRT_Error* LoadedExecute(PJRT_LoadedExecutable_Execute_Args* args) {
  CHECK_ARGS(PJRT_LoadedExecutable_Execute, PJRT_LoadedExecutable_Execute_Args,
             execute_device);
  CHECK_NOT_NULL(PJRT_LoadedExecutable_Execute, args->executable);
  return Guarded("PJRT_LoadedExecutable_Execute", [&]() -> PJRT_Error* {
    const char* fn = "PJRT_LoadedExecutable_Execute";
    PJRT_LoadedExecutable* le = args->executable;
    PJRT_Client* client = le->client;
    if (PJRT_HAS_FIELD(PJRT_LoadedExecutable_Execute_Args, execute_device, args->struct_size) &&
        args->execute_device != nullptr) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED,
                   std::string(fn) + ": execute_device (stand-in runs all devices)");
    }
    if (args->options != nullptr) {
      const PJRT_ExecuteOptions* o = args->options;
      if (o->struct_size < PJRT_STRUCT_SIZE(PJRT_ExecuteOptions, multi_slice_config)) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": PJRT_ExecuteOptions struct_size too small");
      }
      if (o->num_send_ops > 0 || o->num_recv_ops > 0) {
        return Error(PJRT_Error_Code_UNIMPLEMENTED,
                     std::string(fn) + ": send/recv callbacks (stand-in)");
      }
      if (PJRT_HAS_FIELD(PJRT_ExecuteOptions, multi_slice_config, o->struct_size) &&
          o->multi_slice_config != nullptr) {
        return Error(PJRT_Error_Code_UNIMPLEMENTED,
                     std::string(fn) + ": multi-slice execution (stand-in)");
      }
    }
    const size_t num_devices = le->addressable_devices.size();
    if (args->num_devices != num_devices) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                   std::string(fn) + ": " + std::to_string(args->num_devices) +
                       " argument lists for an executable on " + std::to_string(num_devices) +
                       " devices");
    }
    if ((args->num_args > 0 && args->argument_lists == nullptr) || args->output_lists == nullptr) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                   std::string(fn) + ": argument_lists/output_lists is NULL");
    }
    std::vector<std::vector<x::PjRtBuffer*>> lists(num_devices);
    for (size_t d = 0; d < num_devices; ++d) {
      if (args->num_args > 0 && args->argument_lists[d] == nullptr) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": argument list " + std::to_string(d) + " is NULL");
      }
      if (args->output_lists[d] == nullptr) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": output list " + std::to_string(d) + " is NULL");
      }
      for (size_t a = 0; a < args->num_args; ++a) {
        PJRT_Buffer* b = args->argument_lists[d][a];
        if (b == nullptr || b->cpu != client->cpu) {
          return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                       std::string(fn) + ": argument " + std::to_string(a) + " of device " +
                           std::to_string(d) + " is NULL or belongs to another client");
        }
        lists[d].push_back(b->cpp);
      }
    }
    const size_t num_outputs = le->core->output_types.size();

    x::StatusOr<std::vector<std::vector<x::PjRtBuffer*>>> results;
    {
      std::lock_guard<std::mutex> lock(client->cpu->execute_mu);
      x::OptionalFutureVector futures{nullptr, nullptr, nullptr, true};
      x::TfrtCpuExecutable_Execute(results.out(), le->core->cpp, {lists.data(), lists.size()},
                                   G().execute_options->value().bytes, &futures);
      // Execution is complete once every device's future is ready.
      AwaitFutures(&futures);
    }
    if (!results.ok()) return FromStatus(results.TakeError(), "executing");

    // Take ownership of every output before anything can fail.
    std::vector<std::vector<std::unique_ptr<PJRT_Buffer>>> outs(results.value().size());
    for (size_t d = 0; d < results.value().size(); ++d) {
      for (x::PjRtBuffer*& raw : results.value()[d]) {
        outs[d].emplace_back(WrapBuffer(client, std::exchange(raw, nullptr)));
      }
    }
    if (outs.size() != num_devices) {
      return Error(PJRT_Error_Code_INTERNAL, std::string(fn) + ": result lists for " +
                                                 std::to_string(outs.size()) + " devices");
    }
    for (size_t d = 0; d < num_devices; ++d) {
      if (outs[d].size() != num_outputs) {
        return Error(PJRT_Error_Code_INTERNAL,
                     std::string(fn) + ": device " + std::to_string(d) + " produced " +
                         std::to_string(outs[d].size()) + " outputs, expected " +
                         std::to_string(num_outputs));
      }
    }
    for (size_t d = 0; d < num_devices; ++d) {
      for (size_t o = 0; o < num_outputs; ++o) args->output_lists[d][o] = outs[d][o].release();
      if (args->device_complete_events != nullptr) args->device_complete_events[d] = ReadyEvent();
    }
    return nullptr;
  });
}

PJRT_Error* ExecutableDeserializeAndLoad(PJRT_Executable_DeserializeAndLoad_Args* args) {
  CHECK_ARGS(PJRT_Executable_DeserializeAndLoad, PJRT_Executable_DeserializeAndLoad_Args,
             overridden_serialized_compile_options_size);
  CHECK_NOT_NULL(PJRT_Executable_DeserializeAndLoad, args->client);
  return Guarded("PJRT_Executable_DeserializeAndLoad", [&]() -> PJRT_Error* {
    const char* fn = "PJRT_Executable_DeserializeAndLoad";
    if (PJRT_HAS_FIELD(PJRT_Executable_DeserializeAndLoad_Args,
                       overridden_serialized_compile_options_size, args->struct_size) &&
        args->overridden_serialized_compile_options != nullptr) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED,
                   std::string(fn) + ": overridden compile options (stand-in)");
    }
    if (args->serialized_executable == nullptr && args->serialized_executable_size > 0) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT, std::string(fn) + ": bytes are NULL");
    }
    x::NullOptCompileOptions no_options;
    x::StatusOr<x::PjRtLoadedExecutable*> exe;
    x::TfrtCpuClient_DeserializeExecutable(
        exe.out(), args->client->cpu->cpp,
        Sv(args->serialized_executable, args->serialized_executable_size), &no_options);
    if (!exe.ok()) return FromStatus(exe.TakeError(), "deserializing");
    std::shared_ptr<ExecutableCore> core;
    if (PJRT_Error* e = MakeCore(fn, args->client->cpu, exe.value(), &core)) return e;
    args->loaded_executable = NewLoaded(args->client, std::move(core));
    return nullptr;
  });
}

// --- Buffers ---------------------------------------------------------------------

PJRT_Error* BufferDestroy(PJRT_Buffer_Destroy_Args* args) {
  CHECK_ARGS(PJRT_Buffer_Destroy, PJRT_Buffer_Destroy_Args, buffer);
  delete args->buffer;
  return nullptr;
}

PJRT_Error* BufferElementType(PJRT_Buffer_ElementType_Args* args) {
  CHECK_ARGS(PJRT_Buffer_ElementType, PJRT_Buffer_ElementType_Args, type);
  CHECK_NOT_NULL(PJRT_Buffer_ElementType, args->buffer);
  args->type = args->buffer->type;
  return nullptr;
}

PJRT_Error* BufferDimensions(PJRT_Buffer_Dimensions_Args* args) {
  CHECK_ARGS(PJRT_Buffer_Dimensions, PJRT_Buffer_Dimensions_Args, num_dims);
  CHECK_NOT_NULL(PJRT_Buffer_Dimensions, args->buffer);
  args->dims = args->buffer->dims.data();
  args->num_dims = args->buffer->dims.size();
  return nullptr;
}

PJRT_Error* BufferToHostBuffer(PJRT_Buffer_ToHostBuffer_Args* args) {
  CHECK_ARGS(PJRT_Buffer_ToHostBuffer, PJRT_Buffer_ToHostBuffer_Args, event);
  CHECK_NOT_NULL(PJRT_Buffer_ToHostBuffer, args->src);
  return Guarded("PJRT_Buffer_ToHostBuffer", [&]() -> PJRT_Error* {
    const char* fn = "PJRT_Buffer_ToHostBuffer";
    PJRT_Buffer* b = args->src;
    if (args->host_layout != nullptr && !IsRowMajorLayout(args->host_layout, b->dims.size())) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED,
                   std::string(fn) + ": host layouts other than dense row-major (stand-in)");
    }
    const TypeEntry* t = FromPjrtType(b->type);
    if (t == nullptr) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED, std::string(fn) + ": element type (stand-in)");
    }
    size_t bytes = t->bytes;
    for (int64_t d : b->dims) bytes *= static_cast<size_t>(d);
    args->event = nullptr;
    if (args->dst == nullptr) {  // size query
      args->dst_size = bytes;
      return nullptr;
    }
    if (args->dst_size < bytes) {
      return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                   std::string(fn) + ": dst_size " + std::to_string(args->dst_size) + " < " +
                       std::to_string(bytes));
    }
    const x::Shape* shape = x::AbstractTfrtCpuBuffer_on_device_shape(b->cpp);
    std::string shape_text = x::ShapeUtil_HumanStringWithLayout(shape);
    if (!IsRowMajor(shape_text, b->dims.size())) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED,
                   std::string(fn) + ": non-row-major device layout " + shape_text);
    }
    x::BorrowingLiteral literal(static_cast<char*>(args->dst), shape);
    x::StatusRep status = x::kStatusUnset;
    x::PjRtBuffer_ToLiteralSync(&status, b->cpp, literal.get());
    if (status != x::kStatusOk) return FromStatus(x::ConsumeStatus(status), "copying to the host");
    args->event = ReadyEvent();
    return nullptr;
  });
}

// --- Topologies and ahead-of-time compilation -----------------------------------

PJRT_Error* TopologyCreate(PJRT_TopologyDescription_Create_Args* args) {
  CHECK_ARGS(PJRT_TopologyDescription_Create, PJRT_TopologyDescription_Create_Args, topology);
  return Guarded("PJRT_TopologyDescription_Create", [&]() -> PJRT_Error* {
    const char* fn = "PJRT_TopologyDescription_Create";
    if (PJRT_Error* e = RequireInitialized(fn)) return e;
    std::string name(Sv(args->topology_name, args->topology_name_size));
    int from_name = 0;
    if (!name.empty()) {
      char* end = nullptr;
      long n = name.rfind("cpu:", 0) == 0 ? std::strtol(name.c_str() + 4, &end, 10) : 0;
      if (end == nullptr || *end != '\0' || n < 1 || n > kMaxDeviceCount) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": unknown topology '" + name +
                         "' (stand-in topologies are named cpu:N, 1 <= N <= " +
                         std::to_string(kMaxDeviceCount) + ")");
      }
      from_name = static_cast<int>(n);
    }
    int devices = from_name > 0 ? from_name : kDefaultDeviceCount;
    int from_option = 0;
    if (PJRT_Error* e = ParseCpuOptions(fn, args->create_options, args->num_options,
                                        &from_option, nullptr)) {
      return e;
    }
    if (from_option > 0) {
      if (from_name > 0 && from_option != from_name) {
        return Error(PJRT_Error_Code_INVALID_ARGUMENT,
                     std::string(fn) + ": cpu_device_count " + std::to_string(from_option) +
                         " contradicts topology '" + name + "'");
      }
      devices = from_option;
    }
    auto topo = std::make_unique<PJRT_TopologyDescription>();
    topo->device_count = devices;
    topo->name = "cpu:" + std::to_string(devices);
    for (int i = 0; i < devices; ++i) {
      auto d = std::make_unique<PJRT_DeviceDescription>();
      std::string s = "TFRT_CPU_" + std::to_string(i);
      FillDescription(d.get(), i, 0, "cpu", s, s);
      topo->descriptions.push_back(d.get());
      topo->storage.push_back(std::move(d));
    }
    args->topology = topo.release();
    return nullptr;
  });
}

PJRT_Error* TopologyDestroy(PJRT_TopologyDescription_Destroy_Args* args) {
  CHECK_ARGS(PJRT_TopologyDescription_Destroy, PJRT_TopologyDescription_Destroy_Args, topology);
  delete args->topology;  // executables compiled from it keep its CPU client
  return nullptr;
}

PJRT_Error* TopologyPlatformName(PJRT_TopologyDescription_PlatformName_Args* args) {
  CHECK_ARGS(PJRT_TopologyDescription_PlatformName, PJRT_TopologyDescription_PlatformName_Args,
             platform_name_size);
  CHECK_NOT_NULL(PJRT_TopologyDescription_PlatformName, args->topology);
  static const char kCpu[] = "cpu";
  args->platform_name = kCpu;
  args->platform_name_size = sizeof kCpu - 1;
  return nullptr;
}

// Same layout as PlatformName.
PJRT_Error* TopologyPlatformVersion(PJRT_TopologyDescription_PlatformName_Args* args) {
  CHECK_ARGS(PJRT_TopologyDescription_PlatformVersion,
             PJRT_TopologyDescription_PlatformName_Args, platform_name_size);
  CHECK_NOT_NULL(PJRT_TopologyDescription_PlatformVersion, args->topology);
  static const char kVersion[] = "switchc PJRT stand-in (TensorFlow 2.18 natives)";
  args->platform_name = kVersion;
  args->platform_name_size = sizeof kVersion - 1;
  return nullptr;
}

PJRT_Error* TopologyGetDeviceDescriptions(
    PJRT_TopologyDescription_GetDeviceDescriptions_Args* args) {
  CHECK_ARGS(PJRT_TopologyDescription_GetDeviceDescriptions,
             PJRT_TopologyDescription_GetDeviceDescriptions_Args, num_descriptions);
  CHECK_NOT_NULL(PJRT_TopologyDescription_GetDeviceDescriptions, args->topology);
  args->descriptions = args->topology->descriptions.data();
  args->num_descriptions = args->topology->descriptions.size();
  return nullptr;
}

PJRT_Error* Compile(PJRT_Compile_Args* args) {
  CHECK_ARGS(PJRT_Compile, PJRT_Compile_Args, executable);
  CHECK_NOT_NULL(PJRT_Compile, args->topology);
  return Guarded("PJRT_Compile", [&]() -> PJRT_Error* {
    auto* topo = const_cast<PJRT_TopologyDescription*>(args->topology);
    std::shared_ptr<CpuClient> cpu;
    {
      std::lock_guard<std::mutex> lock(topo->mu);
      if (topo->compile_client == nullptr) {
        if (PJRT_Error* e = NewCpuClient(topo->device_count, true, &topo->compile_client)) {
          return e;
        }
      }
      cpu = topo->compile_client;
    }
    std::shared_ptr<ExecutableCore> core;
    if (PJRT_Error* e = CompileOn("PJRT_Compile", cpu, args->program, args->compile_options,
                                  args->compile_options_size, &core)) {
      return e;
    }
    args->executable = new PJRT_Executable{std::move(core)};
    return nullptr;
  });
}

// Loads a PJRT_Compile result onto a client. The executable was built by the
// topology's private CPU client, so it is moved over the way a real program
// would move it: serialized, then deserialized by the target client.
PJRT_Error* ClientLoad(PJRT_Client_Load_Args* args) {
  CHECK_ARGS(PJRT_Client_Load, PJRT_Client_Load_Args, loaded_executable);
  CHECK_NOT_NULL(PJRT_Client_Load, args->client);
  CHECK_NOT_NULL(PJRT_Client_Load, args->executable);
  return Guarded("PJRT_Client_Load", [&]() -> PJRT_Error* {
    const char* fn = "PJRT_Client_Load";
    if (args->compile_options_size > 0) {
      return Error(PJRT_Error_Code_UNIMPLEMENTED,
                   std::string(fn) + ": overriding compile options (stand-in)");
    }
    x::StatusOr<std::string> bytes;
    x::TfrtCpuExecutable_SerializeExecutable(bytes.out(), args->executable->core->cpp);
    if (!bytes.ok()) return FromStatus(bytes.TakeError(), "serializing");
    x::NullOptCompileOptions no_options;
    x::StatusOr<x::PjRtLoadedExecutable*> exe;
    x::TfrtCpuClient_DeserializeExecutable(exe.out(), args->client->cpu->cpp, bytes.value(),
                                           &no_options);
    if (!exe.ok()) return FromStatus(exe.TakeError(), "loading");
    std::shared_ptr<ExecutableCore> core;
    if (PJRT_Error* e = MakeCore(fn, args->client->cpu, exe.value(), &core)) return e;
    args->loaded_executable = NewLoaded(args->client, std::move(core));
    return nullptr;
  });
}

// --- Function table ----------------------------------------------------------------

enum Slot {
#define STANDIN_SLOT_ENUM(name, used) kSlot_##name,
  PJRT_API_SLOTS(STANDIN_SLOT_ENUM)
#undef STANDIN_SLOT_ENUM
  kSlotCount
};
static_assert(kSlotCount == PJRT_API_SLOT_COUNT, "slot list out of sync");

const char* const kSlotNames[] = {
#define STANDIN_SLOT_NAME(name, used) #name,
    PJRT_API_SLOTS(STANDIN_SLOT_NAME)
#undef STANDIN_SLOT_NAME
};

// Every slot without an implementation: an UNIMPLEMENTED error naming it.
// All PJRT entry points take one pointer and return PJRT_Error*.
template <int kSlot>
PJRT_Error* Unimplemented(void*) {
  return Error(PJRT_Error_Code_UNIMPLEMENTED,
               std::string(kSlotNames[kSlot]) + " is unimplemented in the switchc stand-in plugin");
}

#ifndef STANDIN_MINOR
#define STANDIN_MINOR SWITCHC_PJRT_API_MINOR
#endif

PJRT_Api BuildApi() {
  PJRT_Api api;
  std::memset(&api, 0, sizeof api);
#ifdef STANDIN_TRUNCATE_BEFORE
  api.struct_size = offsetof(PJRT_Api, STANDIN_TRUNCATE_BEFORE);
#else
  api.struct_size = PJRT_API_STRUCT_SIZE_V105;
#endif
  api.extension_start = nullptr;
  api.pjrt_api_version.struct_size = PJRT_STRUCT_SIZE(PJRT_Api_Version, minor_version);
  api.pjrt_api_version.major_version = SWITCHC_PJRT_API_MAJOR;
  api.pjrt_api_version.minor_version = STANDIN_MINOR;

  // (The detour through PJRT_UntypedFn is the sanctioned way to cast between
  // function pointer types; every slot is called with one pointer argument.)
#define STANDIN_STUB(name, used)                    \
  api.name = reinterpret_cast<decltype(api.name)>( \
      reinterpret_cast<PJRT_UntypedFn>(&Unimplemented<kSlot_##name>));
  PJRT_API_SLOTS(STANDIN_STUB)
#undef STANDIN_STUB

  api.PJRT_Error_Destroy = ErrorDestroy;
  api.PJRT_Error_Message = ErrorMessage;
  api.PJRT_Error_GetCode = ErrorGetCode;
  api.PJRT_Plugin_Initialize = PluginInitialize;
  api.PJRT_Plugin_Attributes = PluginAttributes;
  api.PJRT_Event_Destroy = EventDestroy;
  api.PJRT_Event_IsReady = EventIsReady;
  api.PJRT_Event_Error = EventError;
  api.PJRT_Event_Await = EventAwait;
  api.PJRT_Client_Create = ClientCreate;
  api.PJRT_Client_Destroy = ClientDestroy;
  api.PJRT_Client_PlatformName = ClientPlatformName;
  api.PJRT_Client_ProcessIndex = ClientProcessIndex;
  api.PJRT_Client_PlatformVersion = ClientPlatformVersion;
  api.PJRT_Client_Devices = ClientDevices;
  api.PJRT_Client_AddressableDevices = ClientAddressableDevices;
  api.PJRT_Client_Compile = ClientCompile;
  api.PJRT_Client_BufferFromHostBuffer = ClientBufferFromHostBuffer;
  api.PJRT_DeviceDescription_Id = DescId;
  api.PJRT_DeviceDescription_ProcessIndex = DescProcessIndex;
  api.PJRT_DeviceDescription_Attributes = DescAttributes;
  api.PJRT_DeviceDescription_Kind = DescKind;
  api.PJRT_DeviceDescription_DebugString = DescDebugString;
  api.PJRT_DeviceDescription_ToString = reinterpret_cast<PJRT_UntypedFn>(&DescToString);
  api.PJRT_Device_GetDescription = DeviceGetDescription;
  api.PJRT_Device_IsAddressable = DeviceIsAddressable;
  api.PJRT_Device_LocalHardwareId = DeviceLocalHardwareId;
  api.PJRT_Executable_Destroy = ExecutableDestroy;
  api.PJRT_Executable_Name = ExecutableName;
  api.PJRT_Executable_NumReplicas = ExecutableNumReplicas;
  api.PJRT_Executable_NumPartitions = ExecutableNumPartitions;
  api.PJRT_Executable_NumOutputs = ExecutableNumOutputs;
  api.PJRT_Executable_Serialize = ExecutableSerialize;
  api.PJRT_LoadedExecutable_Destroy = LoadedDestroy;
  api.PJRT_LoadedExecutable_GetExecutable = LoadedGetExecutable;
  api.PJRT_LoadedExecutable_AddressableDevices = LoadedAddressableDevices;
  api.PJRT_LoadedExecutable_Execute = LoadedExecute;
  api.PJRT_Executable_DeserializeAndLoad = ExecutableDeserializeAndLoad;
  api.PJRT_Buffer_Destroy = BufferDestroy;
  api.PJRT_Buffer_ElementType = BufferElementType;
  api.PJRT_Buffer_Dimensions = BufferDimensions;
  api.PJRT_Buffer_ToHostBuffer = BufferToHostBuffer;
  api.PJRT_TopologyDescription_Create = TopologyCreate;
  api.PJRT_TopologyDescription_Destroy = TopologyDestroy;
  api.PJRT_TopologyDescription_PlatformName = TopologyPlatformName;
  api.PJRT_TopologyDescription_PlatformVersion =
      reinterpret_cast<PJRT_UntypedFn>(&TopologyPlatformVersion);
  api.PJRT_TopologyDescription_GetDeviceDescriptions = TopologyGetDeviceDescriptions;
  api.PJRT_Compile = Compile;
  api.PJRT_Client_Load = ClientLoad;

#ifdef STANDIN_TRUNCATE_BEFORE
  // Slots past the announced struct_size do not exist for callers.
  auto* first_missing = reinterpret_cast<unsigned char*>(&api) + api.struct_size;
  std::memset(first_missing, 0, sizeof api - api.struct_size);
#endif
  return api;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const PJRT_Api* GetPjrtApi() {
  static const PJRT_Api api = BuildApi();
  return &api;
}
