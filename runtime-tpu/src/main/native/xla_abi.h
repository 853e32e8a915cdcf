// Hand-written bindings to the XLA PJRT CPU entry points exported by the TensorFlow Java natives
// (org.tensorflow:tensorflow-core-native:1.1.0, linux-x86_64 = TensorFlow 2.18, abseil
// lts_20230802).
//
// No TensorFlow / XLA / abseil / protobuf header is used. Every function below is declared by hand
// with a C++ signature that is ABI-identical (x86-64 System V, Itanium C++ ABI) to the exported
// one, and bound to the exported (mangled) symbol with GCC's asm label. The rules applied:
//   * A member function takes `this` as its first argument.
//   * A class type returned by value that is not trivially copyable (absl::Status, absl::StatusOr,
//     std::string) is returned through a hidden pointer passed before `this`. We declare such a
//     function as returning void and taking that pointer explicitly, except for std::string, whose
//     libstdc++ type we can name directly (the natives use libstdc++ with the C++11 string ABI).
//   * A class type passed by value that is not trivially copyable (xla::CompileOptions,
//     absl::AnyInvocable, std::optional<CompileOptions>) is passed as a pointer to a temporary
//     that the caller owns and destroys after the call.
//   * Trivially copyable aggregates (absl::Span, std::string_view, std::optional<absl::Span>) are
//     passed and returned exactly like a C struct of the same members.
//
// Every layout constant below was read off the library's own machine code; FINDINGS.md says how.
// These are internal entry points of one exact binary: the bridge refuses to run unless the GNU
// build-ids of the loaded libraries equal the ones recorded at build time (see tf_natives.h).
#ifndef SWITCHC_XLA_ABI_H_
#define SWITCHC_XLA_ABI_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchc::xla_abi {

// ---------------------------------------------------------------------------------------------
// Opaque XLA types. We only ever hold pointers to them.
// ---------------------------------------------------------------------------------------------
struct PjRtClient;            // dynamic type xla::TfrtCpuClient
struct PjRtDevice;            // dynamic type xla::TfrtCpuDevice
struct PjRtBuffer;            // dynamic type xla::TfrtCpuBuffer
struct PjRtLoadedExecutable;  // dynamic type xla::TfrtCpuExecutable
struct HloModule;
struct Shape;                 // xla::Shape (0x170 bytes; never allocated by us)
struct AsyncValue;            // tsl::AsyncValue

// ---------------------------------------------------------------------------------------------
// abseil / standard-library layouts
// ---------------------------------------------------------------------------------------------

// absl::Status is one machine word. 0 is OK; an odd value is a tagged pointer to a heap-allocated
// StatusRep (bit 0 set) that must be released; any other even value is an inlined error code.
using StatusRep = std::uintptr_t;
inline constexpr StatusRep kStatusOk = 0;

// absl::Span<const T>: {pointer, length}, trivially copyable, 16 bytes (returned in rax:rdx).
template <typename T>
struct Span {
  const T* data;
  std::size_t size;
};

// std::optional<absl::Span<const int64_t>>: 24 bytes, trivially copyable, passed on the stack.
struct OptionalSpanI64 {
  Span<std::int64_t> value;
  bool engaged;
};
static_assert(sizeof(OptionalSpanI64) == 24);

// absl::AnyInvocable<void() &&> (lts_20230802): 16 bytes of (16-aligned) inline state, then the
// manager and the invoker. The manager is called with (0 = relocate from->to, from, to) when the
// callee moves the object and with (1 = dispose, self, self) when it is destroyed. An empty
// AnyInvocable has a null invoker and a manager that does nothing.
struct alignas(16) AnyInvocableVoid {
  using Manager = void (*)(int op, void* from, void* to) noexcept;
  using Invoker = void (*)(void* state);
  unsigned char state[16];
  Manager manager;
  Invoker invoker;
};
static_assert(sizeof(AnyInvocableVoid) == 32);
inline constexpr int kAnyInvocableRelocate = 0;
inline constexpr int kAnyInvocableDispose = 1;

