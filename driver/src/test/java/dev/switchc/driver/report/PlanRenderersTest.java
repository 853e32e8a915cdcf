package dev.switchc.driver.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchc.driver.io.Json;
import dev.switchc.ir.DType;
import dev.switchc.ir.Dim;
import dev.switchc.ir.Mesh;
import dev.switchc.ir.MeshAxis;
import dev.switchc.ir.Shape;
import dev.switchc.ir.TensorType;
import dev.switchc.ir.plan.Plan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plan renderers ({@code dev.switchc.driver.report}) on plans built by hand for 1-, 2- and 3-axis
 * meshes, so every expected number is written here rather than computed by the sharding pass.
 */
class PlanRenderersTest {
  /** More than 2^53, so a double anywhere on the way would round it. */
  static final long BIG_FLOPS = 9_007_199_254_740_993L;

  /** {@code mesh} like "data=2,expert=4" (parsed here, at the test's edge). */
  static Mesh mesh(String mesh) {
    List<MeshAxis> axes = new ArrayList<>();
    for (String a : mesh.split(",")) axes.add(new MeshAxis(a.substring(0, a.indexOf('=')), Integer.parseInt(a.substring(a.indexOf('=') + 1))));
    return new Mesh(axes);
  }

  static TensorType type(DType dtype, Dim... dims) {
    return new TensorType(dtype, Shape.of(dims));
  }

  /** A tensor whose local type is the global one divided by its split axes, as the sharding pass makes it. */
  static Plan.Tensor tensor(Mesh mesh, String name, Plan.Kind kind, TensorType global, Map<String, List<String>> split, List<String> partialOver) {
    List<Dim> local = new ArrayList<>();
    for (Dim d : global.shape().dims()) local.add(new Dim(d.name(), d.size() / mesh.size(split.getOrDefault(d.name(), List.of()))));
    TensorType l = new TensorType(global.dtype(), new Shape(local));
    return new Plan.Tensor(name, kind, global, split, partialOver, l, l.bytes(), kind == Plan.Kind.ACTIVATION ? "toy.swc:3:5 experts = 8" : "argument of @main",
        "");
  }

