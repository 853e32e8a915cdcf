/*
 * pjrt_c_api_min.h -- hand-written minimal declarations of the PJRT C API.
 *
 * Only the argument structs and entry points that switchc's JNI bridge
 * (plugin_bridge.cc) and the CPU stand-in plugin (standin_plugin.cc) use are
 * declared here. Everything is written against one pinned header version:
 *
 *     PJRT_API_MAJOR 0, PJRT_API_MINOR 105
 *     openxla/xla xla/pjrt/c/pjrt_c_api.h at commit
 *     0c79bedb2270e6b11bd27d6807e39c09bcf50284
 *
 * and cross-checked against minor 90 (tensorflow/tensorflow third_party/xla
 * at 00011bd92c78cbb910c92b4ba1ff08f8c92f5891): slots 0..127 and every struct
 * used here are identical in both; 0.91..0.105 only appended.
 *
 * ABI rules this file follows (see FINDINGS.md for the evidence):
 *  - Every argument struct starts with `size_t struct_size` and a pointer to
 *    an extension chain. The caller sets struct_size to the offset of the
 *    last field it knows plus that field's size (NOT sizeof, which may include
 *    tail padding). PJRT_STRUCT_SIZE below computes exactly that.
 *  - Fields are only ever appended; a callee compares struct_size against the
 *    end of a field before reading it, so an older caller/callee pair keeps
 *    working as long as neither reads past what the other declared.
 *  - The PJRT_Api function table is append-only as well (since 0.57, when it
 *    was last rearranged). Its slot order is the ABI: PJRT_API_SLOTS lists
 *    all 136 slots of minor 105 in order, and
 *    the static_asserts at the end pin the byte offsets of the slots we call
 *    (offsets cross-checked against the calls XLA's own C-API client makes in
 *    libtensorflow_cc.so.2 of TF 2.18; see FINDINGS.md).
 *  - A table from an older plugin is shorter: check PJRT_API_HAS(api, Fn)
 *    before calling any slot past the ones present since minor 0.
 *
 * The layouts assume LP64 (x86-64 / aarch64 Linux): size_t and pointers are
 * 8 bytes, C enums are 4 bytes, bool is 1 byte.
 */
#ifndef SWITCHC_PJRT_C_API_MIN_H_
#define SWITCHC_PJRT_C_API_MIN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWITCHC_PJRT_API_MAJOR 0
#define SWITCHC_PJRT_API_MINOR 105

/* End of `field` inside `type`: what struct_size must be set to when `field`
 * is the last field the caller knows. */
#define PJRT_STRUCT_SIZE(type, field) \
  (offsetof(type, field) + sizeof(((type*)0)->field))

/* True when a struct of size `size` (as announced by its producer) contains
 * `field` of `type` completely. */
#define PJRT_HAS_FIELD(type, field, size) \
  ((size_t)(size) >= PJRT_STRUCT_SIZE(type, field))

/* ------------------------------------------------------------------------ */
/* Opaque handles (defined by each plugin).                                  */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_Error PJRT_Error;
typedef struct PJRT_Event PJRT_Event;
typedef struct PJRT_Client PJRT_Client;
typedef struct PJRT_Device PJRT_Device;
typedef struct PJRT_Memory PJRT_Memory;
typedef struct PJRT_DeviceDescription PJRT_DeviceDescription;
typedef struct PJRT_TopologyDescription PJRT_TopologyDescription;
typedef struct PJRT_Executable PJRT_Executable;
typedef struct PJRT_LoadedExecutable PJRT_LoadedExecutable;
typedef struct PJRT_Buffer PJRT_Buffer;
typedef struct PJRT_SerializedExecutable PJRT_SerializedExecutable;
typedef struct PJRT_ExecuteContext PJRT_ExecuteContext;

/* Head of an extension chain. We never build or walk chains (always NULL),
 * but the member type keeps the layout self-describing. */
typedef struct PJRT_Extension_Base {
  size_t struct_size;
  int type; /* PJRT_Extension_Type */
  struct PJRT_Extension_Base* next;
} PJRT_Extension_Base;

/* Common prologue of every argument struct. */
#define PJRT_ARGS_HEADER \
  size_t struct_size;    \
  PJRT_Extension_Base* extension_start

/* ------------------------------------------------------------------------ */
/* Enums (values are ABI).                                                   */
/* ------------------------------------------------------------------------ */

/* absl::StatusCode numbering. */
typedef enum {
  PJRT_Error_Code_OK = 0,
  PJRT_Error_Code_CANCELLED = 1,
  PJRT_Error_Code_UNKNOWN = 2,
  PJRT_Error_Code_INVALID_ARGUMENT = 3,
  PJRT_Error_Code_DEADLINE_EXCEEDED = 4,
  PJRT_Error_Code_NOT_FOUND = 5,
  PJRT_Error_Code_ALREADY_EXISTS = 6,
  PJRT_Error_Code_PERMISSION_DENIED = 7,
  PJRT_Error_Code_RESOURCE_EXHAUSTED = 8,
  PJRT_Error_Code_FAILED_PRECONDITION = 9,
  PJRT_Error_Code_ABORTED = 10,
  PJRT_Error_Code_OUT_OF_RANGE = 11,
  PJRT_Error_Code_UNIMPLEMENTED = 12,
  PJRT_Error_Code_INTERNAL = 13,
  PJRT_Error_Code_UNAVAILABLE = 14,
  PJRT_Error_Code_DATA_LOSS = 15,
  PJRT_Error_Code_UNAUTHENTICATED = 16
} PJRT_Error_Code;

typedef enum {
  PJRT_NamedValue_kString = 0,
  PJRT_NamedValue_kInt64 = 1,
  PJRT_NamedValue_kInt64List = 2,
  PJRT_NamedValue_kFloat = 3,
  PJRT_NamedValue_kBool = 4
} PJRT_NamedValue_Type;