// std::optional<std::vector<xla::PjRtFuture<>>>: a vector (3 words) then the engaged flag.
struct OptionalFutureVector {
  void* begin;
  void* end;
  void* capacity;
  bool engaged;
};
static_assert(sizeof(OptionalFutureVector) == 32);

// xla::PjRtFuture<void> is 72 bytes: tsl::AsyncValueRef<Status> (one AsyncValue*) at 0, then two
// std::function (on_block_start at 8, on_block_end at 40). Read off
// ~PjRtFutureBase<absl::Status, false>, which destroys std::functions at +0x08 and +0x28 and the
// RCReference at +0. (Used by the tests' stand-in plugin, which waits on each device's future.)
inline constexpr std::size_t kPjRtFutureSize = 72;

// ---------------------------------------------------------------------------------------------
// XLA struct layouts
// ---------------------------------------------------------------------------------------------

// xla::CpuClientOptions (40 bytes), as read by xla::GetTfrtCpuClient.
struct CpuClientOptions {
  bool asynchronous;                              // @0
  std::int32_t cpu_device_count;                  // @4  std::optional<int> value
  bool has_cpu_device_count;                      // @8  std::optional<int> engaged flag
  std::int32_t max_inflight_computations_per_device;  // @12
  std::int32_t process_id;                        // @16
  void* collectives;                              // @24 std::shared_ptr<cpu::CollectivesInterface>
  void* collectives_control_block;                // @32
};
static_assert(sizeof(CpuClientOptions) == 40);
static_assert(offsetof(CpuClientOptions, cpu_device_count) == 4);
static_assert(offsetof(CpuClientOptions, has_cpu_device_count) == 8);
static_assert(offsetof(CpuClientOptions, max_inflight_computations_per_device) == 12);
static_assert(offsetof(CpuClientOptions, process_id) == 16);
static_assert(offsetof(CpuClientOptions, collectives) == 24);

// Object sizes (bytes) of the objects whose storage the bridge provides, and how each was read
// off the machine code (details in FINDINGS.md):
//   HloModuleProto, CompileOptionsProto, ExecuteOptionsProto: the allocation size in the exported
//     google::protobuf::Arena::CreateMaybeMessage<T> (operator new(size) before the constructor).
//   CompileOptions: TfrtCpuClient::DeserializeExecutable tests the engaged flag of its
//     std::optional<CompileOptions> argument at +0x860, i.e. sizeof(CompileOptions).
//   ExecuteOptions: ExecuteOptions::FromProto fills +0x00..+0x48 and moves a 32-byte
//     absl::flat_hash_set<int> to +0x48.
//   MutableBorrowingLiteral: vtable, tagged Shape pointer, root piece pointer (its constructor and
//     copy constructor touch exactly +0x00, +0x08, +0x10).
//   HloPrintOptions: the size of the exported Default()::options object (40, in .rodata).
inline constexpr std::size_t kHloModuleProtoSize = 0xd8;        // xla::HloModuleProto
inline constexpr std::size_t kXlaComputationSize = 8 + kHloModuleProtoSize;  // id, then proto
inline constexpr std::size_t kCompileOptionsProtoSize = 0xc8;   // xla::CompileOptionsProto
inline constexpr std::size_t kExecuteOptionsProtoSize = 0x38;   // xla::ExecuteOptionsProto
inline constexpr std::size_t kCompileOptionsSize = 0x860;       // xla::CompileOptions
inline constexpr std::size_t kExecuteOptionsSize = 0x68;        // xla::ExecuteOptions
inline constexpr std::size_t kMutableBorrowingLiteralSize = 0x18;
inline constexpr std::size_t kHloPrintOptionsSize = 40;

// Field offsets inside xla::ExecuteOptions (used only to double-check the parsed options).
inline constexpr std::size_t kExecuteOptionsUntupleResultOffset = 1;

