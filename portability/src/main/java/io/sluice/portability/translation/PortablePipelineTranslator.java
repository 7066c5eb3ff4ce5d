package io.sluice.portability.translation;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.portability.windowing.SdkWindows;
import io.sluice.translation.PipelineShape;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.TranslationSettings;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.options.RecoveryOptionValues;
import io.sluice.translation.options.RecoveryOptions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.translation.PipelineTranslatorUtils;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.util.construction.ModelCoders;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.TriggerTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.GreedyPipelineFuser;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.util.construction.graph.ProtoOverrides;
import org.apache.beam.sdk.util.construction.graph.QueryablePipeline;
import org.apache.beam.sdk.util.construction.graph.SplittableParDoExpander;
import org.apache.beam.sdk.util.construction.graph.TrivialNativeTransformExpander;

/**
 * A pipeline proto becomes a job graph: splittable DoFns expanded, user code fused into executable
 * stages, then one translator per URN of what the runner itself runs. The whole map of the portable
 * runner is the table below; a transform it does not hold fails the job at once, named.
 */
public final class PortablePipelineTranslator {

  /**
   * The job graph, the metrics of the runner's own operators (a streaming grouping's late data, say),
   * and how its operators learn processing time: in band when a TestStream sets it.
   */
  public record Translation(JobGraph graph, JobMetrics metrics, ProcessingTimeMode processingTimeMode, boolean streaming) {}

  /** Adds the operators of one transform of a fused pipeline. */
  interface UrnTranslator {
    void translate(PipelineNode.PTransformNode transform, PortableContext context) throws Exception;
  }

  private static final Map<String, UrnTranslator> TRANSLATORS = Map.of(
      PTransformTranslation.IMPULSE_TRANSFORM_URN, PrimitiveTranslators::impulse,
      PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN, PrimitiveTranslators::groupByKey,
      PTransformTranslation.FLATTEN_TRANSFORM_URN, PrimitiveTranslators::flatten,
      PTransformTranslation.RESHUFFLE_URN, PrimitiveTranslators::reshuffle,
      PTransformTranslation.REDISTRIBUTE_BY_KEY_URN, PrimitiveTranslators::redistributeByKey,
      PTransformTranslation.REDISTRIBUTE_ARBITRARILY_URN, PrimitiveTranslators::redistributeArbitrarily,
      PTransformTranslation.TEST_STREAM_TRANSFORM_URN, PrimitiveTranslators::testStream,
      ExecutableStage.URN, ExecutableStageTranslator::translate);

  /** Pipeline requirements the portable path meets so far: any other refuses the job when it is prepared. */
  private static final java.util.Set<String> REQUIREMENTS = java.util.Set.of(
      "beam:requirement:pardo:splittable_dofn:v1", "beam:requirement:pardo:stateful:v1",
      "beam:requirement:pardo:finalization:v1", "beam:requirement:pardo:on_window_expiration:v1",
      "beam:requirement:pardo:time_sorted_input:v1");

  private PortablePipelineTranslator() {}

  /**
   * Why the portable path cannot run {@code pipeline}, or null if it can: a requirement it does not
   * meet, named. Asked when a job is prepared.
   */
  public static String refusal(RunnerApi.Pipeline pipeline) {
    for (String requirement : pipeline.getRequirementsList()) {
      if (!REQUIREMENTS.contains(requirement)) {
        return "the pipeline requires " + requirement + ", which Sluice's portable path does not meet yet"
            + " (it meets " + REQUIREMENTS + ")";
      }
    }
    return SdkWindows.unmergeable(pipeline);
  }

  public static Translation translate(RunnerApi.Pipeline pipeline, JobInfo job, PipelineOptions options,
      int parallelism) throws Exception {
    String refusal = refusal(pipeline);
    if (refusal != null) {
      throw new UnsupportedOperationException("job " + job.jobName() + ": " + refusal);
    }
    RunnerApi.Pipeline fused = fuse(pipeline);
    // Streaming, as on the Java path, when the SDK says so, a collection is unbounded or a trigger
    // fires on processing time (meaningless in batch, where every pane fires at the end).
    boolean streaming = options.as(StreamingOptions.class).isStreaming()
        || PipelineTranslatorUtils.hasUnboundedPCollections(pipeline)
        || pipeline.getComponents().getWindowingStrategiesMap().values().stream()
            .anyMatch(w -> PipelineShape.firesOnProcessingTime(TriggerTranslation.fromProto(w.getTrigger())));
    TranslationContext sluice = TranslationContext.forJob(job.jobId(),
        new TranslationSettings(options, parallelism, 1000, streaming,
            RecoveryOptionValues.checkpointing(options.as(RecoveryOptions.class)) != null));
    PortableContext context = new PortableContext(sluice, fused.getComponents(), job);
    QueryablePipeline query = QueryablePipeline.forTransforms(fused.getRootTransformIdsList(), fused.getComponents());
    for (PipelineNode.PTransformNode transform : query.getTopologicallyOrderedTransforms()) {
      String urn = transform.getTransform().getSpec().getUrn();
      UrnTranslator translator = TRANSLATORS.get(urn);
      if (translator == null) {
        throw new UnsupportedOperationException("Sluice cannot run transform " + transform.getId() + " ("
            + transform.getTransform().getUniqueName() + "): its URN " + urn + " is not one it runs");
      }
      translator.translate(transform, context);
    }
    boolean testStream = fused.getComponents().getTransformsMap().values().stream()
        .anyMatch(t -> PTransformTranslation.TEST_STREAM_TRANSFORM_URN.equals(t.getSpec().getUrn()));
    return new Translation(sluice.graph(), sluice.metrics(),
        testStream ? ProcessingTimeMode.IN_BAND : ProcessingTimeMode.SYSTEM_CLOCK, streaming);
  }

