package dev.switchc.runtime.tpu;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a PJRT plugin reports about one device (built by native code).
 *
 * @param handle the PJRT_Device handle to pass back to {@link PjrtPlugin}; 0 for the devices of a
 *     topology description, which are not attached to a client
 * @param id global device id (PJRT_DeviceDescription_Id)
 * @param processIndex the process the device is addressable from
 * @param kind vendor device kind, e.g. "TPU v5 lite" or the stand-in's "cpu"
 * @param coords the "coords" attribute (TPU: chip coordinates x, y, z), or null if absent
 * @param debugString PJRT_DeviceDescription_DebugString
 * @param addressable whether this client can issue work to the device
 * @param localHardwareId PJRT_Device_LocalHardwareId, -1 if unknown or not applicable
 * @param attributes all attributes as {name, value, name, value, ...} (String, Long, long[],
 *     Float or Boolean values), or null if the plugin predates PJRT_DeviceDescription_Attributes
 */
public record DeviceInfo(
    long handle,
    int id,
    int processIndex,
    String kind,
    long[] coords,
    String debugString,
    boolean addressable,
    int localHardwareId,
    Object[] attributes) {

  /** The attributes as an ordered map. */
  public Map<String, Object> attributeMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    if (attributes != null) {
      for (int i = 0; i + 1 < attributes.length; i += 2) {
        map.put((String) attributes[i], attributes[i + 1]);
      }
    }
    return map;
  }

  @Override
  public String toString() {
    return "DeviceInfo[id=" + id + ", process=" + processIndex + ", kind=" + kind + ", coords="
        + (coords == null ? "none" : Arrays.toString(coords)) + ", addressable=" + addressable
        + ", localHardwareId=" + localHardwareId + ", debug=" + debugString + "]";
  }
}