// xla::PjRtClient::HostBufferSemantics
inline constexpr int kHostBufferImmutableOnlyDuringCall = 0;

// xla::PrimitiveType values accepted by the bridge (array types with a whole number of bytes).
enum PrimitiveType : std::int32_t {
  PRED = 1, S8 = 2, S16 = 3, S32 = 4, S64 = 5, U8 = 6, U16 = 7, U32 = 8, U64 = 9,
  F16 = 10, F32 = 11, F64 = 12, C64 = 15, BF16 = 16, C128 = 18,
};

// ---------------------------------------------------------------------------------------------
// Exported functions
// ---------------------------------------------------------------------------------------------
extern "C++" {

// absl::StatusOr<std::unique_ptr<xla::PjRtClient>>
// xla::GetTfrtCpuClient(const xla::CpuClientOptions&)
void GetTfrtCpuClient(void* status_or_ptr, const CpuClientOptions& options)
    asm("_ZN3xla16GetTfrtCpuClientERKNS_16CpuClientOptionsE");

// absl::Status xla::ParseMlirModuleStringAndConvertToXlaComputation(
//     std::string_view, xla::XlaComputation&, bool use_tuple_args, bool return_tuple)
void ParseMlirModuleStringAndConvertToXlaComputation(StatusRep* status, std::string_view text,
                                                     void* xla_computation, bool use_tuple_args,
                                                     bool return_tuple)
    asm("_ZN3xla47ParseMlirModuleStringAndConvertToXlaComputationESt17basic_string_viewIcSt11char_"
        "traitsIcEERNS_14XlaComputationEbb");

// Protocol buffers (generated classes; constructor (Arena*, bool is_message_owned)).
void HloModuleProto_Construct(void* self, void* arena, bool is_message_owned)
    asm("_ZN3xla14HloModuleProtoC1EPN6google8protobuf5ArenaEb");  // libtensorflow_framework
void HloModuleProto_Destroy(void* self) asm("_ZN3xla14HloModuleProtoD1Ev");
void CompileOptionsProto_Construct(void* self, void* arena, bool is_message_owned)
    asm("_ZN3xla19CompileOptionsProtoC1EPN6google8protobuf5ArenaEb");
void CompileOptionsProto_Destroy(void* self) asm("_ZN3xla19CompileOptionsProtoD1Ev");
void ExecuteOptionsProto_Construct(void* self, void* arena, bool is_message_owned)
    asm("_ZN3xla19ExecuteOptionsProtoC1EPN6google8protobuf5ArenaEb");
void ExecuteOptionsProto_Destroy(void* self) asm("_ZN3xla19ExecuteOptionsProtoD1Ev");

// bool tsl::ParseProtoUnlimited(google::protobuf::MessageLite*, const void*, size_t)
bool ParseProtoUnlimited(void* message, const void* data, std::size_t size)
    asm("_ZN3tsl19ParseProtoUnlimitedEPN6google8protobuf11MessageLiteEPKvm");

// static absl::StatusOr<xla::CompileOptions>
// xla::CompileOptions::FromProto(const CompileOptionsProto&)
void CompileOptions_FromProto(void* status_or_options, const void* proto)
    asm("_ZN3xla14CompileOptions9FromProtoERKNS_19CompileOptionsProtoE");
void CompileOptions_Destroy(void* self) asm("_ZN3xla14CompileOptionsD2Ev");
// static absl::StatusOr<xla::ExecuteOptions>
// xla::ExecuteOptions::FromProto(const ExecuteOptionsProto&)
void ExecuteOptions_FromProto(void* status_or_options, const void* proto)
    asm("_ZN3xla14ExecuteOptions9FromProtoERKNS_19ExecuteOptionsProtoE");
// absl::StatusOr<xla::CompileOptionsProto> xla::CompileOptions::ToProto() const
void CompileOptions_ToProto(void* status_or_proto, const void* self)
    asm("_ZNK3xla14CompileOptions7ToProtoEv");
// std::string google::protobuf::Message::ShortDebugString() const  (libtensorflow_framework)
std::string Message_ShortDebugString(const void* message)
    asm("_ZNK6google8protobuf7Message16ShortDebugStringB5cxx11Ev");

// ---- xla::TfrtCpuClient ----
void TfrtCpuClient_Delete(PjRtClient* self) asm("_ZN3xla13TfrtCpuClientD0Ev");  // deleting dtor
Span<PjRtDevice*> TfrtCpuClient_addressable_devices(const PjRtClient* self)
    asm("_ZNK3xla13TfrtCpuClient19addressable_devicesEv");
// The entry points below to the next section are exported as weak symbols; the bridge does not
// use them, the tests' stand-in plugin does.
Span<PjRtDevice*> TfrtCpuClient_devices(const PjRtClient* self) asm("_ZNK3xla13TfrtCpuClient7devicesEv");
std::string_view TfrtCpuClient_platform_name(const PjRtClient* self) asm("_ZNK3xla13TfrtCpuClient13platform_nameEv");
std::string_view TfrtCpuClient_platform_version(const PjRtClient* self) asm("_ZNK3xla13TfrtCpuClient16platform_versionEv");
int TfrtCpuClient_process_index(const PjRtClient* self) asm("_ZNK3xla13TfrtCpuClient13process_indexEv");
int PjRtDevice_process_index(const PjRtDevice* self) asm("_ZNK3xla10PjRtDevice13process_indexEv");
std::string_view PjRtDevice_ToString(const PjRtDevice* self) asm("_ZNK3xla10PjRtDevice8ToStringEv");
// PjRtLocalHardwareId (tsl::gtl::IntType<int>) comes back in eax.
int TfrtCpuDevice_local_hardware_id(const PjRtDevice* self) asm("_ZNK3xla13TfrtCpuDevice17local_hardware_idEv");
std::string_view TfrtCpuExecutable_name(const PjRtLoadedExecutable* self) asm("_ZNK3xla17TfrtCpuExecutable4nameEv");
// absl::StatusOr<std::vector<std::vector<PrimitiveType>>> PjRtExecutable::GetOutputElementTypes()
// const (base implementation; it derives the types from GetHloModules(), a virtual call).
// PjRtExecutable is the primary (first, non-virtual) base of TfrtCpuExecutable, so the object
// pointer is valid as `this`.
void PjRtExecutable_GetOutputElementTypes(void* status_or, const PjRtLoadedExecutable* self)
    asm("_ZNK3xla14PjRtExecutable21GetOutputElementTypesEv");
void BlockUntilReady(AsyncValue* value) asm("_ZN3tsl15BlockUntilReadyEPNS_10AsyncValueE");
void PjRtFutureVoid_Destroy(void* self) asm("_ZN3xla8internal14PjRtFutureBaseIN4absl12lts_202308026StatusELb0EED2Ev");

// absl::StatusOr<std::unique_ptr<xla::PjRtLoadedExecutable>>
// xla::TfrtCpuClient::Compile(const xla::XlaComputation&, xla::CompileOptions)
void TfrtCpuClient_Compile(void* status_or_ptr, PjRtClient* self, const void* computation,
                           void* options_by_value)
    asm("_ZN3xla13TfrtCpuClient7CompileERKNS_14XlaComputationENS_14CompileOptionsE");
// absl::StatusOr<std::unique_ptr<xla::PjRtLoadedExecutable>>
// xla::TfrtCpuClient::DeserializeExecutable(std::string_view, std::optional<xla::CompileOptions>)
void TfrtCpuClient_DeserializeExecutable(void* status_or_ptr, PjRtClient* self,
                                         std::string_view serialized, void* optional_options)
    asm("_ZN3xla13TfrtCpuClient21DeserializeExecutableESt17basic_string_viewIcSt11char_traitsIcEES"
        "t8optionalINS_14CompileOptionsEE");
// absl::StatusOr<std::unique_ptr<xla::PjRtBuffer>> xla::TfrtCpuClient::BufferFromHostBuffer(
//     const void* data, PrimitiveType, absl::Span<const int64_t> dims,
//     std::optional<absl::Span<const int64_t>> byte_strides, HostBufferSemantics,
//     absl::AnyInvocable<void() &&> on_done_with_host_buffer, PjRtDevice*)
void TfrtCpuClient_BufferFromHostBuffer(void* status_or_ptr, PjRtClient* self, const void* data,
                                        std::int32_t type, Span<std::int64_t> dims,
                                        OptionalSpanI64 byte_strides, std::int32_t semantics,
                                        AnyInvocableVoid* on_done, PjRtDevice* device)
    asm("_ZN3xla13TfrtCpuClient20BufferFromHostBufferEPKvNS_13PrimitiveTypeEN4absl12lts_20230802"
        "4SpanIKlEESt8optionalIS8_ENS_10PjRtClient19HostBufferSemanticsENS5_12AnyInvocableIFvvOEEE"
        "PNS_10PjRtDeviceE");

// ---- xla::PjRtDevice (base-class implementations; they dispatch to description()) ----
int PjRtDevice_id(const PjRtDevice* self) asm("_ZNK3xla10PjRtDevice2idEv");
std::string_view PjRtDevice_device_kind(const PjRtDevice* self)
    asm("_ZNK3xla10PjRtDevice11device_kindEv");
std::string_view PjRtDevice_DebugString(const PjRtDevice* self)
    asm("_ZNK3xla10PjRtDevice11DebugStringEv");

// ---- xla::TfrtCpuExecutable ----
void TfrtCpuExecutable_Delete(PjRtLoadedExecutable* self) asm("_ZN3xla17TfrtCpuExecutableD0Ev");
Span<PjRtDevice*> TfrtCpuExecutable_addressable_devices(const PjRtLoadedExecutable* self)
    asm("_ZNK3xla17TfrtCpuExecutable19addressable_devicesEv");
int TfrtCpuExecutable_num_replicas(const PjRtLoadedExecutable* self)
    asm("_ZNK3xla17TfrtCpuExecutable12num_replicasEv");
int TfrtCpuExecutable_num_partitions(const PjRtLoadedExecutable* self)
    asm("_ZNK3xla17TfrtCpuExecutable14num_partitionsEv");
// absl::StatusOr<std::vector<std::vector<std::unique_ptr<PjRtBuffer>>>> Execute(
//     absl::Span<const std::vector<PjRtBuffer*>>, const ExecuteOptions&,
//     std::optional<std::vector<PjRtFuture<>>>& returned_futures)
void TfrtCpuExecutable_Execute(void* status_or_lists, PjRtLoadedExecutable* self,
                               Span<std::vector<PjRtBuffer*>> argument_lists,
                               const void* execute_options, OptionalFutureVector* futures)
    asm("_ZN3xla17TfrtCpuExecutable7ExecuteEN4absl12lts_202308024SpanIKSt6vectorIPNS_10PjRtBuffer"
        "ESaIS6_EEEERKNS_14ExecuteOptionsERSt8optionalIS4_INS_10PjRtFutureIvEESaISG_EEE");
// absl::StatusOr<std::vector<std::shared_ptr<HloModule>>> GetHloModules() const
void TfrtCpuExecutable_GetHloModules(void* status_or_modules, const PjRtLoadedExecutable* self)
    asm("_ZNK3xla17TfrtCpuExecutable13GetHloModulesEv");
// absl::StatusOr<std::string> SerializeExecutable() const
void TfrtCpuExecutable_SerializeExecutable(void* status_or_string, const PjRtLoadedExecutable* self)
    asm("_ZNK3xla17TfrtCpuExecutable19SerializeExecutableB5cxx11Ev");

// ---- xla::HloModule ----
// std::string xla::HloModule::ToString(const HloPrintOptions&) const
std::string HloModule_ToString(const HloModule* self, const void* print_options)
    asm("_ZNK3xla9HloModule8ToStringB5cxx11ERKNS_15HloPrintOptionsE");

// ---- buffers ----
void TfrtCpuBuffer_Delete(PjRtBuffer* self) asm("_ZN3xla13TfrtCpuBufferD0Ev");  // deleting dtor
PjRtDevice* TfrtCpuBuffer_device(const PjRtBuffer* self) asm("_ZNK3xla13TfrtCpuBuffer6deviceEv");
const Shape* AbstractTfrtCpuBuffer_on_device_shape(const PjRtBuffer* self)
    asm("_ZNK3xla21AbstractTfrtCpuBuffer15on_device_shapeEv");
Span<std::int64_t> PjRtBuffer_dimensions(const PjRtBuffer* self)
    asm("_ZNK3xla10PjRtBuffer10dimensionsEv");
std::int32_t PjRtBuffer_element_type(const PjRtBuffer* self)
    asm("_ZNK3xla10PjRtBuffer12element_typeEv");
// absl::Status xla::PjRtBuffer::ToLiteralSync(xla::MutableLiteralBase*) (blocks until copied)
void PjRtBuffer_ToLiteralSync(StatusRep* status, PjRtBuffer* self, void* literal)
    asm("_ZN3xla10PjRtBuffer13ToLiteralSyncEPNS_18MutableLiteralBaseE");
// xla::MutableBorrowingLiteral(const char* buffer, const Shape&): a literal over caller memory.
void MutableBorrowingLiteral_Construct(void* self, const char* buffer, const Shape* shape)
    asm("_ZN3xla23MutableBorrowingLiteralC1EPKcRKNS_5ShapeE");
void MutableBorrowingLiteral_Destroy(void* self) asm("_ZN3xla23MutableBorrowingLiteralD1Ev");
// std::string xla::ShapeUtil::HumanStringWithLayout(const Shape&), e.g. "f32[2,3]{1,0}"
std::string ShapeUtil_HumanStringWithLayout(const Shape* shape)
    asm("_ZN3xla9ShapeUtil21HumanStringWithLayoutB5cxx11ERKNS_5ShapeE");

// ---- data ----
// The function-local static behind xla::HloPrintOptions::Default() (constant-initialised: no
// guard variable exists, so it is valid as soon as the library is mapped).
extern const unsigned char HloPrintOptions_Default[kHloPrintOptionsSize]
    asm("_ZZN3xla15HloPrintOptions7DefaultEvE7options");

// Virtual tables (Itanium: the object's vptr points 2 words past the symbol).
extern void* const TfrtCpuClient_vtable[] asm("_ZTVN3xla13TfrtCpuClientE");
extern void* const TfrtCpuExecutable_vtable[] asm("_ZTVN3xla17TfrtCpuExecutableE");
extern void* const TfrtCpuBuffer_vtable[] asm("_ZTVN3xla13TfrtCpuBufferE");

}  // extern "C++"

// TensorFlow C API (plain C symbols). TF_Status is a struct holding exactly one absl::Status, so a
// StatusRep can be moved into a TF_Status to read its code and message with the public API.
extern "C" {
struct TF_Status;
TF_Status* TF_NewStatus();
void TF_DeleteStatus(TF_Status*);
int TF_GetCode(const TF_Status*);
const char* TF_Message(const TF_Status*);
}

// True if `object`'s vptr is the address point of `vtable_symbol` (i.e. its dynamic type is the
// class of that vtable).
inline bool HasDynamicType(const void* object, void* const* vtable_symbol) {
  return object != nullptr && *static_cast<void* const* const*>(object) == vtable_symbol + 2;
}

}  // namespace switchc::xla_abi

#endif  // SWITCHC_XLA_ABI_H_
