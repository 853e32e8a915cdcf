package dev.switchc.runtime.tpu;

import java.io.ByteArrayOutputStream;

/**
 * Encodes the serialized {@code xla.CompileOptionsProto} that PJRT_Client_Compile and
 * PJRT_Compile take, by hand (no protoc).
 *
 * <p>Field numbers (xla/pjrt/proto/compile_options.proto, xla/xla_data.proto):
 * CompileOptionsProto.executable_build_options = 3; ExecutableBuildOptionsProto: device_ordinal
 * = 1 (int64), num_replicas = 4, num_partitions = 5, use_spmd_partitioning = 6 (bool),
 * device_assignment = 9; DeviceAssignmentProto: replica_count = 1, computation_count = 2,
 * computation_devices = 3 (repeated ComputationDevice { repeated int64 replica_device_ids = 1 }).
 */
public final class PjrtCompileOptions {
  private PjrtCompileOptions() {}

  /**
   * Options for an SPMD program as JAX sets them: 1 replica, {@code deviceIds.length}
   * partitions, SPMD partitioning on, and a device assignment mapping partition p to device
   * {@code deviceIds[p]}.
   */
  public static byte[] spmd(long[] deviceIds) {
    if (deviceIds.length < 1) {
      throw new IllegalArgumentException("an SPMD program needs at least one device");
    }
    return encode(1, deviceIds.length, true, assignment(1, deviceIds.length, deviceIds));
  }

  /** SPMD options with XLA's default device assignment (partition p on device p). */
  public static byte[] spmd(int partitions) {
    if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1");
    return encode(1, partitions, true, null);
  }

  private static byte[] encode(int replicas, int partitions, boolean spmd, byte[] assignment) {
    Writer build = new Writer();
    build.int64(1, -1); // device_ordinal: -1 = unset (the proto default 0 would pin device 0)
    build.int64(4, replicas);
    build.int64(5, partitions);
    build.bool(6, spmd);
    if (assignment != null) build.message(9, assignment);
    Writer options = new Writer();
    options.message(3, build.bytes());
    return options.bytes();
  }

  /** DeviceAssignmentProto; ids in computation-major order ([computation][replica]). */
  private static byte[] assignment(int replicas, int computations, long[] ids) {
    Writer w = new Writer();
    w.int64(1, replicas);
    w.int64(2, computations);
    for (int c = 0; c < computations; ++c) {
      Writer device = new Writer();
      for (int r = 0; r < replicas; ++r) device.int64(1, ids[c * replicas + r]);
      w.message(3, device.bytes());
    }
    return w.bytes();
  }

  /** Minimal protobuf wire-format writer (varint and length-delimited fields). */
  private static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void int64(int field, long value) {
      tag(field, 0);
      varint(value);
    }

    void bool(int field, boolean value) {
      tag(field, 0);
      varint(value ? 1 : 0);
    }

    void message(int field, byte[] bytes) {
      tag(field, 2);
      varint(bytes.length);
      out.write(bytes, 0, bytes.length);
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void tag(int field, int wireType) {
      varint(((long) field << 3) | wireType);
    }

    private void varint(long value) { // negative values take 10 bytes, as in protobuf
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }
  }
}
