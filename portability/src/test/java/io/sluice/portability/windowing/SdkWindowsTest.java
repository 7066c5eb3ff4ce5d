package io.sluice.portability.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.construction.ModelCoders;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.SdkComponents;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A WindowFn only Python runs: a non-merging one's windows have their ends written and the runner
 * groups by them; a merging one over interval windows merges in the SDK, by a stage of Beam's
 * merge-windows transform; a merging one over windows only the SDK reads is refused.
 */
class SdkWindowsTest {

  private static final RunnerApi.FunctionSpec PICKLED_FN = RunnerApi.FunctionSpec.newBuilder()
      .setUrn("beam:window_fn:pickled_python:v1").setPayload(ByteString.copyFromUtf8("even-odd")).build();

  @Test
  void theSdksWindowsReachTheRunnerWithTheirEnds() throws Exception {
    RunnerApi.Pipeline written = SdkWindows.endsWritten(pipeline(RunnerApi.MergeStatus.Enum.NON_MERGING));
    RunnerApi.Components components = written.getComponents();
    RunnerApi.WindowingStrategy proto = components.getWindowingStrategiesOrThrow("colored");
    RunnerApi.Coder windowCoder = components.getCodersOrThrow(proto.getWindowCoderId());
    assertEquals(ModelCoders.CUSTOM_WINDOW_CODER_URN, windowCoder.getSpec().getUrn());
    assertEquals("pickled_window", windowCoder.getComponentCoderIds(0));
    // Standard windows stay as they are.
    assertEquals("interval_window", components.getWindowingStrategiesOrThrow("fixed").getWindowCoderId());

    WindowingStrategy<?, ?> windowing = WindowingStrategyTranslation.fromProto(
        SdkWindows.runnable("colored", components, null), RehydratedComponents.forComponents(components));
    SdkWindowFn standIn = assertInstanceOf(SdkWindowFn.class, windowing.getWindowFn());
    assertEquals(new SdkWindowFn(PICKLED_FN.toByteArray()), standIn);

    // The bytes the SDK writes for custom_window(length_prefix(its coder)): the end, then the window.
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    InstantCoder.of().encode(new Instant(19_999), wire);
    VarIntCoder.of().encode(3, wire);
    wire.write(new byte[] {'r', 'e', 'd'});
    SdkWindow red = CoderUtils.decodeFromByteArray(standIn.windowCoder(), wire.toByteArray());
    assertEquals(new Instant(19_999), red.maxTimestamp());
    assertEquals(wire.toByteArray().length, CoderUtils.encodeToByteArray(standIn.windowCoder(), red).length);
    SdkWindow black = new SdkWindow(new Instant(19_999), new byte[] {'b', 'l', 'a', 'c', 'k'});
    assertNotEquals(red, black);
    assertEquals(red, CoderUtils.clone(standIn.windowCoder(), red));
  }

  @Test
  void aMergingOneOverWindowsOnlyTheSdkReadsIsLeftForTheRefusal() throws Exception {
    RunnerApi.Pipeline pipeline = SdkWindows.endsWritten(pipeline(RunnerApi.MergeStatus.Enum.NEEDS_MERGE));
    assertEquals(PICKLED_FN, SdkWindows.runnable("colored", pipeline.getComponents(), null).getWindowFn());
    assertNotNull(SdkWindows.unmergeable(grouping(pipeline, "colored")));
  }

  @Test
  void aMergingOneOverIntervalWindowsMergesInItsSdk() throws Exception {
    RunnerApi.Pipeline pipeline = SdkWindows.endsWritten(pipeline(RunnerApi.MergeStatus.Enum.NEEDS_MERGE));
    RunnerApi.Components components = pipeline.getComponents();
    assertNull(SdkWindows.unmergeable(grouping(pipeline, "merging")));
    WindowingStrategy<?, ?> windowing = WindowingStrategyTranslation.fromProto(
        SdkWindows.runnable("merging", components, null), RehydratedComponents.forComponents(components));
    assertInstanceOf(SdkMergingWindowFn.class, windowing.getWindowFn());
    assertEquals(IntervalWindow.getCoder(), windowing.getWindowFn().windowCoder());

    ExecutableStage stage = ExecutableStage.fromPayload(
        RunnerApi.ExecutableStagePayload.parseFrom(SdkWindows.mergeStage("merging", components)));
    assertEquals("py", stage.getEnvironment().getUrn());
    PipelineNode.PTransformNode merge = stage.getTransforms().iterator().next();
    assertEquals(PTransformTranslation.MERGE_WINDOWS_TRANSFORM_URN, merge.getTransform().getSpec().getUrn());
    assertEquals(PICKLED_FN, RunnerApi.FunctionSpec.parseFrom(merge.getTransform().getSpec().getPayload()));
    // The SDK reads a nonce and the windows of a key, as interval windows.
    assertEquals(KvCoder.of(ByteArrayCoder.of(), IterableCoder.of(IntervalWindow.getCoder())),
        RehydratedComponents.forComponents(stage.getComponents()).getCoder(
            stage.getInputPCollection().getPCollection().getCoderId()));
  }

  /** {@code pipeline} with a GroupByKey of a collection windowed by {@code windowing}. */
  private static RunnerApi.Pipeline grouping(RunnerApi.Pipeline pipeline, String windowing) {
    RunnerApi.Pipeline.Builder grouped = pipeline.toBuilder();
    grouped.getComponentsBuilder()
        .putPcollections("keyed", RunnerApi.PCollection.newBuilder().setWindowingStrategyId(windowing).build())
        .putTransforms("group", RunnerApi.PTransform.newBuilder().setUniqueName("Group")
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN))
            .putInputs("input", "keyed").build());
    return grouped.build();
  }

  private static RunnerApi.Pipeline pipeline(RunnerApi.MergeStatus.Enum merge) {
    return RunnerApi.Pipeline.newBuilder().setComponents(RunnerApi.Components.newBuilder()
        .putCoders("pickled_window", RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn("beam:coder:pickled_python:v1")).build())
        .putCoders("interval_window", RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(ModelCoders.INTERVAL_WINDOW_CODER_URN)).build())
        .putWindowingStrategies("colored", defaults().setWindowFn(PICKLED_FN)
            .setMergeStatus(merge).setWindowCoderId("pickled_window").build())
        .putEnvironments("py", RunnerApi.Environment.newBuilder().setUrn("py").build())
        .putWindowingStrategies("merging", defaults().setWindowFn(PICKLED_FN)
            .setMergeStatus(merge).setWindowCoderId("interval_window").setEnvironmentId("py").build())
        .putWindowingStrategies("fixed", defaults()
            .setWindowFn(RunnerApi.FunctionSpec.newBuilder().setUrn(WindowingStrategyTranslation.FIXED_WINDOWS_URN))
            .setMergeStatus(RunnerApi.MergeStatus.Enum.NON_MERGING).setWindowCoderId("interval_window").build()))
        .build();
  }

  /** Beam's defaults for everything but the windows (trigger, lateness, output time...). */
  private static RunnerApi.WindowingStrategy.Builder defaults() {
    try {
      return WindowingStrategyTranslation.toProto(WindowingStrategy.globalDefault(),
          SdkComponents.create(org.apache.beam.sdk.options.PipelineOptionsFactory.create())).toBuilder();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