/* Element types. Same order as in the header; only the numbering matters. */
typedef enum {
  PJRT_Buffer_Type_INVALID = 0,
  PJRT_Buffer_Type_PRED = 1,
  PJRT_Buffer_Type_S8 = 2,
  PJRT_Buffer_Type_S16 = 3,
  PJRT_Buffer_Type_S32 = 4,
  PJRT_Buffer_Type_S64 = 5,
  PJRT_Buffer_Type_U8 = 6,
  PJRT_Buffer_Type_U16 = 7,
  PJRT_Buffer_Type_U32 = 8,
  PJRT_Buffer_Type_U64 = 9,
  PJRT_Buffer_Type_F16 = 10,
  PJRT_Buffer_Type_F32 = 11,
  PJRT_Buffer_Type_F64 = 12,
  PJRT_Buffer_Type_BF16 = 13,
  PJRT_Buffer_Type_C64 = 14,
  PJRT_Buffer_Type_C128 = 15,
  PJRT_Buffer_Type_F8E5M2 = 16,
  PJRT_Buffer_Type_F8E4M3FN = 17,
  PJRT_Buffer_Type_F8E4M3B11FNUZ = 18,
  PJRT_Buffer_Type_F8E5M2FNUZ = 19,
  PJRT_Buffer_Type_F8E4M3FNUZ = 20,
  PJRT_Buffer_Type_S4 = 21,
  PJRT_Buffer_Type_U4 = 22,
  PJRT_Buffer_Type_TOKEN = 23,
  PJRT_Buffer_Type_S2 = 24,
  PJRT_Buffer_Type_U2 = 25,
  PJRT_Buffer_Type_F8E4M3 = 26,
  PJRT_Buffer_Type_F8E3M4 = 27,
  PJRT_Buffer_Type_F8E8M0FNU = 28,
  PJRT_Buffer_Type_F4E2M1FN = 29,
  PJRT_Buffer_Type_S1 = 30, /* minor 94 */
  PJRT_Buffer_Type_U1 = 31
} PJRT_Buffer_Type;

typedef enum {
  /* The runtime copies (or finishes with) `data` before
   * done_with_host_buffer fires; the caller may free it afterwards. */
  PJRT_HostBufferSemantics_kImmutableOnlyDuringCall = 0,
  PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes = 1,
  PJRT_HostBufferSemantics_kImmutableZeroCopy = 2,
  PJRT_HostBufferSemantics_kMutableZeroCopy = 3
} PJRT_HostBufferSemantics;

/* ------------------------------------------------------------------------ */
/* Version, errors, named values.                                            */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_Api_Version {
  PJRT_ARGS_HEADER;
  int major_version; /* out */
  int minor_version; /* out */
} PJRT_Api_Version;

typedef struct PJRT_Error_Destroy_Args {
  PJRT_ARGS_HEADER;
  PJRT_Error* error;
} PJRT_Error_Destroy_Args;

typedef struct PJRT_Error_Message_Args {
  PJRT_ARGS_HEADER;
  const PJRT_Error* error;
  const char* message; /* out, lives as long as `error` */
  size_t message_size; /* out */
} PJRT_Error_Message_Args;

typedef struct PJRT_Error_GetCode_Args {
  PJRT_ARGS_HEADER;
  const PJRT_Error* error;
  PJRT_Error_Code code; /* out */
} PJRT_Error_GetCode_Args;

typedef struct PJRT_NamedValue {
  PJRT_ARGS_HEADER;
  const char* name;
  size_t name_size;
  PJRT_NamedValue_Type type;
  union {
    const char* string_value;
    int64_t int64_value;
    const int64_t* int64_array_value;
    float float_value;
    bool bool_value;
  };
  /* Element count for strings and lists, 1 for scalars. */
  size_t value_size;
} PJRT_NamedValue;

/* ------------------------------------------------------------------------ */
/* Plugin.                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_Plugin_Initialize_Args {
  PJRT_ARGS_HEADER;
} PJRT_Plugin_Initialize_Args;

typedef struct PJRT_Plugin_Attributes_Args {
  PJRT_ARGS_HEADER;
  const PJRT_NamedValue* attributes; /* out, process lifetime */
  size_t num_attributes;             /* out */
} PJRT_Plugin_Attributes_Args;

/* ------------------------------------------------------------------------ */
/* Events.                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_Event_Destroy_Args {
  PJRT_ARGS_HEADER;
  PJRT_Event* event;
} PJRT_Event_Destroy_Args;

typedef struct PJRT_Event_IsReady_Args {
  PJRT_ARGS_HEADER;
  PJRT_Event* event;
  bool is_ready; /* out */
} PJRT_Event_IsReady_Args;

/* Shared by PJRT_Event_Error and PJRT_Event_Await (same layout). */
typedef struct PJRT_Event_Await_Args {
  PJRT_ARGS_HEADER;
  PJRT_Event* event;
} PJRT_Event_Await_Args;
typedef PJRT_Event_Await_Args PJRT_Event_Error_Args;

/* ------------------------------------------------------------------------ */
/* Client.                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_Client_Create_Args {
  PJRT_ARGS_HEADER;
  const PJRT_NamedValue* create_options;
  size_t num_options;
  void* kv_get_callback; /* PJRT_KeyValueGetCallback; unused (NULL) */
  void* kv_get_user_arg;
  void* kv_put_callback; /* PJRT_KeyValuePutCallback; unused (NULL) */
  void* kv_put_user_arg;
  PJRT_Client* client; /* out */
  /* Appended later (newer minors); NULL here. */
  void* kv_try_get_callback;
  void* kv_try_get_user_arg;
} PJRT_Client_Create_Args;

typedef struct PJRT_Client_Destroy_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
} PJRT_Client_Destroy_Args;

/* Layout shared by PlatformName and PlatformVersion. */
typedef struct PJRT_Client_PlatformName_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  const char* platform_name; /* out, owned by client */
  size_t platform_name_size; /* out */
} PJRT_Client_PlatformName_Args;

typedef struct PJRT_Client_PlatformVersion_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  const char* platform_version; /* out, owned by client */
  size_t platform_version_size; /* out */
} PJRT_Client_PlatformVersion_Args;

typedef struct PJRT_Client_ProcessIndex_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  int process_index; /* out */
} PJRT_Client_ProcessIndex_Args;

