package io.sluice.portability.windowing;

import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.construction.CoderTranslation;
import org.apache.beam.sdk.util.construction.ModelCoders;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;

/**
 * Windows of a WindowFn only an SDK can run (not Beam's standard ones, not a Java one this
 * process loads): the SDK writes each such window's end before it, so the runner can group and
 * expire by {@link SdkWindow}s behind an {@link SdkWindowFn}. Merging ones stay refused: merging
 * needs the SDK's WindowFn.
 */
public final class SdkWindows {

  private static final Set<String> JAVA_WINDOW_FNS = Set.of(WindowingStrategyTranslation.GLOBAL_WINDOWS_URN,
      WindowingStrategyTranslation.FIXED_WINDOWS_URN, WindowingStrategyTranslation.SLIDING_WINDOWS_URN,
      WindowingStrategyTranslation.SESSION_WINDOWS_URN, WindowingStrategyTranslation.SERIALIZED_JAVA_WINDOWFN_URN);

  private SdkWindows() {}

  /**
   * {@code pipeline} with every window coder only an SDK reads wrapped in Beam's custom window
   * coder, which writes the window's end first. Runner and harness read it from the same proto.
   */
  public static RunnerApi.Pipeline endsWritten(RunnerApi.Pipeline pipeline) {
    RunnerApi.Components components = pipeline.getComponents();
    RunnerApi.Pipeline.Builder rewritten = pipeline.toBuilder();
    RunnerApi.Components.Builder builder = rewritten.getComponentsBuilder();
    components.getWindowingStrategiesMap().forEach((id, windowing) -> {
      String coder = windowing.getWindowCoderId();
      if (onlyAnSdkReads(components.getCodersOrThrow(coder))) {
        String withEnd = coder + "_with_window_end";
        builder.putCoders(withEnd, RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(ModelCoders.CUSTOM_WINDOW_CODER_URN))
            .addComponentCoderIds(coder).build());
        builder.putWindowingStrategies(id, windowing.toBuilder().setWindowCoderId(withEnd).build());
      }
    });
    return rewritten.build();
  }

  /** Whether the runner reads windows of coder {@code windowCoder} as {@link SdkWindow}s. */
  public static boolean readsAsSdkWindows(RunnerApi.Coder windowCoder, RunnerApi.Components components) {
    return windowCoder.getSpec().getUrn().equals(ModelCoders.CUSTOM_WINDOW_CODER_URN)
        && onlyAnSdkReads(components.getCodersOrThrow(windowCoder.getComponentCoderIds(0)));
  }

  /**
   * {@code windowing} with an {@link SdkWindowFn} for a non-merging WindowFn Java cannot run whose
   * windows reach the runner as {@link SdkWindow}s; any other unchanged.
   */
  public static RunnerApi.WindowingStrategy runnable(RunnerApi.WindowingStrategy windowing,
      RunnerApi.Components components) {
    RunnerApi.FunctionSpec windowFn = windowing.getWindowFn();
    if (JAVA_WINDOW_FNS.contains(windowFn.getUrn())
        || windowing.getMergeStatus() != RunnerApi.MergeStatus.Enum.NON_MERGING
        || !readsAsSdkWindows(components.getCodersOrThrow(windowing.getWindowCoderId()), components)) {
      return windowing;
    }
    byte[] standIn = SerializableUtils.serializeToByteArray(new SdkWindowFn(windowFn.toByteArray()));
    return windowing.toBuilder().setWindowFn(RunnerApi.FunctionSpec.newBuilder()
        .setUrn(WindowingStrategyTranslation.SERIALIZED_JAVA_WINDOWFN_URN)
        .setPayload(ByteString.copyFrom(standIn))).build();
  }

  /**
   * Why the runner cannot run {@code pipeline}'s groupings, or null if it can: it merges windows
   * itself, and cannot merge those of a WindowFn only an SDK runs (that would take a round trip to
   * the SDK per merge, Beam's merge-windows transform).
   */
  public static String unmergeable(RunnerApi.Pipeline pipeline) {
    RunnerApi.Components components = pipeline.getComponents();
    for (var entry : components.getTransformsMap().entrySet()) {
      RunnerApi.PTransform transform = entry.getValue();
      String urn = transform.getSpec().getUrn();
      if (!urn.equals(PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN)
          && !urn.equals(PTransformTranslation.COMBINE_PER_KEY_TRANSFORM_URN)) {
        continue;
      }
      for (String input : transform.getInputsMap().values()) {
        RunnerApi.WindowingStrategy windowing = components.getWindowingStrategiesOrThrow(
            components.getPcollectionsOrThrow(input).getWindowingStrategyId());
        if (!JAVA_WINDOW_FNS.contains(windowing.getWindowFn().getUrn())
            && windowing.getMergeStatus() == RunnerApi.MergeStatus.Enum.NEEDS_MERGE) {
          return "step " + entry.getKey() + " (" + transform.getUniqueName() + ") groups by windows of a merging"
              + " WindowFn only its SDK runs (" + windowing.getWindowFn().getUrn() + "); Sluice merges windows in"
              + " the runner and cannot merge these yet";
        }
      }
    }
    return null;
  }

  private static boolean onlyAnSdkReads(RunnerApi.Coder coder) {
    String urn = coder.getSpec().getUrn();
    return !ModelCoders.urns().contains(urn) && !urn.equals(CoderTranslation.JAVA_SERIALIZED_CODER_URN);
  }
}
