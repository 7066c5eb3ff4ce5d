package io.sluice.portability.operators;

import io.sluice.portability.windowing.SdkWindow;
import io.sluice.portability.windowing.SdkWindows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors.ExecutableProcessBundleDescriptor;
import org.apache.beam.runners.fnexecution.data.RemoteInputDestination;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.LengthPrefixCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.CoderTranslation;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.graph.PipelineNode.PCollectionNode;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues.FullWindowedValueCoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coders the runner reads and writes a harness's data with: Beam's ({@link WireCoders}), which
 * read a coder the runner does not know as opaque bytes, except for windows. A window has to be a
 * window on the runner's side (a WindowedValue holds nothing else, and the runner's GroupByKey
 * merges windows), so a window coder that is a Java coder this process can load is read with that
 * coder; the bytes on the wire are the same, a length prefix then the SDK's encoding. Another
 * SDK's window, whose end the SDK writes first ({@link SdkWindows}), is read as an
 * {@link SdkWindow}. A Java window coder that does not load here stays Beam's.
 */
final class RunnerWireCoders {

  private static final Logger LOG = LoggerFactory.getLogger(RunnerWireCoders.class);

  private RunnerWireCoders() {}

  /** The runner's coder for collection {@code collection}'s elements on the wire. */
  static Coder<WindowedValue<Object>> of(PCollectionNode collection, RunnerApi.Components components)
      throws IOException {
    Coder<WindowedValue<Object>> beams = WireCoders.instantiateRunnerWireCoder(collection, components);
    return readingWindows(beams, collection.getPCollection(), components);
  }

  /** {@code descriptor} with its data read and written by {@link #of} coders. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static ExecutableProcessBundleDescriptor readingWindows(ExecutableProcessBundleDescriptor descriptor,
      RunnerApi.Components components) {
    RunnerApi.Components described = descriptorComponents(descriptor, components);
    List<RemoteInputDestination> inputs = new ArrayList<>();
    for (RemoteInputDestination input : descriptor.getRemoteInputDestinations()) {
      RunnerApi.PCollection collection = described.getPcollectionsOrThrow(
          described.getTransformsOrThrow(input.getPTransformId()).getOutputsMap().values().iterator().next());
      inputs.add(RemoteInputDestination.of(readingWindows(input.getCoder(), collection, described),
          input.getPTransformId()));
    }
    Map<String, Coder> outputs = new HashMap<>();
    descriptor.getRemoteOutputCoders().forEach((transform, coder) -> {
      RunnerApi.PCollection collection = described.getPcollectionsOrThrow(
          described.getTransformsOrThrow(transform).getInputsMap().values().iterator().next());
      outputs.put(transform, readingWindows(coder, collection, described));
    });
    return ExecutableProcessBundleDescriptor.of(descriptor.getProcessBundleDescriptor(), inputs, outputs,
        descriptor.getSideInputSpecs(), descriptor.getBagUserStateSpecs(), descriptor.getTimerSpecs());
  }

  /** The descriptor's transforms and collections (its data ports among them) over the stage's components. */
  private static RunnerApi.Components descriptorComponents(ExecutableProcessBundleDescriptor descriptor,
      RunnerApi.Components components) {
    var proto = descriptor.getProcessBundleDescriptor();
    return components.toBuilder()
        .putAllTransforms(proto.getTransformsMap())
        .putAllPcollections(proto.getPcollectionsMap())
        .putAllWindowingStrategies(proto.getWindowingStrategiesMap())
        .putAllCoders(proto.getCodersMap())
        .build();
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static <T> Coder<T> readingWindows(Coder<T> beams, RunnerApi.PCollection collection,
      RunnerApi.Components components) {
    if (!(beams instanceof FullWindowedValueCoder<?> full)) {
      return beams;
    }
    String windowCoderId = components.getWindowingStrategiesOrThrow(collection.getWindowingStrategyId())
        .getWindowCoderId();
    if (SdkWindows.readsAsSdkWindows(components.getCodersOrThrow(windowCoderId), components)) {
      return (Coder<T>) FullWindowedValueCoder.of(full.getValueCoder(), SdkWindow.Coder.of());
    }
    if (!components.getCodersOrThrow(windowCoderId).getSpec().getUrn()
        .equals(CoderTranslation.JAVA_SERIALIZED_CODER_URN)) {
      return beams;
    }
    Coder<? extends BoundedWindow> windowCoder;
    try {
      windowCoder = (Coder<? extends BoundedWindow>) RehydratedComponents.forComponents(components)
          .getCoder(windowCoderId);
    } catch (IOException | RuntimeException e) {
      LOG.debug("The window coder {} does not load here: its windows stay bytes", windowCoderId, e);
      return beams;
    }
    return (Coder<T>) FullWindowedValueCoder.of(full.getValueCoder(), LengthPrefixCoder.of((Coder) windowCoder));
  }
}