/* Layout shared by Devices and AddressableDevices. */
typedef struct PJRT_Client_Devices_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  PJRT_Device* const* devices; /* out, owned by client */
  size_t num_devices;          /* out */
} PJRT_Client_Devices_Args;
typedef PJRT_Client_Devices_Args PJRT_Client_AddressableDevices_Args;

typedef struct PJRT_Program {
  PJRT_ARGS_HEADER;
  /* Program bytes; for format "mlir": MLIR text or bytecode. */
  char* code;
  size_t code_size;
  const char* format; /* "mlir", "hlo", "hlo_with_config" */
  size_t format_size;
} PJRT_Program;

typedef struct PJRT_Client_Compile_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  const PJRT_Program* program;
  const char* compile_options; /* serialized xla.CompileOptionsProto */
  size_t compile_options_size;
  PJRT_LoadedExecutable* executable; /* out */
} PJRT_Client_Compile_Args;

typedef enum {
  PJRT_Buffer_MemoryLayout_Type_Tiled = 0,
  PJRT_Buffer_MemoryLayout_Type_Strides = 1
} PJRT_Buffer_MemoryLayout_Type;

typedef struct PJRT_Buffer_MemoryLayout_Tiled {
  PJRT_ARGS_HEADER;
  /* Logical dimension numbers, most minor first; length = rank. */
  const int64_t* minor_to_major;
  size_t minor_to_major_size;
  const int64_t* tile_dims;      /* concatenated tile shapes */
  const size_t* tile_dim_sizes;  /* rank of each tile; length num_tiles */
  size_t num_tiles;
} PJRT_Buffer_MemoryLayout_Tiled;

typedef struct PJRT_Buffer_MemoryLayout_Strides {
  PJRT_ARGS_HEADER;
  const int64_t* byte_strides;
  size_t num_byte_strides;
} PJRT_Buffer_MemoryLayout_Strides;

/* A dense row-major host layout is Tiled with minor_to_major = {r-1, ..., 0}
 * and no tiles. */
typedef struct PJRT_Buffer_MemoryLayout {
  PJRT_ARGS_HEADER;
  union {
    PJRT_Buffer_MemoryLayout_Tiled tiled;
    PJRT_Buffer_MemoryLayout_Strides strides;
  };
  PJRT_Buffer_MemoryLayout_Type type;
} PJRT_Buffer_MemoryLayout;

typedef struct PJRT_Client_BufferFromHostBuffer_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  const void* data;
  PJRT_Buffer_Type type;
  const int64_t* dims;
  size_t num_dims;
  const int64_t* byte_strides; /* NULL: dense, major-to-minor */
  size_t num_byte_strides;
  PJRT_HostBufferSemantics host_buffer_semantics;
  PJRT_Device* device;
  PJRT_Memory* memory;       /* NULL: device's default memory */
  PJRT_Buffer_MemoryLayout* device_layout; /* NULL: default device layout */
  PJRT_Event* done_with_host_buffer; /* out */
  PJRT_Buffer* buffer;               /* out */
} PJRT_Client_BufferFromHostBuffer_Args;

/* ------------------------------------------------------------------------ */
/* Device descriptions and devices.                                          */
/* ------------------------------------------------------------------------ */

/* Layout shared by DeviceDescription_Id and DeviceDescription_ProcessIndex. */
typedef struct PJRT_DeviceDescription_Id_Args {
  PJRT_ARGS_HEADER;
  PJRT_DeviceDescription* device_description;
  int id; /* out */
} PJRT_DeviceDescription_Id_Args;

typedef struct PJRT_DeviceDescription_ProcessIndex_Args {
  PJRT_ARGS_HEADER;
  PJRT_DeviceDescription* device_description;
  int process_index; /* out */
} PJRT_DeviceDescription_ProcessIndex_Args;

typedef struct PJRT_DeviceDescription_Attributes_Args {
  PJRT_ARGS_HEADER;
  PJRT_DeviceDescription* device_description;
  size_t num_attributes;             /* out */
  const PJRT_NamedValue* attributes; /* out, owned by the description */
} PJRT_DeviceDescription_Attributes_Args;

/* Layout shared by Kind, DebugString and ToString. */
typedef struct PJRT_DeviceDescription_Kind_Args {
  PJRT_ARGS_HEADER;
  PJRT_DeviceDescription* device_description;
  const char* device_kind; /* out */
  size_t device_kind_size; /* out */
} PJRT_DeviceDescription_Kind_Args;

typedef struct PJRT_DeviceDescription_DebugString_Args {
  PJRT_ARGS_HEADER;
  PJRT_DeviceDescription* device_description;
  const char* debug_string; /* out */
  size_t debug_string_size; /* out */
} PJRT_DeviceDescription_DebugString_Args;

typedef struct PJRT_Device_GetDescription_Args {
  PJRT_ARGS_HEADER;
  PJRT_Device* device;
  PJRT_DeviceDescription* device_description; /* out */
} PJRT_Device_GetDescription_Args;

typedef struct PJRT_Device_IsAddressable_Args {
  PJRT_ARGS_HEADER;
  PJRT_Device* device;
  bool is_addressable; /* out */
} PJRT_Device_IsAddressable_Args;

typedef struct PJRT_Device_LocalHardwareId_Args {
  PJRT_ARGS_HEADER;
  PJRT_Device* device;
  int local_hardware_id; /* out */
} PJRT_Device_LocalHardwareId_Args;

/* ------------------------------------------------------------------------ */
/* Executables.                                                              */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_Executable_Destroy_Args {
  PJRT_ARGS_HEADER;
  PJRT_Executable* executable;
} PJRT_Executable_Destroy_Args;

typedef struct PJRT_LoadedExecutable_Destroy_Args {
  PJRT_ARGS_HEADER;
  PJRT_LoadedExecutable* executable;
} PJRT_LoadedExecutable_Destroy_Args;

typedef struct PJRT_LoadedExecutable_GetExecutable_Args {
  PJRT_ARGS_HEADER;
  PJRT_LoadedExecutable* loaded_executable;
  PJRT_Executable* executable; /* out, caller destroys */
} PJRT_LoadedExecutable_GetExecutable_Args;

typedef struct PJRT_Executable_Name_Args {
  PJRT_ARGS_HEADER;
  PJRT_Executable* executable;
  const char* executable_name; /* out */
  size_t executable_name_size; /* out */
} PJRT_Executable_Name_Args;

