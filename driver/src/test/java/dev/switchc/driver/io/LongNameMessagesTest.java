package dev.switchc.driver.io;

import static dev.switchc.frontend.fuzz.FuzzChecks.assertOneBoundedLine;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names and values quoted from a malformed tensor file are clipped, so the message stays one short line. */
class LongNameMessagesTest {
  @TempDir
  Path dir;

  @Test
  void safetensorsTensorNameOf40kCharactersWithANewline() throws IOException {
    String name = "w\n" + "x".repeat(40_000);
    byte[] header = ("{\"" + name.replace("\n", "\\n") + "\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}").getBytes(StandardCharsets.UTF_8);
    Path file = dir.resolve("long.safetensors");
    Files.write(file, ByteBuffer.allocate(8 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).array());
    TensorFileException e = assertThrows(TensorFileException.class, () -> Safetensors.read(file));
    assertOneBoundedLine(e.getMessage());
    assertTrue(e.getMessage().contains("tensor 'w\\nxxx"), e.getMessage());
  }

  @Test
  void npyShapeOf20kStrings() throws IOException {
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "'a', ".repeat(20_000) + ")}";
    Path file = dir.resolve("long.npy");
    byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
    Files.write(file, ByteBuffer.allocate(12 + text.length).order(ByteOrder.LITTLE_ENDIAN)
        .put(NpyHeader.MAGIC).put((byte) 2).put((byte) 0).putInt(text.length).put(text).array());
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.readFloats(file));
    assertOneBoundedLine(e.getMessage());
  }
}
