package dev.switchc.driver;

import dev.switchc.driver.io.AtomicFile;
import dev.switchc.driver.io.Json;
import dev.switchc.frontend.Mode;
import dev.switchc.frontend.spec.ProgramSource;
import dev.switchc.lowering.Lower;
import dev.switchc.lowering.StableHloPrinter;
import dev.switchc.lowering.hlo.HloModule;
import dev.switchc.runtime.tpu.PjrtProgram;
import dev.switchc.runtime.tpu.PluginClient;
import dev.switchc.runtime.tpu.PluginTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A serialized executable in a directory, as {@code switchc compile --target tpu} writes it and
 * {@code switchc run --executable} reads it: {@value #EXECUTABLE} (the plugin's bytes) and
 * {@value #MANIFEST}, which records what it was compiled from (the spec text and overrides, the
 * mode), the SHA-256 of the StableHLO module and of the executable, the plugin, its platform, and
 * the topology of an ahead-of-time compile.
 *
 * <p>Running rebuilds the program from the recorded source (switchc's own compile is cheap and
 * deterministic; XLA's is what is skipped) to know how to cut the inputs and assemble the outputs,
 * and refuses to run when the module it gets differs from the recorded one: an executable of
 * another module would take or return other shapes, or the same shapes with another meaning.
 */
public final class ExecutableDir {
  private ExecutableDir() {}

  public static final String EXECUTABLE = "executable.pjrt", MANIFEST = "executable.json";
  static final String FORMAT = "switchc-executable-1";

  /** What a directory holds. {@code topology} is empty when the executable was compiled on attached devices. */
  public record Manifest(ProgramSource source, Mode mode, String moduleSha256, String executableSha256, String plugin, String platform,
      Optional<String> topology, int devices) {}

  /**
   * Writes the executable, then the manifest (each atomically; the manifest names the executable's
   * hash, so a directory whose write was interrupted is refused on reading).
   */
  public static void write(Path dir, Contents contents) throws IOException {
    Manifest manifest = contents.manifest();
    byte[] executable = contents.executable();
    AtomicFile.writeBytes(dir.resolve(EXECUTABLE), executable);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    Map<String, Object> src = new LinkedHashMap<>();
    src.put("file", manifest.source().fileName());
    src.put("set", manifest.source().sets());
    src.put("mesh", manifest.source().mesh().orElse(null));
    src.put("layout", manifest.source().layouts());
    src.put("text", manifest.source().text());
    m.put("source", src);
    m.put("mode", manifest.mode().specName());
    m.put("module_sha256", manifest.moduleSha256());
    m.put("executable_sha256", manifest.executableSha256());
    m.put("plugin", manifest.plugin());
    m.put("platform", manifest.platform());
    m.put("topology", manifest.topology().orElse(null));
    m.put("devices", manifest.devices());
    AtomicFile.writeString(dir.resolve(MANIFEST), Json.write(m));
  }

  /** A manifest and the executable it describes. */
  public record Contents(Manifest manifest, byte[] executable) {
    public Contents {
      if (!manifest.executableSha256().equals(sha256(executable))) throw new IllegalArgumentException("the manifest's executable hash is not the executable's");
    }
  }

  /**
   * Reads a directory written by {@link #write}.
   *
   * @throws UserInputError naming the file and what is wrong with it
   */
  public static Contents read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) throw new UserInputError("--executable " + dir + ": not a directory; give the -o directory of 'switchc compile --target tpu --plugin PATH'");
    Path manifestFile = dir.resolve(MANIFEST), executableFile = dir.resolve(EXECUTABLE);
    if (!Files.isRegularFile(manifestFile))
      throw new UserInputError(manifestFile + ": no such file; this directory holds no executable (compile with --target tpu and a PJRT plugin to write one)");
    Map<String, Object> m;
    try {
      m = object(Json.parse(Files.readString(manifestFile, StandardCharsets.UTF_8)), "the manifest");
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new UserInputError(manifestFile + ": not UTF-8 text; write the directory again with 'switchc compile'");
    } catch (Json.JsonException e) {
      throw new UserInputError(manifestFile + ": not valid JSON (" + e.getMessage() + ")");
    } catch (ManifestError e) {
      throw new UserInputError(manifestFile + ": " + e.getMessage());
    }
    Manifest manifest;
    try {
      if (!FORMAT.equals(m.get("format"))) throw new ManifestError("format is " + m.get("format") + ", expected " + FORMAT);
      Map<String, Object> src = object(m.get("source"), "'source'");
      ProgramSource source = new ProgramSource(string(src, "file"), string(src, "text"), strings(src, "set"),
          Optional.ofNullable(optionalString(src, "mesh")), strings(src, "layout"));
      String mode = string(m, "mode");
      Mode parsed = null;
      for (Mode x : Mode.values()) if (x.specName().equals(mode)) parsed = x;
      if (parsed == null) throw new ManifestError("mode is '" + mode + "', expected train or eval");
      Object devices = m.get("devices");
      if (!(devices instanceof Long n) || n < 1 || n > Integer.MAX_VALUE) throw new ManifestError("devices is " + devices + ", expected a positive integer");
      manifest = new Manifest(source, parsed, string(m, "module_sha256"), string(m, "executable_sha256"), string(m, "plugin"), string(m, "platform"),
          Optional.ofNullable(optionalString(m, "topology")), (int) (long) n);
    } catch (ManifestError e) {
      throw new UserInputError(manifestFile + ": " + e.getMessage() + "; write the directory again with 'switchc compile'");
    }
    byte[] executable;
    try {
      executable = Files.readAllBytes(executableFile);
    } catch (NoSuchFileException e) {
      throw new UserInputError(executableFile + ": no such file; write the directory again with 'switchc compile'");
    }
    if (!sha256(executable).equals(manifest.executableSha256()))
      throw new UserInputError(executableFile + ": its SHA-256 is not the one " + MANIFEST + " records; the directory is incomplete or was changed;"
          + " write it again with 'switchc compile'");
    return new Contents(manifest, executable);
  }

  /**
   * The program the manifest records, compiled again; its module must be the recorded one.
   *
   * @throws UserInputError when this switchc makes another module of it
   */
  public static Compilation compilation(Path dir, Manifest manifest) {
    Compilation c = Compilation.of(manifest.source().load(), manifest.mode());
    String sha = sha256(c.spmdText().text().getBytes(StandardCharsets.UTF_8));
    if (!sha.equals(manifest.moduleSha256()))
      throw new UserInputError(dir.resolve(MANIFEST) + ": this switchc compiles the recorded spec to another StableHLO module (SHA-256 " + sha
          + ", recorded " + manifest.moduleSha256() + "); compile the executable again with this switchc");
    return c;
  }

  /**
   * Compiles {@code c}'s SPMD module with the PJRT plugin at {@code plugin}: for its attached
   * devices, or ahead of time for {@code topology} (no devices needed). Returns the serialized
   * executable with its manifest.
   */
  public static Contents compile(Compilation c, ProgramSource source, Path plugin, Optional<String> topology) {
    HloModule spmd = c.spmd();
    String module = StableHloPrinter.print(spmd);
    int devices = c.program().mesh().value().devices();
    byte[] executable;
    String platform;
    if (topology.isPresent()) {
      try (PluginTopology t = PluginTopology.create(plugin, topology.get())) {
        platform = t.platform();
        executable = t.compile(module, devices);
      }
    } else {
      try (PluginClient client = PluginClient.create(plugin);
          PjrtProgram program = PjrtProgram.compile(client, false, spmd, module, Lower.signature(c.global()))) {
        platform = client.platform() + " " + client.platformVersion();
        executable = program.serialize();
      }
    }
    Manifest m = new Manifest(source, c.mode(), sha256(module.getBytes(StandardCharsets.UTF_8)), sha256(executable), plugin.toAbsolutePath().toString(),
        platform, topology, devices);
    return new Contents(m, executable);
  }

  /** Lower-case hex SHA-256. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static final class ManifestError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ManifestError(String message) {
      super(message, null, false, false);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object v, String what) {
    if (!(v instanceof Map<?, ?> m)) throw new ManifestError(what + " is not a JSON object");
    return (Map<String, Object>) m;
  }

  private static String string(Map<String, Object> m, String key) {
    if (!(m.get(key) instanceof String s)) throw new ManifestError("'" + key + "' is missing or not a string");
    return s;
  }

  private static String optionalString(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v != null && !(v instanceof String)) throw new ManifestError("'" + key + "' is not a string or null");
    return (String) v;
  }

  private static List<String> strings(Map<String, Object> m, String key) {
    if (!(m.get(key) instanceof List<?> l)) throw new ManifestError("'" + key + "' is missing or not a list");
    List<String> out = new ArrayList<>();
    for (Object x : l) {
      if (!(x instanceof String s)) throw new ManifestError("'" + key + "' holds " + x + ", not a string");
      out.add(s);
    }
    return out;
  }
}