typedef struct PJRT_Executable_NumReplicas_Args {
  PJRT_ARGS_HEADER;
  PJRT_Executable* executable;
  size_t num_replicas; /* out */
} PJRT_Executable_NumReplicas_Args;

typedef struct PJRT_Executable_NumPartitions_Args {
  PJRT_ARGS_HEADER;
  PJRT_Executable* executable;
  size_t num_partitions; /* out */
} PJRT_Executable_NumPartitions_Args;

typedef struct PJRT_Executable_NumOutputs_Args {
  PJRT_ARGS_HEADER;
  PJRT_Executable* executable;
  size_t num_outputs; /* out */
} PJRT_Executable_NumOutputs_Args;

typedef struct PJRT_LoadedExecutable_AddressableDevices_Args {
  PJRT_ARGS_HEADER;
  PJRT_LoadedExecutable* executable;
  PJRT_Device* const* addressable_devices; /* out, owned by executable */
  size_t num_addressable_devices;          /* out */
} PJRT_LoadedExecutable_AddressableDevices_Args;

typedef struct PJRT_ExecuteOptions {
  PJRT_ARGS_HEADER;
  void** send_callbacks; /* PJRT_SendCallbackInfo**; unused */
  void** recv_callbacks; /* PJRT_RecvCallbackInfo**; unused */
  size_t num_send_ops;
  size_t num_recv_ops;
  int launch_id;
  /* Appended in later minors. */
  const int64_t* non_donatable_input_indices;
  size_t num_non_donatable_input_indices;
  PJRT_ExecuteContext* context;
  const char* call_location;
  size_t num_tasks;
  int* task_ids;
  int64_t* incarnation_ids;
  void* multi_slice_config; /* PJRT_MultiSlice_Config*, minor 97 */
} PJRT_ExecuteOptions;

typedef struct PJRT_LoadedExecutable_Execute_Args {
  PJRT_ARGS_HEADER;
  PJRT_LoadedExecutable* executable;
  PJRT_ExecuteOptions* options;
  /* [num_devices][num_args], devices in the executable's addressable order */
  PJRT_Buffer* const* const* argument_lists;
  size_t num_devices;
  size_t num_args;
  /* [num_devices][num_outputs], allocated by the caller, filled by callee */
  PJRT_Buffer** const* output_lists;
  PJRT_Event** device_complete_events; /* [num_devices] or NULL */
  PJRT_Device* execute_device;         /* NULL: compile-time devices */
} PJRT_LoadedExecutable_Execute_Args;

typedef struct PJRT_Executable_Serialize_Args {
  PJRT_ARGS_HEADER;
  const PJRT_Executable* executable;
  const char* serialized_bytes;    /* out, lives as serialized_executable */
  size_t serialized_bytes_size;    /* out */
  PJRT_SerializedExecutable* serialized_executable; /* out */
  void (*serialized_executable_deleter)(PJRT_SerializedExecutable*); /* out */
} PJRT_Executable_Serialize_Args;

typedef struct PJRT_Executable_DeserializeAndLoad_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  const char* serialized_executable;
  size_t serialized_executable_size;
  PJRT_LoadedExecutable* loaded_executable; /* out */
  /* Appended in a later minor: NULL means "use the serialized options". */
  const char* overridden_serialized_compile_options;
  size_t overridden_serialized_compile_options_size;
} PJRT_Executable_DeserializeAndLoad_Args;

/* ------------------------------------------------------------------------ */
/* Buffers.                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_Buffer_Destroy_Args {
  PJRT_ARGS_HEADER;
  PJRT_Buffer* buffer;
} PJRT_Buffer_Destroy_Args;

typedef struct PJRT_Buffer_ElementType_Args {
  PJRT_ARGS_HEADER;
  PJRT_Buffer* buffer;
  PJRT_Buffer_Type type; /* out */
} PJRT_Buffer_ElementType_Args;

typedef struct PJRT_Buffer_Dimensions_Args {
  PJRT_ARGS_HEADER;
  PJRT_Buffer* buffer;
  const int64_t* dims; /* out, owned by buffer */
  size_t num_dims;     /* out */
} PJRT_Buffer_Dimensions_Args;

typedef struct PJRT_Buffer_ToHostBuffer_Args {
  PJRT_ARGS_HEADER;
  PJRT_Buffer* src;
  /* NULL: the device layout minus tiling. Clients wanting dense row-major
   * data should ask for it explicitly (TPU device layouts are tiled). */
  PJRT_Buffer_MemoryLayout* host_layout;
  void* dst;         /* NULL: only query dst_size */
  size_t dst_size;   /* in/out */
  PJRT_Event* event; /* out */
} PJRT_Buffer_ToHostBuffer_Args;

/* ------------------------------------------------------------------------ */
/* Topologies and ahead-of-time compilation.                                 */
/* ------------------------------------------------------------------------ */

typedef struct PJRT_TopologyDescription_Create_Args {
  PJRT_ARGS_HEADER;
  const char* topology_name;
  size_t topology_name_size;
  const PJRT_NamedValue* create_options;
  size_t num_options;
  PJRT_TopologyDescription* topology; /* out */
} PJRT_TopologyDescription_Create_Args;

typedef struct PJRT_TopologyDescription_Destroy_Args {
  PJRT_ARGS_HEADER;
  PJRT_TopologyDescription* topology;
} PJRT_TopologyDescription_Destroy_Args;

typedef struct PJRT_TopologyDescription_PlatformName_Args {
  PJRT_ARGS_HEADER;
  const PJRT_TopologyDescription* topology;
  const char* platform_name; /* out */
  size_t platform_name_size; /* out */
} PJRT_TopologyDescription_PlatformName_Args;

typedef struct PJRT_TopologyDescription_GetDeviceDescriptions_Args {
  PJRT_ARGS_HEADER;
  const PJRT_TopologyDescription* topology;
  PJRT_DeviceDescription* const* descriptions; /* out */
  size_t num_descriptions;                     /* out */
} PJRT_TopologyDescription_GetDeviceDescriptions_Args;

