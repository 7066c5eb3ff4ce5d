package io.sluice.portability.windowing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayOutputStream;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.construction.ModelCoders;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.SdkComponents;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** A non-merging WindowFn only Python runs: its windows' ends are written, and the runner groups by them. */
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
        SdkWindows.runnable(proto, components), RehydratedComponents.forComponents(components));
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
  void aMergingOneIsLeftForTheRefusal() {
    RunnerApi.Pipeline pipeline = SdkWindows.endsWritten(pipeline(RunnerApi.MergeStatus.Enum.NEEDS_MERGE));
    RunnerApi.WindowingStrategy proto = pipeline.getComponents().getWindowingStrategiesOrThrow("colored");
    assertEquals(PICKLED_FN, SdkWindows.runnable(proto, pipeline.getComponents()).getWindowFn());
  }

  private static RunnerApi.Pipeline pipeline(RunnerApi.MergeStatus.Enum merge) {
    return RunnerApi.Pipeline.newBuilder().setComponents(RunnerApi.Components.newBuilder()
        .putCoders("pickled_window", RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn("beam:coder:pickled_python:v1")).build())
        .putCoders("interval_window", RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(ModelCoders.INTERVAL_WINDOW_CODER_URN)).build())
        .putWindowingStrategies("colored", defaults().setWindowFn(PICKLED_FN)
            .setMergeStatus(merge).setWindowCoderId("pickled_window").build())
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
