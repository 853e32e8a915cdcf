package dev.switchc.driver.report;

import dev.switchc.driver.report.proto.Collective;
import dev.switchc.driver.report.proto.Dim;
import dev.switchc.driver.report.proto.DimLayout;
import dev.switchc.driver.report.proto.Fact;
import dev.switchc.driver.report.proto.Mesh;
import dev.switchc.driver.report.proto.Memory;
import dev.switchc.driver.report.proto.MeshAxis;
import dev.switchc.driver.report.proto.Parameters;
import dev.switchc.driver.report.proto.PerDevice;
import dev.switchc.driver.report.proto.ReplicaGroup;
import dev.switchc.driver.report.proto.Rule;
import dev.switchc.driver.report.proto.Tensor;
import dev.switchc.driver.report.proto.TensorType;
import dev.switchc.ir.plan.Plan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The plan as a {@code switchc.plan.Plan} protobuf message (plan.proto), serialized deterministically. */
public final class PlanProto {
  private PlanProto() {}

  public static dev.switchc.driver.report.proto.Plan toProto(Plan p) {
    return toProto(p, StepReport.NONE);
  }

  /** The plan and, where {@code r} has them, the backward and the memory per device (fields absent otherwise). */
  public static dev.switchc.driver.report.proto.Plan toProto(Plan p, StepReport step) {
    dev.switchc.driver.report.proto.Plan.Builder b = dev.switchc.driver.report.proto.Plan.newBuilder().setProgram(p.program());
    Mesh.Builder mesh = Mesh.newBuilder().setDevices(p.mesh().devices());
    for (dev.switchc.ir.MeshAxis a : p.mesh().axes()) mesh.addAxes(MeshAxis.newBuilder().setName(a.name()).setSize(a.size()));
    b.setMesh(mesh);
    for (Plan.Rule r : p.rules()) b.addRules(Rule.newBuilder().setDim(r.dim()).addAllAxes(r.axes()).setSource(r.source()));
    for (Map.Entry<String, String> f : p.facts().entrySet()) b.addFacts(Fact.newBuilder().setName(f.getKey()).setValue(f.getValue()));
    b.setParameters(Parameters.newBuilder().setTotal(p.parameterCount()).setTotalBytes(p.parameterBytes()).setBytesPerDevice(p.perDevice().parameterBytes()));
    b.setPerDevice(PerDevice.newBuilder().setParameterBytes(p.perDevice().parameterBytes())
        .setActivationPeakBytes(p.perDevice().activationPeakBytes()).setFlops(p.perDevice().flops()));
    for (Plan.Tensor t : p.tensors()) {
      Tensor.Builder tb = Tensor.newBuilder().setName(t.name()).setKind(Tensor.Kind.valueOf(t.kind().name())).setGlobal(type(t.global()))
          .addAllPartialOver(t.partialOver()).setLocal(type(t.local())).setLocalBytes(t.localBytes()).setSource(t.source());
      for (Map.Entry<String, List<String>> e : t.split().entrySet()) tb.addLayout(DimLayout.newBuilder().setDim(e.getKey()).addAllAxes(e.getValue()));
      b.addTensors(tb);
    }
    for (Plan.Collective c : p.collectives()) b.addCollectives(collective(c));
    for (Plan.LayerTotal t : p.layerTotals())
      b.addPerLayer(dev.switchc.driver.report.proto.LayerTotal.newBuilder().setName(t.name()).setParameters(t.parameters().parameters())
          .setParameterBytesPerDevice(t.parameters().bytesPerDevice()).setFlopsPerDevice(t.flops()).setBytesSentPerDevice(t.bytesSent()));
    step.backward().ifPresent(bw -> {
      dev.switchc.driver.report.proto.Backward.Builder bb = dev.switchc.driver.report.proto.Backward.newBuilder().setGradients(bw.gradients())
          .setGradientBytesPerDevice(bw.gradientBytesPerDevice()).setGradientBytes(bw.gradientBytes());
      for (Plan.Collective c : bw.collectives()) bb.addCollectives(collective(c));
      b.setBackward(bb);
    });
    step.memory().ifPresent(m -> b.setMemoryPerDevice(Memory.newBuilder().setStep(m.optimizer().isPresent() ? "training" : "forward")
        .setOptimizer(m.optimizer().orElse("")).setParameterBytes(m.parameters()).setGradientBytes(m.gradients())
        .setOptimizerStateBytes(m.optimizerState()).setActivationPeakBytes(m.activationPeak()).setActivationsKeptForBackwardBytes(m.keptForBackward()).setInputBytes(m.inputs()).setTotalBytes(m.total())
        .setDeviceMemoryBytes(step.capacity().map(c -> c.bytes()).orElse(0L))));
    return b.build();
  }

  private static Collective collective(Plan.Collective c) {
    Collective.Builder cb = Collective.newBuilder().setKind(c.kind().spelling()).addAllAxes(c.axes()).setGroupSize(c.groupSize()).setDtype(c.dtype().specName())
        .setLocal(type(c.local())).setLocalBytes(c.localBytes()).setBytesSentPerDevice(c.bytesSentPerDevice()).setSource(c.source());
    for (List<Integer> g : c.replicaGroups()) cb.addReplicaGroups(ReplicaGroup.newBuilder().addAllDevices(g));
    return cb.build();
  }

  /** Deterministic bytes: equal plans give equal files. */
  public static byte[] write(Plan p) {
    return write(p, StepReport.NONE);
  }

  /** Deterministic bytes of {@link #toProto(Plan, StepReport)}. */
  public static byte[] write(Plan p, StepReport step) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      com.google.protobuf.CodedOutputStream coded = com.google.protobuf.CodedOutputStream.newInstance(out);
      coded.useDeterministicSerialization();
      toProto(p, step).writeTo(coded);
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TensorType type(dev.switchc.ir.TensorType t) {
    TensorType.Builder b = TensorType.newBuilder().setDtype(t.dtype().specName()).setBytes(t.bytes());
    for (dev.switchc.ir.Dim d : t.shape().dims()) b.addDims(Dim.newBuilder().setName(d.name()).setSize(d.size()));
    return b.build();
  }
}