/* Minor 95: loads an executable from PJRT_Compile onto a client. */
typedef struct PJRT_Client_Load_Args {
  PJRT_ARGS_HEADER;
  PJRT_Client* client;
  PJRT_Executable* executable;
  const char* compile_options; /* serialized xla.CompileOptionsProto */
  size_t compile_options_size;
  PJRT_LoadedExecutable* loaded_executable; /* out */
} PJRT_Client_Load_Args;

typedef struct PJRT_Compile_Args {
  PJRT_ARGS_HEADER;
  const PJRT_TopologyDescription* topology;
  const PJRT_Program* program;
  const char* compile_options; /* serialized xla.CompileOptionsProto */
  size_t compile_options_size;
  PJRT_Client* client;         /* optional */
  PJRT_Executable* executable; /* out */
} PJRT_Compile_Args;

/* ------------------------------------------------------------------------ */
/* Function types.                                                           */
/* ------------------------------------------------------------------------ */

typedef void PJRT_Error_Destroy_Fn(PJRT_Error_Destroy_Args*);
typedef void PJRT_Error_Message_Fn(PJRT_Error_Message_Args*);
typedef PJRT_Error* PJRT_Error_GetCode_Fn(PJRT_Error_GetCode_Args*);
/* Every other entry point has the shape PJRT_Error* f(Args*). */
#define PJRT_FN(name) typedef PJRT_Error* name##_Fn(name##_Args*)
PJRT_FN(PJRT_Plugin_Initialize);
PJRT_FN(PJRT_Plugin_Attributes);
PJRT_FN(PJRT_Event_Destroy);
PJRT_FN(PJRT_Event_IsReady);
PJRT_FN(PJRT_Event_Error);
PJRT_FN(PJRT_Event_Await);
PJRT_FN(PJRT_Client_Create);
PJRT_FN(PJRT_Client_Destroy);
PJRT_FN(PJRT_Client_PlatformName);
PJRT_FN(PJRT_Client_ProcessIndex);
PJRT_FN(PJRT_Client_PlatformVersion);
PJRT_FN(PJRT_Client_Devices);
PJRT_FN(PJRT_Client_AddressableDevices);
PJRT_FN(PJRT_Client_Compile);
PJRT_FN(PJRT_Client_BufferFromHostBuffer);
PJRT_FN(PJRT_DeviceDescription_Id);
PJRT_FN(PJRT_DeviceDescription_ProcessIndex);
PJRT_FN(PJRT_DeviceDescription_Attributes);
PJRT_FN(PJRT_DeviceDescription_Kind);
PJRT_FN(PJRT_DeviceDescription_DebugString);
PJRT_FN(PJRT_Device_GetDescription);
PJRT_FN(PJRT_Device_IsAddressable);
PJRT_FN(PJRT_Device_LocalHardwareId);
PJRT_FN(PJRT_Executable_Destroy);
PJRT_FN(PJRT_Executable_Name);
PJRT_FN(PJRT_Executable_NumReplicas);
PJRT_FN(PJRT_Executable_NumPartitions);
PJRT_FN(PJRT_Executable_NumOutputs);
PJRT_FN(PJRT_Executable_Serialize);
PJRT_FN(PJRT_LoadedExecutable_Destroy);
PJRT_FN(PJRT_LoadedExecutable_GetExecutable);
PJRT_FN(PJRT_LoadedExecutable_AddressableDevices);
PJRT_FN(PJRT_LoadedExecutable_Execute);
PJRT_FN(PJRT_Executable_DeserializeAndLoad);
PJRT_FN(PJRT_Buffer_Destroy);
PJRT_FN(PJRT_Buffer_ElementType);
PJRT_FN(PJRT_Buffer_Dimensions);
PJRT_FN(PJRT_Buffer_ToHostBuffer);
PJRT_FN(PJRT_TopologyDescription_Create);
PJRT_FN(PJRT_TopologyDescription_Destroy);
PJRT_FN(PJRT_TopologyDescription_PlatformName);
PJRT_FN(PJRT_TopologyDescription_GetDeviceDescriptions);
PJRT_FN(PJRT_Compile);
PJRT_FN(PJRT_Client_Load);
#undef PJRT_FN

/* Slots we neither call nor implement are kept as untyped pointers. */
typedef void (*PJRT_UntypedFn)(void);

/* ------------------------------------------------------------------------ */
/* The function table. X(name, used): used = 1 for the slots typed above.    */
/* The order below IS the ABI (minor 105, 136 slots). Never reorder. (The   */
/* table was last rearranged at minor 0.57; older plugins differ.)          */
/* ------------------------------------------------------------------------ */

