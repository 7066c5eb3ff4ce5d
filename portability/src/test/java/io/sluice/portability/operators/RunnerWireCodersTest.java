package io.sluice.portability.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.NonMergingWindowFn;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowMappingFn;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.construction.PipelineTranslation;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** A window whose coder only the SDK knows still reaches the runner as a window. */
class RunnerWireCodersTest {

  @Test
  void aJavaWindowCoderReadsTheHarnessBytesAsWindows() throws Exception {
    Pipeline pipeline = Pipeline.create();
    PCollection<String> windowed = pipeline.apply(Create.of("a")).apply(Window.into(new DayWindows()));
    RunnerApi.Pipeline proto = PipelineTranslation.toProto(pipeline);
    RunnerApi.Components components = proto.getComponents();
    String id = collectionId(proto, windowed);
    PipelineNode.PCollectionNode node = PipelineNode.pCollection(id, components.getPcollectionsOrThrow(id));

    // What the harness writes: its wire coder, the window length-prefixed in the SDK's own coder.
    RunnerApi.Components.Builder withSdkCoder = components.toBuilder();
    String sdkCoderId = WireCoders.addSdkWireCoder(node, withSdkCoder, RunnerApi.ExecutableStagePayload.WireCoderSetting.getDefaultInstance());
    @SuppressWarnings("unchecked")
    Coder<WindowedValue<String>> sdkCoder = (Coder<WindowedValue<String>>)
        RehydratedComponents.forComponents(withSdkCoder.build()).getCoder(sdkCoderId);
    Day day = new Day(new Instant(86_400_000L * 3));
    WindowedValue<String> sent = WindowedValues.of("a", new Instant(86_400_000L * 3 + 5), day, PaneInfo.NO_FIRING);
    byte[] wire = CoderUtils.encodeToByteArray(sdkCoder, sent);

    Coder<WindowedValue<Object>> beams = WireCoders.instantiateRunnerWireCoder(node, components);
    assertThrows(ClassCastException.class, () -> CoderUtils.decodeFromByteArray(beams, wire),
        "Beam's runner-side coder reads such a window as bytes");

    Coder<WindowedValue<Object>> runners = RunnerWireCoders.of(node, components);
    WindowedValue<Object> read = CoderUtils.decodeFromByteArray(runners, wire);
    assertEquals(List.of(day), List.copyOf(read.getWindows()));
    assertEquals(sent.getTimestamp(), read.getTimestamp());
    // And what the runner writes back, the harness reads.
    assertEquals(sent, CoderUtils.decodeFromByteArray(sdkCoder, CoderUtils.encodeToByteArray(runners, read)));
  }

  private static String collectionId(RunnerApi.Pipeline proto, PCollection<?> collection) {
    for (Map.Entry<String, RunnerApi.PCollection> entry : proto.getComponents().getPcollectionsMap().entrySet()) {
      if (entry.getValue().getUniqueName().equals(collection.getName())) {
        return entry.getKey();
      }
    }
    throw new AssertionError("no collection " + collection.getName());
  }

  /** A day, as a window with a coder of its own. */
  static final class Day extends IntervalWindow {
    Day(Instant start) {
      super(start, start.plus(86_400_000L));
    }
  }

  static final class DayCoder extends CustomCoder<Day> {
    @Override
    public void encode(Day value, OutputStream out) throws IOException {
      InstantCoder.of().encode(value.start(), out);
    }

    @Override
    public Day decode(InputStream in) throws IOException {
      return new Day(InstantCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  static final class DayWindows extends NonMergingWindowFn<Object, Day> {
    @Override
    public Collection<Day> assignWindows(AssignContext c) {
      long millis = c.timestamp().getMillis();
      return List.of(new Day(new Instant(millis - Math.floorMod(millis, 86_400_000L))));
    }

    @Override
    public boolean isCompatible(org.apache.beam.sdk.transforms.windowing.WindowFn<?, ?> other) {
      return other instanceof DayWindows;
    }

    @Override
    public Coder<Day> windowCoder() {
      return new DayCoder();
    }

    @Override
    public WindowMappingFn<Day> getDefaultWindowMappingFn() {
      throw new UnsupportedOperationException("not a side input");
    }
  }
}