  /**
   * A toy layer on {@code mesh}: x [group, token, d_model] over (data, expert) when the mesh has
   * both, a replicated router weight, experts/wi over expert (and d_ff over model), an all-to-all
   * over expert and a scalar all-reduce over every axis.
   */
  static Plan plan(String meshText) {
    Mesh mesh = mesh(meshText);
    List<String> batchAxes = mesh.axes().stream().map(MeshAxis::name).filter(a -> !a.equals("model")).toList();
    Map<String, List<String>> xSplit = Map.of("group", batchAxes);
    Map<String, List<String>> wiSplit = new LinkedHashMap<>();
    if (mesh.has("expert")) wiSplit.put("experts", List.of("expert"));
    if (mesh.has("model")) wiSplit.put("d_ff", List.of("model"));
    List<Plan.Tensor> tensors = List.of(
        tensor(mesh, "x", Plan.Kind.INPUT, type(DType.F32, new Dim("group", 8), new Dim("token", 16), new Dim("d_model", 4)), xSplit, List.of()),
        tensor(mesh, "router/w", Plan.Kind.PARAMETER, type(DType.F32, new Dim("d_model", 4), new Dim("experts_unsplit", 8)), Map.of(), List.of()),
        tensor(mesh, "experts/wi", Plan.Kind.PARAMETER, type(DType.BF16, new Dim("experts", 8), new Dim("d_model", 4), new Dim("d_ff", 16)), wiSplit,
            List.of()),
        tensor(mesh, "%5 reduce_sum", Plan.Kind.ACTIVATION, type(DType.F32), Map.of(), List.copyOf(mesh.axes().stream().map(MeshAxis::name).toList())),
        tensor(mesh, "aux_loss", Plan.Kind.RESULT, type(DType.F32), Map.of(), List.of()));
    List<Plan.Collective> collectives = new ArrayList<>();
    List<String> all = mesh.axes().stream().map(MeshAxis::name).toList();
    collectives.add(new Plan.Collective(dev.switchc.ir.plan.CollectiveKind.ALL_REDUCE, all, mesh.devices(), DType.F32, type(DType.F32), 4, 2 * (mesh.devices() - 1) * 4L / mesh.devices(),
        "toy.swc:9:1 router_aux_loss_coef = 0.01", mesh.groups(all)));
    if (mesh.has("expert")) {
      int k = mesh.size("expert");
      TensorType local = type(DType.F32, new Dim("experts_unsplit", 8), new Dim("group", 1), new Dim("expert_capacity", 4), new Dim("d_model", 4));
      collectives.add(new Plan.Collective(dev.switchc.ir.plan.CollectiveKind.ALL_TO_ALL, List.of("expert"), k, DType.F32, local, local.bytes(), (k - 1) * local.bytes() / k,
          "toy.swc:3:5 experts = 8", mesh.groups(List.of("expert"))));
    }
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("expert_capacity", "4");
    facts.put("groups_per_device", Integer.toString(8 / mesh.size(batchAxes)));
    List<Plan.Rule> rules = List.of(new Plan.Rule("group", batchAxes, dev.switchc.ir.RuleOrigin.DEFAULT, "default rule group = (" + String.join(", ", batchAxes) + ")"),
        new Plan.Rule("d_model", List.of(), dev.switchc.ir.RuleOrigin.SPEC_FILE, "toy.swc:7:3 d_model = ()"));
    return new Plan("toy", mesh, rules, facts, tensors, new Plan.Device(tensors.get(1).localBytes() + tensors.get(2).localBytes(), 2L << 20, BIG_FLOPS),
        collectives);
  }

  @Test
  void textHasTheHeaderRulesTensorRowsTotalsAndCollectives() {
    String text = PlanText.render(plan("data=2,expert=4"));
    assertTrue(text.startsWith("sharding plan: toy on mesh data=2,expert=4 (8 devices)\n"), text);
    assertTrue(text.contains("  expert_capacity: 4\n"), text);
    assertTrue(text.matches("(?s).*\\n  group +data\\+expert +default rule group = \\(data, expert\\)\\n.*"), text);
    assertTrue(text.matches("(?s).*\\n  d_model +- +toy\\.swc:7:3 d_model = \\(\\)\\n.*"), text);
    // x: 8 groups of 16 tokens of width 4, f32, one group per device
    assertTrue(text.matches("(?s).*\\n  x +input +f32\\[group=8, token=16, d_model=4\\] +\\[group=\\(data,expert\\), token, d_model\\] +f32\\[1x16x4\\] +256 B\\n.*"),
        text);
    assertTrue(text.matches("(?s).*\\n  experts/wi +parameter +bf16\\[experts=8, d_model=4, d_ff=16\\] +\\[experts=expert, d_model, d_ff\\] +bf16\\[2x4x16\\] +256 B\\n.*"),
        text);
    assertTrue(text.contains("[] partial over data+expert"), text);
    assertTrue(text.contains("  parameters        384 B (all devices: 544 parameters, 1.13 KiB)\n"), text);
    assertTrue(text.contains("  activation peak   2.00 MiB"), text);
    assertTrue(text.contains("  compute           9.01 PFLOP\n"), text);
    // all-to-all: [8, 1, 4, 4] f32 = 512 B per device, 3/4 of it leaves
    assertTrue(text.matches("(?s).*\\n  all_to_all +expert +4 +f32 +f32\\[8x1x4x4\\] +512 B +384 B +toy\\.swc:3:5 experts = 8\\n.*"), text);
    assertTrue(text.contains("sent per device per step: all_reduce 7 B, all_to_all 384 B\n"), text);
  }