#define PJRT_API_SLOTS(X)                                      \
  /*   0 */ X(PJRT_Error_Destroy, 1)                           \
  /*   1 */ X(PJRT_Error_Message, 1)                           \
  /*   2 */ X(PJRT_Error_GetCode, 1)                           \
  /*   3 */ X(PJRT_Plugin_Initialize, 1)                       \
  /*   4 */ X(PJRT_Plugin_Attributes, 1)                       \
  /*   5 */ X(PJRT_Event_Destroy, 1)                           \
  /*   6 */ X(PJRT_Event_IsReady, 1)                           \
  /*   7 */ X(PJRT_Event_Error, 1)                             \
  /*   8 */ X(PJRT_Event_Await, 1)                             \
  /*   9 */ X(PJRT_Event_OnReady, 0)                           \
  /*  10 */ X(PJRT_Client_Create, 1)                           \
  /*  11 */ X(PJRT_Client_Destroy, 1)                          \
  /*  12 */ X(PJRT_Client_PlatformName, 1)                     \
  /*  13 */ X(PJRT_Client_ProcessIndex, 1)                     \
  /*  14 */ X(PJRT_Client_PlatformVersion, 1)                  \
  /*  15 */ X(PJRT_Client_Devices, 1)                          \
  /*  16 */ X(PJRT_Client_AddressableDevices, 1)               \
  /*  17 */ X(PJRT_Client_LookupDevice, 0)                     \
  /*  18 */ X(PJRT_Client_LookupAddressableDevice, 0)          \
  /*  19 */ X(PJRT_Client_AddressableMemories, 0)              \
  /*  20 */ X(PJRT_Client_Compile, 1)                          \
  /*  21 */ X(PJRT_Client_DefaultDeviceAssignment, 0)          \
  /*  22 */ X(PJRT_Client_BufferFromHostBuffer, 1)             \
  /*  23 */ X(PJRT_DeviceDescription_Id, 1)                    \
  /*  24 */ X(PJRT_DeviceDescription_ProcessIndex, 1)          \
  /*  25 */ X(PJRT_DeviceDescription_Attributes, 1)            \
  /*  26 */ X(PJRT_DeviceDescription_Kind, 1)                  \
  /*  27 */ X(PJRT_DeviceDescription_DebugString, 1)           \
  /*  28 */ X(PJRT_DeviceDescription_ToString, 0)              \
  /*  29 */ X(PJRT_Device_GetDescription, 1)                   \
  /*  30 */ X(PJRT_Device_IsAddressable, 1)                    \
  /*  31 */ X(PJRT_Device_LocalHardwareId, 1)                  \
  /*  32 */ X(PJRT_Device_AddressableMemories, 0)              \
  /*  33 */ X(PJRT_Device_DefaultMemory, 0)                    \
  /*  34 */ X(PJRT_Device_MemoryStats, 0)                      \
  /*  35 */ X(PJRT_Memory_Id, 0)                               \
  /*  36 */ X(PJRT_Memory_Kind, 0)                             \
  /*  37 */ X(PJRT_Memory_DebugString, 0)                      \
  /*  38 */ X(PJRT_Memory_ToString, 0)                         \
  /*  39 */ X(PJRT_Memory_AddressableByDevices, 0)             \
  /*  40 */ X(PJRT_Executable_Destroy, 1)                      \
  /*  41 */ X(PJRT_Executable_Name, 1)                         \
  /*  42 */ X(PJRT_Executable_NumReplicas, 1)                  \
  /*  43 */ X(PJRT_Executable_NumPartitions, 1)                \
  /*  44 */ X(PJRT_Executable_NumOutputs, 1)                   \
  /*  45 */ X(PJRT_Executable_SizeOfGeneratedCodeInBytes, 0)   \
  /*  46 */ X(PJRT_Executable_GetCostAnalysis, 0)              \
  /*  47 */ X(PJRT_Executable_OutputMemoryKinds, 0)            \
  /*  48 */ X(PJRT_Executable_OptimizedProgram, 0)             \
  /*  49 */ X(PJRT_Executable_Serialize, 1)                    \
  /*  50 */ X(PJRT_LoadedExecutable_Destroy, 1)                \
  /*  51 */ X(PJRT_LoadedExecutable_GetExecutable, 1)          \
  /*  52 */ X(PJRT_LoadedExecutable_AddressableDevices, 1)     \
  /*  53 */ X(PJRT_LoadedExecutable_Delete, 0)                 \
  /*  54 */ X(PJRT_LoadedExecutable_IsDeleted, 0)              \
  /*  55 */ X(PJRT_LoadedExecutable_Execute, 1)                \
  /*  56 */ X(PJRT_Executable_DeserializeAndLoad, 1)           \
  /*  57 */ X(PJRT_LoadedExecutable_Fingerprint, 0)            \
  /*  58 */ X(PJRT_Buffer_Destroy, 1)                          \
  /*  59 */ X(PJRT_Buffer_ElementType, 1)                      \
  /*  60 */ X(PJRT_Buffer_Dimensions, 1)                       \
  /*  61 */ X(PJRT_Buffer_UnpaddedDimensions, 0)               \
  /*  62 */ X(PJRT_Buffer_DynamicDimensionIndices, 0)          \
  /*  63 */ X(PJRT_Buffer_GetMemoryLayout, 0)                  \
  /*  64 */ X(PJRT_Buffer_OnDeviceSizeInBytes, 0)              \
  /*  65 */ X(PJRT_Buffer_Device, 0)                           \
  /*  66 */ X(PJRT_Buffer_Memory, 0)                           \
  /*  67 */ X(PJRT_Buffer_Delete, 0)                           \
  /*  68 */ X(PJRT_Buffer_IsDeleted, 0)                        \
  /*  69 */ X(PJRT_Buffer_CopyToDevice, 0)                     \
  /*  70 */ X(PJRT_Buffer_ToHostBuffer, 1)                     \
  /*  71 */ X(PJRT_Buffer_IsOnCpu, 0)                          \
  /*  72 */ X(PJRT_Buffer_ReadyEvent, 0)                       \
  /*  73 */ X(PJRT_Buffer_UnsafePointer, 0)                    \
  /*  74 */ X(PJRT_Buffer_IncreaseExternalReferenceCount, 0)   \
  /*  75 */ X(PJRT_Buffer_DecreaseExternalReferenceCount, 0)   \
  /*  76 */ X(PJRT_Buffer_OpaqueDeviceMemoryDataPointer, 0)    \
  /*  77 */ X(PJRT_CopyToDeviceStream_Destroy, 0)              \
  /*  78 */ X(PJRT_CopyToDeviceStream_AddChunk, 0)             \
  /*  79 */ X(PJRT_CopyToDeviceStream_TotalBytes, 0)           \
  /*  80 */ X(PJRT_CopyToDeviceStream_GranuleSize, 0)          \
  /*  81 */ X(PJRT_CopyToDeviceStream_CurrentBytes, 0)         \
  /*  82 */ X(PJRT_TopologyDescription_Create, 1)              \
  /*  83 */ X(PJRT_TopologyDescription_Destroy, 1)             \
  /*  84 */ X(PJRT_TopologyDescription_PlatformName, 1)        \
  /*  85 */ X(PJRT_TopologyDescription_PlatformVersion, 0)     \
  /*  86 */ X(PJRT_TopologyDescription_GetDeviceDescriptions, 1) \
  /*  87 */ X(PJRT_TopologyDescription_Serialize, 0)           \
  /*  88 */ X(PJRT_TopologyDescription_Attributes, 0)          \
  /*  89 */ X(PJRT_Compile, 1)                                 \
  /*  90 */ X(PJRT_Executable_OutputElementTypes, 0)           \
  /*  91 */ X(PJRT_Executable_OutputDimensions, 0)             \
  /*  92 */ X(PJRT_Buffer_CopyToMemory, 0)                     \
  /*  93 */ X(PJRT_Client_CreateViewOfDeviceBuffer, 0)         \
  /*  94 */ X(PJRT_Executable_Fingerprint, 0)                  \
  /*  95 */ X(PJRT_Client_TopologyDescription, 0)              \
  /*  96 */ X(PJRT_Executable_GetCompiledMemoryStats, 0)       \
  /*  97 */ X(PJRT_Memory_Kind_Id, 0)                          \
  /*  98 */ X(PJRT_ExecuteContext_Create, 0)                   \
  /*  99 */ X(PJRT_ExecuteContext_Destroy, 0)                  \
  /* 100 */ X(PJRT_Buffer_CopyRawToHost, 0)                    \
  /* 101 */ X(PJRT_AsyncHostToDeviceTransferManager_Destroy, 0) \
  /* 102 */ X(PJRT_AsyncHostToDeviceTransferManager_TransferData, 0) \
  /* 103 */ X(PJRT_Client_CreateBuffersForAsyncHostToDevice, 0) \
  /* 104 */ X(PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer, 0) \
  /* 105 */ X(PJRT_AsyncHostToDeviceTransferManager_Device, 0) \
  /* 106 */ X(PJRT_AsyncHostToDeviceTransferManager_BufferCount, 0) \
  /* 107 */ X(PJRT_AsyncHostToDeviceTransferManager_BufferSize, 0) \
  /* 108 */ X(PJRT_AsyncHostToDeviceTransferManager_SetBufferError, 0) \
  /* 109 */ X(PJRT_AsyncHostToDeviceTransferManager_AddMetadata, 0) \
  /* 110 */ X(PJRT_Client_DmaMap, 0)                           \
  /* 111 */ X(PJRT_Client_DmaUnmap, 0)                         \
  /* 112 */ X(PJRT_Client_CreateUninitializedBuffer, 0)        \
  /* 113 */ X(PJRT_Client_UpdateGlobalProcessInfo, 0)          \
  /* 114 */ X(PJRT_TopologyDescription_Deserialize, 0)         \
  /* 115 */ X(PJRT_Client_CreateAliasBuffer, 0)                \
  /* 116 */ X(PJRT_Client_FulfillAliasBuffer, 0)               \
  /* 117 */ X(PJRT_LoadedExecutable_GetDeviceAssignment, 0)    \
  /* 118 */ X(PJRT_Client_CreateErrorBuffer, 0)                \
  /* 119 */ X(PJRT_AsyncHostToDeviceTransferManager_TransferLiteral, 0) \
  /* 120 */ X(PJRT_Buffer_CopyRawToHostFuture, 0)              \
  /* 121 */ X(PJRT_Device_PoisonExecution, 0)                  \
  /* 122 */ X(PJRT_Device_CreateAsyncTrackingEvent, 0)         \
  /* 123 */ X(PJRT_AsyncTrackingEvent_Destroy, 0)              \
  /* 124 */ X(PJRT_Executable_GetCompileOptions, 0)            \
  /* 125 */ X(PJRT_Buffer_DonateWithControlDependency, 0)      \
  /* 126 */ X(PJRT_Event_Create, 0)                            \
  /* 127 */ X(PJRT_Event_Set, 0)                            \
  /* 128 */ X(PJRT_Device_GetAttributes, 0)                 \
  /* 129 */ X(PJRT_Client_Load, 1)                          \
  /* 130 */ X(PJRT_LoadedExecutable_AddressableDeviceLogicalIds, 0) \
  /* 131 */ X(PJRT_Buffer_Bitcast, 0)                       \
  /* 132 */ X(PJRT_Error_ForEachPayload, 0)                 \
  /* 133 */ X(PJRT_TopologyDescription_Fingerprint, 0)      \
  /* 134 */ X(PJRT_Executable_ParameterMemoryKinds, 0)      \
  /* 135 */ X(PJRT_Buffer_CopyRawFromHost, 0)

