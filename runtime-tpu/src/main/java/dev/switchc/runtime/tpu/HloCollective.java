package dev.switchc.runtime.tpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One cross-device collective of XLA's partitioned program, read from its HLO text ({@link
 * PjrtProgram#optimizedHlo()}): what the devices exchange, as XLA will run it.
 *
 * @param opcode HLO opcode: {@code all-to-all}, {@code all-reduce}, {@code all-gather}, {@code
 *     reduce-scatter}, {@code collective-permute} (an async {@code -start} counts as its op)
 * @param operands each operand's element type (HLO spelling: f32, bf16, s32, ...) and dims; XLA
 *     combines several all-reduces into one with several operands, and splits an array all-to-all
 *     into one operand per peer
 * @param groups the device groups (partition ids, one replica): {@code replica_groups}, or the
 *     {@code source_target_pairs} of a collective-permute; empty when XLA prints none (all devices)
 * @param line the instruction as XLA printed it
 */
public record HloCollective(String opcode, List<Operand> operands, List<List<Integer>> groups, String line) {
  /** One operand: element type and dims. */
  public record Operand(String type, List<Long> dims) {
    public long bytes() {
      long n = BYTES.getOrDefault(type, 0);
      if (n == 0) throw new IllegalArgumentException("no byte size known for HLO element type " + type);
      for (long d : dims) n = Math.multiplyExact(n, d);
      return n;
    }
  }

  /** The bytes of all operands on one device. */
  public long operandBytes() {
    return operands.stream().mapToLong(Operand::bytes).sum();
  }

  private static final Map<String, Integer> BYTES = Map.ofEntries(Map.entry("pred", 1), Map.entry("s8", 1), Map.entry("u8", 1),
      Map.entry("s16", 2), Map.entry("u16", 2), Map.entry("f16", 2), Map.entry("bf16", 2), Map.entry("s32", 4), Map.entry("u32", 4),
      Map.entry("f32", 4), Map.entry("s64", 8), Map.entry("u64", 8), Map.entry("f64", 8), Map.entry("c64", 8), Map.entry("c128", 16));

  private static final List<String> OPCODES = List.of("all-to-all", "all-reduce", "all-gather", "reduce-scatter", "collective-permute",
      "collective-broadcast", "ragged-all-to-all");
  private static final Pattern INSTRUCTION = Pattern.compile("=\\s*(\\([^=]*?\\)|\\S+)\\s+([a-z-]+)\\(");
  private static final Pattern SHAPE = Pattern.compile("([a-z]+[0-9]*)\\[([0-9,]*)\\]");
  private static final Pattern IOTA = Pattern.compile("\\[([0-9,]+)\\]<=\\[([0-9,]+)\\](?:T\\(([0-9,]+)\\))?");

  /**
   * Every collective instruction of the program's HLO text, in text order.
   *
   * @throws IllegalArgumentException on a collective whose operands or groups cannot be read
   */
  public static List<HloCollective> parse(String hlo) {
    List<HloCollective> out = new ArrayList<>();
    for (String line : hlo.split("\n")) {
      Matcher m = INSTRUCTION.matcher(line);
      if (!m.find()) continue;
      String opcode = m.group(2);
      if (opcode.endsWith("-start")) opcode = opcode.substring(0, opcode.length() - "-start".length());
      if (!OPCODES.contains(opcode)) continue;
      int open = m.end() - 1, close = matching(line, open);
      List<Operand> operands = new ArrayList<>();
      for (String operand : splitTopLevel(line.substring(open + 1, close))) {
        Matcher s = SHAPE.matcher(operand);
        if (!s.find()) throw new IllegalArgumentException("cannot read the operand '" + operand + "' of: " + line.trim());
        List<Long> dims = new ArrayList<>();
        for (String d : s.group(2).split(",")) if (!d.isEmpty()) dims.add(Long.parseLong(d));
        operands.add(new Operand(s.group(1), List.copyOf(dims)));
      }
      String attributes = line.substring(close + 1);
      String key = opcode.equals("collective-permute") ? "source_target_pairs=" : "replica_groups=";
      out.add(new HloCollective(opcode, List.copyOf(operands), groups(attributes, key, line), line.trim()));
    }
    return List.copyOf(out);
  }

