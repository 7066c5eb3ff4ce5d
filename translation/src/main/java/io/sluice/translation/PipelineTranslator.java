package io.sluice.translation;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.translators.BoundedUnboundedReadTranslator;
import io.sluice.translation.translators.CombinePerKeyTranslator;
import io.sluice.translation.translators.CreateViewTranslator;
import io.sluice.translation.translators.FlattenTranslator;
import io.sluice.translation.translators.GroupByKeyTranslator;
import io.sluice.translation.translators.ImpulseTranslator;
import io.sluice.translation.translators.KeyedWorkItemsTranslator;
import io.sluice.translation.translators.SplittableProcessTranslator;
import io.sluice.translation.translators.ParDoTranslator;
import io.sluice.translation.translators.ReadTranslator;
import io.sluice.translation.translators.RedistributeTranslator;
import io.sluice.translation.translators.TestStreamTranslator;
import io.sluice.translation.translators.WindowAssignTranslator;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.BoundedReadFromUnboundedSource;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.construction.PTransformMatchers;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;

/**
 * Turns a Beam pipeline into a Sluice job graph. The map of the runner: which Beam transform (by
 * URN) becomes which operators. Composites in {@link #COMPOSITES} are translated whole; every other
 * composite is entered and its primitives translated.
 */
public final class PipelineTranslator {

  private static final Map<String, TransformTranslator<?>> PRIMITIVES = Map.of(
      PTransformTranslation.IMPULSE_TRANSFORM_URN, new ImpulseTranslator(),
      PTransformTranslation.READ_TRANSFORM_URN, new ReadTranslator<>(),
      PTransformTranslation.PAR_DO_TRANSFORM_URN, new ParDoTranslator<>(),
      PTransformTranslation.GROUP_BY_KEY_TRANSFORM_URN, new GroupByKeyTranslator<>(),
      PTransformTranslation.FLATTEN_TRANSFORM_URN, new FlattenTranslator<>(),
      PTransformTranslation.ASSIGN_WINDOWS_TRANSFORM_URN, new WindowAssignTranslator<>(),
      PTransformTranslation.CREATE_VIEW_TRANSFORM_URN, new CreateViewTranslator<>(),
      PTransformTranslation.TEST_STREAM_TRANSFORM_URN, new TestStreamTranslator<>(),
      SplittableParDo.SPLITTABLE_GBKIKWI_URN, new KeyedWorkItemsTranslator<>(),
      SplittableParDo.SPLITTABLE_PROCESS_URN, new SplittableProcessTranslator());

  private static final Map<String, TransformTranslator<?>> COMPOSITES = Map.of(
      PTransformTranslation.COMBINE_PER_KEY_TRANSFORM_URN, new CombinePerKeyTranslator<>(),
      PTransformTranslation.RESHUFFLE_URN, new RedistributeTranslator(true),
      PTransformTranslation.REDISTRIBUTE_ARBITRARILY_URN, new RedistributeTranslator(false),
      PTransformTranslation.REDISTRIBUTE_BY_KEY_URN, new RedistributeTranslator(true));

  /** Composites that Beam gives no URN, by class. */
  private static final Map<Class<?>, TransformTranslator<?>> COMPOSITES_WITHOUT_URN = Map.of(
      BoundedReadFromUnboundedSource.class, new BoundedUnboundedReadTranslator<>());

  /**
   * The result of a translation: the graph to run, where its metrics will be collected, whether it
   * runs as a streaming job and where its processing time comes from.
   */
  public static final class Translation {
    private final JobGraph graph;
    private final JobMetrics metrics;
    private final boolean streaming;
    private final ProcessingTimeMode processingTimeMode;

    Translation(JobGraph graph, JobMetrics metrics, boolean streaming, ProcessingTimeMode processingTimeMode) {
      this.graph = graph;
      this.metrics = metrics;
      this.streaming = streaming;
      this.processingTimeMode = processingTimeMode;
    }

    public boolean streaming() {
      return streaming;
    }

    /** In-band when a TestStream drives the clock, so that tests are deterministic. */
    public ProcessingTimeMode processingTimeMode() {
      return processingTimeMode;
    }

    public JobGraph graph() {
      return graph;
    }

    public JobMetrics metrics() {
      return metrics;
    }
  }

  private PipelineTranslator() {}

  /**
   * Rewrites what Sluice runs through other primitives (reads to primitive reads, splittable DoFns
   * to keyed work items for runners-core's ProcessFn), then translates; an unbounded PCollection
   * makes the job streaming. Fails, naming the step and URN, on any
   * transform Sluice cannot run, before anything runs.
   */
  public static Translation translate(Pipeline pipeline, String jobName, TranslationSettings requested) {
    PipelineShape shape = PipelineShape.of(pipeline);
    TranslationSettings settings = shape.needsStreaming() && !requested.streaming()
        ? requested.withStreaming(true)
        : requested;
    SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReads(pipeline);
    pipeline.replaceAll(List.of(
        PTransformOverride.of(PTransformMatchers.splittableParDo(), new SplittableParDo.OverrideFactory<>())));
    // Splittable DoFns split their calls and resume the residuals through keyed state and timers (runners-core's
    // ProcessFn), in batch as in streaming: so they can finalize bundles and share out their work.
    pipeline.replaceAll(List.of(
        PTransformOverride.of(PTransformMatchers.splittableProcessKeyedBounded(),
            new SplittableParDoViaKeyedWorkItems.OverrideFactory<>()),
        PTransformOverride.of(PTransformMatchers.splittableProcessKeyedUnbounded(),
            new SplittableParDoViaKeyedWorkItems.OverrideFactory<>())));
    TranslationContext context = new TranslationContext(jobName, settings);
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        if (node.isRootNode()) {
          return CompositeBehavior.ENTER_TRANSFORM;
        }
        String urn = urnOf(node);
        TransformTranslator<?> translator = urn == null
            ? COMPOSITES_WITHOUT_URN.get(node.getTransform().getClass())
            : COMPOSITES.get(urn);
        if (translator == null || !canTranslate(translator, node, pipeline, context)) {
          return CompositeBehavior.ENTER_TRANSFORM;
        }
        apply(translator, node, pipeline, context);
        return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        String urn = urnOf(node);
        TransformTranslator<?> translator = urn == null ? null : PRIMITIVES.get(urn);
        if (translator == null) {
          throw new UnsupportedOperationException("Sluice cannot run step '" + node.getFullName() + "': transform "
              + node.getTransform().getClass().getName() + " with URN " + urn + " is not supported");
        }
        apply(translator, node, pipeline, context);
      }
    });
    return new Translation(context.graph(), context.metrics(), settings.streaming(),
        shape.hasTestStream() ? ProcessingTimeMode.IN_BAND : ProcessingTimeMode.SYSTEM_CLOCK);
  }

  private static String urnOf(TransformHierarchy.Node node) {
    PTransform<?, ?> transform = node.getTransform();
    return transform == null ? null : PTransformTranslation.urnForTransformOrNull(transform);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean canTranslate(TransformTranslator<?> translator, TransformHierarchy.Node node, Pipeline pipeline,
      TranslationContext context) {
    return ((TransformTranslator) translator).canTranslate(node.toAppliedPTransform(pipeline), context);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void apply(TransformTranslator<?> translator, TransformHierarchy.Node node, Pipeline pipeline,
      TranslationContext context) {
    AppliedPTransform<?, ?, ?> applied = node.toAppliedPTransform(pipeline);
    try {
      ((TransformTranslator) translator).translate(applied, context);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Sluice failed to translate step '" + node.getFullName() + "'", e);
    }
  }
}