#define PJRT_SLOT_TYPE_1(name) name##_Fn*
#define PJRT_SLOT_TYPE_0(name) PJRT_UntypedFn
#define PJRT_API_MEMBER(name, used) PJRT_SLOT_TYPE_##used(name) name;

typedef struct PJRT_Api {
  PJRT_ARGS_HEADER;
  PJRT_Api_Version pjrt_api_version;
  PJRT_API_SLOTS(PJRT_API_MEMBER)
} PJRT_Api;

#undef PJRT_API_MEMBER

#define PJRT_API_SLOT_COUNT 136
/* struct_size of a minor-105 table: header (40 bytes) + 136 slots. */
#define PJRT_API_STRUCT_SIZE_V105 \
  PJRT_STRUCT_SIZE(PJRT_Api, PJRT_Buffer_CopyRawFromHost)

/* True when `api` (a plugin's table) is long enough to contain slot `fn` and
 * the slot is non-NULL. */
#define PJRT_API_HAS(api, fn) \
  (PJRT_HAS_FIELD(PJRT_Api, fn, (api)->struct_size) && (api)->fn != NULL)

/* The symbol every plugin exports. */
typedef const PJRT_Api* PJRT_GetPjrtApi_Fn(void);

#ifdef __cplusplus
} /* extern "C" */

/* ------------------------------------------------------------------------ */
/* Layout pins (C++ only). Offsets are those of the minor-105 header, LP64.  */
/* ------------------------------------------------------------------------ */