  /** Splittable DoFns expanded, the runner's own composites kept whole, the rest fused into stages. */
  static RunnerApi.Pipeline fuse(RunnerApi.Pipeline pipeline) {
    RunnerApi.Pipeline expanded = ProtoOverrides.updateTransform(PTransformTranslation.PAR_DO_TRANSFORM_URN,
        windowedValueElementsLengthPrefixed(SdkWindows.endsWritten(pipeline)), SplittableParDoExpander.createSizedReplacement());
    // Flatten stays out: stripped of its environment (as this does to what it names), an SDK's
    // Flatten with an input from a stage would be both run by the runner and fused into the stage
    // by Beam's fuser, leaving the runner's copy an input no stage produces.
    Set<String> strippedUrns = new HashSet<>(TRANSLATORS.keySet());
    strippedUrns.remove(PTransformTranslation.FLATTEN_TRANSFORM_URN);
    expanded = emptyFlattensInRunner(
        TrivialNativeTransformExpander.forKnownUrns(expandRedistributionsThatChangeCoders(expanded), strippedUrns));
    // An SDK may have fused the pipeline itself (Python's pre_optimize=all).
    boolean fusedAlready = expanded.getComponents().getTransformsMap().values().stream()
        .anyMatch(t -> ExecutableStage.URN.equals(t.getSpec().getUrn()));
    return fusedAlready ? expanded : GreedyPipelineFuser.fuse(expanded).toPipeline();
  }

  /**
   * Leaves to the SDK's expansion the redistributions (Reshuffle, Redistribute) whose output coder
   * is not their input's: the runner moves elements untouched, so it runs only those that keep them
   * as they are.
   */
  private static RunnerApi.Pipeline expandRedistributionsThatChangeCoders(RunnerApi.Pipeline pipeline) {
    RunnerApi.Components components = pipeline.getComponents();
    RunnerApi.Pipeline.Builder kept = pipeline.toBuilder();
    components.getTransformsMap().forEach((id, transform) -> {
      if (SluiceNativeTransforms.isRedistribution(transform) && transform.getSubtransformsCount() > 0
          && !(transform.getInputsCount() == 1 && transform.getOutputsCount() == 1
              && coderOf(components, transform.getInputsMap()).equals(coderOf(components, transform.getOutputsMap())))) {
        kept.getComponentsBuilder().putTransforms(id, transform.toBuilder()
            .setSpec(transform.getSpec().toBuilder().setUrn(SDK_EXPANDED_URN)).build());
      }
    });
    return kept.build();
  }

  private static String coderOf(RunnerApi.Components components, Map<String, String> collections) {
    return components.getPcollectionsOrThrow(collections.values().iterator().next()).getCoderId();
  }

  /**
   * A Flatten of nothing starts the pipeline from nowhere: the runner runs it (it produces nothing),
   * since Beam's fuser takes only environment-less roots.
   */
  private static RunnerApi.Pipeline emptyFlattensInRunner(RunnerApi.Pipeline pipeline) {
    RunnerApi.Pipeline.Builder stripped = pipeline.toBuilder();
    pipeline.getComponents().getTransformsMap().forEach((id, transform) -> {
      if (PTransformTranslation.FLATTEN_TRANSFORM_URN.equals(transform.getSpec().getUrn())
          && transform.getInputsCount() == 0) {
        stripped.getComponentsBuilder().putTransforms(id, transform.toBuilder().clearEnvironmentId().build());
      }
    });
    return stripped.build();
  }

  /**
   * A collection whose elements are themselves windowed values (Java's Create.windowedValues makes
   * one) gets its coder length-prefixed: Beam's Java harness takes a collection's windowed-value
   * coder for the wire's and counts its elements with the inner value coder, which fails on every
   * element. The prefix makes the coder opaque to that guess; runner and harness both read the
   * collection's coder from the same proto, so they still agree on its bytes.
   */
  static RunnerApi.Pipeline windowedValueElementsLengthPrefixed(RunnerApi.Pipeline pipeline) {
    RunnerApi.Components components = pipeline.getComponents();
    RunnerApi.Pipeline.Builder rewritten = pipeline.toBuilder();
    RunnerApi.Components.Builder builder = rewritten.getComponentsBuilder();
    components.getPcollectionsMap().forEach((id, collection) -> {
      String urn = components.getCodersOrThrow(collection.getCoderId()).getSpec().getUrn();
      if (ModelCoders.WINDOWED_VALUE_CODER_URN.equals(urn) || ModelCoders.PARAM_WINDOWED_VALUE_CODER_URN.equals(urn)) {
        String prefixed = collection.getCoderId() + "_length_prefixed";
        builder.putCoders(prefixed, RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn(ModelCoders.LENGTH_PREFIX_CODER_URN))
            .addComponentCoderIds(collection.getCoderId()).build());
        builder.putPcollections(id, collection.toBuilder().setCoderId(prefixed).build());
      }
    });
    return rewritten.build();
  }

  /** A composite the runner does not run itself: its parts run instead. */
  private static final String SDK_EXPANDED_URN = "sluice:transform:as_the_sdk_expands_it:v1";
}