  /** Explicit {@code {{0,1},{2,3}}}, or XLA's iota form {@code [2,2]<=[4]} / {@code [2,2]<=[2,2]T(1,0)}. */
  static List<List<Integer>> groups(String attributes, String key, String line) {
    int at = attributes.indexOf(key);
    if (at < 0) return List.of();
    String rest = attributes.substring(at + key.length());
    if (rest.startsWith("{")) {
      String body = rest.substring(0, matching(rest, 0) + 1);
      List<List<Integer>> groups = new ArrayList<>();
      for (String g : splitTopLevel(body.substring(1, body.length() - 1))) {
        String inner = g.trim();
        if (!inner.startsWith("{") || !inner.endsWith("}")) throw new IllegalArgumentException("cannot read the groups of: " + line.trim());
        List<Integer> ids = new ArrayList<>();
        for (String id : inner.substring(1, inner.length() - 1).split(",")) if (!id.isBlank()) ids.add(Integer.parseInt(id.trim()));
        groups.add(List.copyOf(ids));
      }
      return List.copyOf(groups);
    }
    Matcher iota = IOTA.matcher(rest);
    if (!iota.lookingAt()) throw new IllegalArgumentException("cannot read the groups of: " + line.trim());
    return iotaGroups(ints(iota.group(1)), ints(iota.group(2)), iota.group(3) == null ? null : ints(iota.group(3)));
  }

  /** {@code iota(reshape)} transposed by {@code perm}, then cut into {@code shape[0]} groups of {@code shape[1]}. */
  static List<List<Integer>> iotaGroups(int[] shape, int[] reshape, int[] perm) {
    int rank = reshape.length, n = 1;
    for (int d : reshape) n *= d;
    if (shape.length != 2 || shape[0] * shape[1] != n) throw new IllegalArgumentException("iota groups of shape " + java.util.Arrays.toString(shape)
        + " over " + n + " devices");
    int[] order = perm != null ? perm : java.util.stream.IntStream.range(0, rank).toArray();
    int[] transposed = new int[rank];
    for (int i = 0; i < rank; i++) transposed[i] = reshape[order[i]];
    int[] strides = new int[rank];
    for (int i = rank - 1, s = 1; i >= 0; s *= reshape[i], i--) strides[i] = s;
    List<Integer> flat = new ArrayList<>();
    int[] index = new int[rank];
    for (int k = 0; k < n; k++) {
      int id = 0;
      for (int i = 0; i < rank; i++) id += index[i] * strides[order[i]];
      flat.add(id);
      for (int i = rank - 1; i >= 0 && ++index[i] == transposed[i]; i--) index[i] = 0;
    }
    List<List<Integer>> groups = new ArrayList<>();
    for (int g = 0; g < shape[0]; g++) groups.add(List.copyOf(flat.subList(g * shape[1], (g + 1) * shape[1])));
    return List.copyOf(groups);
  }

  private static int[] ints(String csv) {
    return java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static int matching(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(' || c == '{' || c == '[') depth++;
      if (c == ')' || c == '}' || c == ']') depth--;
      if (depth == 0) return i;
    }
    throw new IllegalArgumentException("unbalanced brackets in: " + s.trim());
  }

  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0, start = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : ',';
      if (c == '(' || c == '{' || c == '[') depth++;
      if (c == ')' || c == '}' || c == ']') depth--;
      if (c == ',' && depth == 0) {
        if (!s.substring(start, i).isBlank()) parts.add(s.substring(start, i).trim());
        start = i + 1;
      }
    }
    return parts;
  }
}
