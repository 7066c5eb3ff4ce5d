package io.sluice.portability.windowing;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.construction.CoderTranslation;
import org.apache.beam.sdk.util.construction.ModelCoders;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.ImmutableExecutableStage;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;

/**
 * Windows of a WindowFn only an SDK can run (not Beam's standard ones, not a Java one this
 * process loads): the SDK writes each such window's end before it, so the runner can group and
 * expire by {@link SdkWindow}s behind an {@link SdkWindowFn}. A merging one over windows the
 * runner reads runs behind an {@link SdkMergingWindowFn}, which asks the SDK how windows merge; a
 * merging one over windows only the SDK reads is refused.
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
   * Windowing strategy {@code id} of {@code components} with a stand-in for a WindowFn Java cannot
   * run: an {@link SdkWindowFn} for a non-merging one whose windows reach the runner as
   * {@link SdkWindow}s, an {@link SdkMergingWindowFn} for a merging one whose windows the runner
   * reads; any other unchanged.
   */
  @SuppressWarnings("unchecked")
  public static RunnerApi.WindowingStrategy runnable(String id, RunnerApi.Components components, JobInfo job)
      throws IOException {
    RunnerApi.WindowingStrategy windowing = components.getWindowingStrategiesOrThrow(id);
    RunnerApi.FunctionSpec windowFn = windowing.getWindowFn();
    if (JAVA_WINDOW_FNS.contains(windowFn.getUrn())) {
      return windowing;
    }
    boolean sdkWindows = readsAsSdkWindows(components.getCodersOrThrow(windowing.getWindowCoderId()), components);
    WindowFn<?, ?> standIn;
    if (windowing.getMergeStatus() == RunnerApi.MergeStatus.Enum.NON_MERGING && sdkWindows) {
      standIn = new SdkWindowFn(windowFn.toByteArray());
    } else if (windowing.getMergeStatus() != RunnerApi.MergeStatus.Enum.NON_MERGING && !sdkWindows) {
      Coder<BoundedWindow> windowCoder = (Coder<BoundedWindow>) RehydratedComponents.forComponents(components)
          .getCoder(windowing.getWindowCoderId());
      standIn = new SdkMergingWindowFn(windowFn.toByteArray(), windowCoder, job, mergeStage(id, components));
    } else {
      return windowing;
    }
    return windowing.toBuilder().setWindowFn(RunnerApi.FunctionSpec.newBuilder()
        .setUrn(WindowingStrategyTranslation.SERIALIZED_JAVA_WINDOWFN_URN)
        .setPayload(ByteString.copyFrom(SerializableUtils.serializeToByteArray(standIn)))).build();
  }

  /**
   * A stage of Beam's merge-windows transform in the SDK of windowing strategy {@code id}: its input
   * is a nonce and the windows of one key, its output the windows left alone and each merged window
   * with the windows it took in, as Beam's Python runner asks it.
   */
  static byte[] mergeStage(String id, RunnerApi.Components components) {
    RunnerApi.WindowingStrategy windowing = components.getWindowingStrategiesOrThrow(id);
    String environment = windowing.getEnvironmentId();
    RunnerApi.Components.Builder stage = components.toBuilder();
    String prefix = "sluice_merge_" + id + "_";
    String bytes = coder(stage, prefix + "nonce", ModelCoders.BYTES_CODER_URN);
    String windows = coder(stage, prefix + "windows", ModelCoders.ITERABLE_CODER_URN, windowing.getWindowCoderId());
    String mergedFrom = coder(stage, prefix + "merged_from", ModelCoders.KV_CODER_URN, windowing.getWindowCoderId(),
        windows);
    String merges = coder(stage, prefix + "merges", ModelCoders.ITERABLE_CODER_URN, mergedFrom);
    String result = coder(stage, prefix + "result", ModelCoders.KV_CODER_URN, windows, merges);
    String global = prefix + "global";
    stage.putWindowingStrategies(global, RunnerApi.WindowingStrategy.newBuilder()
        .setWindowFn(RunnerApi.FunctionSpec.newBuilder().setUrn(WindowingStrategyTranslation.GLOBAL_WINDOWS_URN))
        .setMergeStatus(RunnerApi.MergeStatus.Enum.NON_MERGING)
        .setWindowCoderId(coder(stage, prefix + "global_window", ModelCoders.GLOBAL_WINDOW_CODER_URN))
        .setTrigger(RunnerApi.Trigger.newBuilder().setDefault(RunnerApi.Trigger.Default.getDefaultInstance()))
        .setAccumulationMode(RunnerApi.AccumulationMode.Enum.DISCARDING)
        .setOutputTime(RunnerApi.OutputTime.Enum.END_OF_WINDOW)
        .setClosingBehavior(RunnerApi.ClosingBehavior.Enum.EMIT_IF_NONEMPTY)
        .setOnTimeBehavior(RunnerApi.OnTimeBehavior.Enum.FIRE_ALWAYS)
        .setEnvironmentId(environment).build());
    String input = prefix + "in";
    String output = prefix + "out";
    for (String[] pc : new String[][] {{input, coder(stage, prefix + "input", ModelCoders.KV_CODER_URN, bytes, windows)},
        {output, coder(stage, prefix + "output", ModelCoders.KV_CODER_URN, bytes, result)}}) {
      stage.putPcollections(pc[0], RunnerApi.PCollection.newBuilder().setUniqueName(pc[0]).setCoderId(pc[1])
          .setWindowingStrategyId(global).setIsBounded(RunnerApi.IsBounded.Enum.BOUNDED).build());
    }
    RunnerApi.PTransform merge = RunnerApi.PTransform.newBuilder().setUniqueName(prefix + "merge")
        .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(PTransformTranslation.MERGE_WINDOWS_TRANSFORM_URN)
            .setPayload(windowing.getWindowFn().toByteString()))
        .putInputs("input", input).putOutputs("output", output).setEnvironmentId(environment).build();
    RunnerApi.Components built = stage.build();
    return ImmutableExecutableStage.ofFullComponents(built, built.getEnvironmentsOrThrow(environment),
            PipelineNode.pCollection(input, built.getPcollectionsOrThrow(input)), List.of(), List.of(), List.of(),
            List.of(PipelineNode.pTransform(prefix + "merge", merge)),
            List.of(PipelineNode.pCollection(output, built.getPcollectionsOrThrow(output))),
            ExecutableStage.DEFAULT_WIRE_CODER_SETTINGS)
        .toPTransform(prefix + "stage").getSpec().getPayload().toByteArray();
  }

  private static String coder(RunnerApi.Components.Builder components, String id, String urn, String... parts) {
    components.putCoders(id, RunnerApi.Coder.newBuilder().setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(urn))
        .addAllComponentCoderIds(List.of(parts)).build());
    return id;
  }

  /**
   * Why the runner cannot run {@code pipeline}'s groupings, or null if it can: it merges windows
   * itself, asking the SDK how a WindowFn only the SDK runs merges them; it cannot hold windows
   * only the SDK reads while they merge.
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
            && windowing.getMergeStatus() == RunnerApi.MergeStatus.Enum.NEEDS_MERGE
            && (onlyAnSdkReads(components.getCodersOrThrow(windowing.getWindowCoderId()))
                || readsAsSdkWindows(components.getCodersOrThrow(windowing.getWindowCoderId()), components))) {
          return "step " + entry.getKey() + " (" + transform.getUniqueName() + ") groups by windows of a merging"
              + " WindowFn only its SDK runs (" + windowing.getWindowFn().getUrn() + "), whose windows only the SDK"
              + " reads (coder " + windowing.getWindowCoderId() + "); Sluice merges windows in the runner and cannot"
              + " merge these yet";
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