#define PJRT_PIN(type, field, off) \
  static_assert(offsetof(type, field) == (off), #type "." #field)
#define PJRT_PIN_SIZE(type, field, size) \
  static_assert(PJRT_STRUCT_SIZE(type, field) == (size), #type " size")

PJRT_PIN(PJRT_Api_Version, minor_version, 20);
PJRT_PIN_SIZE(PJRT_Api_Version, minor_version, 24);
PJRT_PIN(PJRT_Error_Message_Args, message_size, 32);
PJRT_PIN(PJRT_Error_GetCode_Args, code, 24);
PJRT_PIN(PJRT_NamedValue, type, 32);
PJRT_PIN(PJRT_NamedValue, int64_value, 40);
PJRT_PIN_SIZE(PJRT_NamedValue, value_size, 56);
PJRT_PIN_SIZE(PJRT_Plugin_Attributes_Args, num_attributes, 32);
PJRT_PIN(PJRT_Client_Create_Args, client, 64);
PJRT_PIN_SIZE(PJRT_Client_Create_Args, kv_try_get_user_arg, 88);
PJRT_PIN(PJRT_Program, format_size, 40);
PJRT_PIN_SIZE(PJRT_Client_Compile_Args, executable, 56);
PJRT_PIN(PJRT_Client_BufferFromHostBuffer_Args, type, 32);
PJRT_PIN(PJRT_Client_BufferFromHostBuffer_Args, host_buffer_semantics, 72);
PJRT_PIN(PJRT_Client_BufferFromHostBuffer_Args, device, 80);
PJRT_PIN(PJRT_Client_BufferFromHostBuffer_Args, done_with_host_buffer, 104);
PJRT_PIN_SIZE(PJRT_Client_BufferFromHostBuffer_Args, buffer, 120);
PJRT_PIN(PJRT_DeviceDescription_Attributes_Args, attributes, 32);
PJRT_PIN_SIZE(PJRT_Device_IsAddressable_Args, is_addressable, 25);
PJRT_PIN(PJRT_ExecuteOptions, launch_id, 48);
PJRT_PIN_SIZE(PJRT_ExecuteOptions, incarnation_ids, 112);
PJRT_PIN_SIZE(PJRT_ExecuteOptions, multi_slice_config, 120);
PJRT_PIN(PJRT_LoadedExecutable_Execute_Args, argument_lists, 32);
PJRT_PIN(PJRT_LoadedExecutable_Execute_Args, output_lists, 56);
PJRT_PIN_SIZE(PJRT_LoadedExecutable_Execute_Args, execute_device, 80);
PJRT_PIN_SIZE(PJRT_Executable_Serialize_Args, serialized_executable_deleter,
              56);
PJRT_PIN(PJRT_Executable_DeserializeAndLoad_Args, loaded_executable, 40);
PJRT_PIN_SIZE(PJRT_Executable_DeserializeAndLoad_Args,
              overridden_serialized_compile_options_size, 64);
PJRT_PIN_SIZE(PJRT_Buffer_ToHostBuffer_Args, event, 56);
PJRT_PIN_SIZE(PJRT_Buffer_MemoryLayout_Tiled, num_tiles, 56);
PJRT_PIN_SIZE(PJRT_Buffer_MemoryLayout_Strides, num_byte_strides, 32);
PJRT_PIN(PJRT_Buffer_MemoryLayout, tiled, 16);
PJRT_PIN(PJRT_Buffer_MemoryLayout, type, 72);
PJRT_PIN_SIZE(PJRT_Buffer_MemoryLayout, type, 76);
PJRT_PIN_SIZE(PJRT_TopologyDescription_Create_Args, topology, 56);
PJRT_PIN_SIZE(PJRT_Compile_Args, executable, 64);
PJRT_PIN_SIZE(PJRT_Client_Load_Args, loaded_executable, 56);

/* Function table: header is 40 bytes, then 8 bytes per slot. */
#define PJRT_PIN_SLOT(fn, slot) PJRT_PIN(PJRT_Api, fn, 40 + 8 * (slot))
PJRT_PIN(PJRT_Api, pjrt_api_version, 16);
PJRT_PIN_SLOT(PJRT_Error_Destroy, 0);
PJRT_PIN_SLOT(PJRT_Plugin_Initialize, 3);
PJRT_PIN_SLOT(PJRT_Client_Create, 10);
PJRT_PIN_SLOT(PJRT_Client_Devices, 15);
PJRT_PIN_SLOT(PJRT_Client_Compile, 20);
PJRT_PIN_SLOT(PJRT_Client_BufferFromHostBuffer, 22);
PJRT_PIN_SLOT(PJRT_DeviceDescription_Id, 23);
PJRT_PIN_SLOT(PJRT_DeviceDescription_Attributes, 25);
PJRT_PIN_SLOT(PJRT_Device_GetDescription, 29);
PJRT_PIN_SLOT(PJRT_Executable_Destroy, 40);
PJRT_PIN_SLOT(PJRT_Executable_NumOutputs, 44);
PJRT_PIN_SLOT(PJRT_Executable_Serialize, 49);
PJRT_PIN_SLOT(PJRT_LoadedExecutable_GetExecutable, 51);
PJRT_PIN_SLOT(PJRT_LoadedExecutable_Execute, 55);
PJRT_PIN_SLOT(PJRT_Executable_DeserializeAndLoad, 56);
PJRT_PIN_SLOT(PJRT_Buffer_Destroy, 58);
PJRT_PIN_SLOT(PJRT_Buffer_ElementType, 59);
PJRT_PIN_SLOT(PJRT_Buffer_Dimensions, 60);
PJRT_PIN_SLOT(PJRT_Buffer_ToHostBuffer, 70);
PJRT_PIN_SLOT(PJRT_TopologyDescription_Create, 82);
PJRT_PIN_SLOT(PJRT_TopologyDescription_GetDeviceDescriptions, 86);
PJRT_PIN_SLOT(PJRT_Compile, 89);
PJRT_PIN_SLOT(PJRT_Executable_OutputElementTypes, 90);
PJRT_PIN_SLOT(PJRT_Client_CreateViewOfDeviceBuffer, 93);
PJRT_PIN_SLOT(PJRT_Memory_Kind_Id, 97);
PJRT_PIN_SLOT(PJRT_Event_Set, 127);
PJRT_PIN_SLOT(PJRT_Client_Load, 129);
PJRT_PIN_SLOT(PJRT_Buffer_CopyRawFromHost, 135);
static_assert(PJRT_API_STRUCT_SIZE_V105 == 40 + 8 * PJRT_API_SLOT_COUNT,
              "PJRT_Api has 136 slots at minor 105");

#undef PJRT_PIN_SLOT
#undef PJRT_PIN_SIZE
#undef PJRT_PIN

#endif /* __cplusplus */

#endif /* SWITCHC_PJRT_C_API_MIN_H_ */