  @Test
  void jsonParsesAndKeepsExactIntegers() {
    Plan p = plan("data=2,expert=4");
    String json = PlanJson.render(p);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(json);
    assertEquals("toy", m.get("program"));
    assertEquals(Map.of("axes", List.of(Map.of("name", "data", "size", 2L), Map.of("name", "expert", "size", 4L)), "devices", 8L), m.get("mesh"));
    @SuppressWarnings("unchecked")
    Map<String, Object> perDevice = (Map<String, Object>) m.get("per_device");
    assertEquals(BIG_FLOPS, perDevice.get("flops"), "exact beyond 2^53");
    assertEquals(4L * 8 * 4 + 256, perDevice.get("parameter_bytes"));
    assertEquals(2L << 20, perDevice.get("activation_peak_bytes"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> tensors = (List<Map<String, Object>>) m.get("tensors");
    Map<String, Object> x = tensors.get(0);
    assertEquals("x", x.get("name"));
    assertEquals("input", x.get("kind"));
    assertEquals(Map.of("group", List.of("data", "expert")), x.get("layout"));
    assertEquals(256L, x.get("local_bytes"));
    assertEquals(List.of(Map.of("name", "group", "size", 1L), Map.of("name", "token", "size", 16L), Map.of("name", "d_model", "size", 4L)),
        ((Map<?, ?>) x.get("local")).get("dims"));
    assertEquals(List.of("data", "expert"), tensors.get(3).get("partial_over"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> collectives = (List<Map<String, Object>>) m.get("collectives");
    Map<String, Object> a2a = collectives.get(1);
    assertEquals("all_to_all", a2a.get("kind"));
    assertEquals(4L, a2a.get("group_size"));
    assertEquals(512L, a2a.get("local_bytes"));
    assertEquals(384L, a2a.get("bytes_sent_per_device"));
    assertEquals(List.of(List.of(0L, 1L, 2L, 3L), List.of(4L, 5L, 6L, 7L)), a2a.get("replica_groups"));
    assertEquals(json, PlanJson.render(plan("data=2,expert=4")), "byte-identical for equal plans");
  }

  @ParameterizedTest
  @ValueSource(strings = {"expert=4", "data=2,expert=4", "data=2,expert=2,model=2"})
  void protoRoundTripsAndIsDeterministic(String mesh) throws Exception {
    Plan p = plan(mesh);
    byte[] bytes = PlanProto.write(p);
    dev.switchc.driver.report.proto.Plan back = dev.switchc.driver.report.proto.Plan.parseFrom(bytes);
    assertEquals(PlanProto.toProto(p), back);
    assertArrayEquals(bytes, PlanProto.write(plan(mesh)), "byte-identical for equal plans");
    assertEquals(BIG_FLOPS, back.getPerDevice().getFlops());
    assertEquals(mesh(mesh).devices(), back.getMesh().getDevices());
    assertEquals(dev.switchc.driver.report.proto.Tensor.Kind.INPUT, back.getTensors(0).getKind());
    assertEquals(p.collectives().get(0).replicaGroups().size(), back.getCollectives(0).getReplicaGroupsCount());
  }

  /** Every rect with class device-cell, in document order: figure index -> device -> (shard label, fill). */
  static List<Map<Integer, String[]>> cells(String html) {
    List<Map<Integer, String[]>> figures = new ArrayList<>();
    for (String figure : html.split("<figure ")) {
      if (!figure.startsWith("id=")) continue;
      Map<Integer, String[]> cells = new TreeMap<>();
      Matcher m = Pattern.compile("<rect class=\"device-cell\" data-device=\"(\\d+)\" data-shard=\"([^\"]*)\"[^>]* fill=\"(#[0-9a-f]{6})\"").matcher(figure);
      while (m.find()) assertEquals(null, cells.put(Integer.parseInt(m.group(1)), new String[] {m.group(2), m.group(3)}), "one cell per device");
      figures.add(cells);
    }
    return figures;
  }

  @ParameterizedTest
  @ValueSource(strings = {"expert=4", "data=2,expert=4", "data=2,expert=2,model=2"})
  void htmlHasOneDeviceCellPerDevicePerDrawnTensor(String mesh) {
    Plan p = plan(mesh);
    List<String> drawn = List.of("x", "router/w", "experts/wi");
    String html = PlanHtml.render(p, drawn);
    int devices = p.mesh().devices();
    assertEquals(drawn.size() * devices, Pattern.compile("class=\"device-cell\"").matcher(html).results().count());
    List<Map<Integer, String[]>> figures = cells(html);
    assertEquals(drawn.size(), figures.size());
    for (Map<Integer, String[]> f : figures) assertEquals(devices, f.size());
    assertEquals(drawn.size(), Pattern.compile("<figure id=\"tensor-[A-Za-z0-9-]+\"").matcher(html).results().count(), "each figure has an id");
    assertTrue(!html.contains("<script") && !html.contains("src=") && !html.replace("http://www.w3.org/2000/svg", "").contains("://"),
        "self-contained: no scripts, no external resources");
    assertTrue(html.contains("<table>") && html.contains("all_reduce"), "the tables are there too");
  }

  /** Device 5 of data=2,expert=4 is (data 1, expert 1): index 1 * 4 + 1 = 5 of the 8 pieces of group (data major). */
  @Test
  void shardLabelsFollowRowMajorDeviceIdsWithTheMajorAxisFirst() {
    Plan p = plan("data=2,expert=4");
    Map<Integer, String[]> x = cells(PlanHtml.render(p, List.of("x"))).get(0);
    for (int d = 0; d < 8; d++) assertEquals("group " + d + ":" + (d + 1), x.get(d)[0], "device " + d);
    assertTrue(PlanHtml.render(p, List.of("x")).contains(">device 5 (1,1)</text>"));
    Set<String> fills = new HashSet<>();
    for (String[] c : x.values()) fills.add(c[1]);
    assertEquals(8, fills.size(), "eight different shards, eight colours");

    Map<Integer, String[]> wi = cells(PlanHtml.render(p, List.of("experts/wi"))).get(0);
    assertEquals("experts 2:4", wi.get(5)[0]);
    assertEquals(wi.get(1)[1], wi.get(5)[1], "devices 1 and 5 hold the same experts: replicas over data share a colour");
    assertNotEquals(wi.get(0)[1], wi.get(1)[1]);
  }

  /** On data=2,expert=2,model=2 the model axis is minor: d_ff halves alternate with the device id. */
  @Test
  void threeAxisMeshLabelsEveryPanelAndSplitsTwoDims() {
    Plan p = plan("data=2,expert=2,model=2");
    String html = PlanHtml.render(p, List.of("experts/wi"));
    Map<Integer, String[]> wi = cells(html).get(0);
    assertEquals("experts 4:8, d_ff 8:16", wi.get(3)[0]);
    assertEquals("experts 0:4, d_ff 0:8", wi.get(4)[0]);
    assertEquals(wi.get(3)[1], wi.get(7)[1], "same shard across data: same colour");
    assertTrue(html.contains(">data = 0</text>") && html.contains(">data = 1</text>"), "one labelled panel per index of the first axis");
  }

  @ParameterizedTest
  @ValueSource(strings = {"expert=4", "data=2,expert=4", "data=2,expert=2,model=2"})
  void aReplicatedTensorIsOneColourEverywhere(String mesh) {
    Map<Integer, String[]> w = cells(PlanHtml.render(plan(mesh), List.of("router/w"))).get(0);
    Set<String> fills = new HashSet<>(), labels = new HashSet<>();
    for (String[] c : w.values()) {
      labels.add(c[0]);
      fills.add(c[1]);
    }
    assertEquals(Set.of("all"), labels);
    assertEquals(1, fills.size());
  }
}
