package io.sluice.translation.translators;

import io.sluice.execution.operator.OperatorFactory;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.shared.BoundedReadOperator;
import io.sluice.translation.operators.shared.PositionedBoundedSource;
import io.sluice.translation.operators.shared.UnboundedReadOperator;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Read becomes a source vertex. The source is split here, once: a bounded one into about two
 * splits per subtask by size, an unbounded one into one split per subtask, so that every subtask
 * reads a disjoint share.
 */
public final class ReadTranslator<T> implements TransformTranslator<PTransform<?, ?>> {

  private static final Logger LOG = LoggerFactory.getLogger(ReadTranslator.class);

  /** The split size of a bounded source that does not know its size. */
  static final long UNKNOWN_SIZE_BUNDLE_BYTES = 64L << 20;

  @Override
  @SuppressWarnings("unchecked")
  public void translate(AppliedPTransform<?, ?, PTransform<?, ?>> transform, TranslationContext context)
      throws Exception {
    String step = transform.getFullName();
    int parallelism = context.settings().parallelism();
    SerializablePipelineOptions options = context.shippedOptions();
    OperatorFactory factory;
    // Splitting is the source's code too: what it counts belongs to this step's metrics.
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(context.metrics().containerFor(step))) {
      if (transform.getTransform() instanceof SplittableParDo.PrimitiveUnboundedRead) {
        UnboundedSource<T, ?> source =
            ((SplittableParDo.PrimitiveUnboundedRead<T>) transform.getTransform()).getSource();
        List<? extends UnboundedSource<T, ?>> splits = source.split(parallelism, context.options());
        LOG.debug("{}: {} splits", step, splits.size());
        factory = subtask -> new UnboundedReadOperator<>(splits, options, step);
      } else {
        BoundedSource<T> source = ((SplittableParDo.PrimitiveBoundedRead<T>) transform.getTransform()).getSource();
        List<? extends BoundedSource<T>> splits = splitBounded(source, parallelism, context.options(), step);
        if (context.settings().checkpointing()) {
          // Read a piece at a time, its position (rest of the split) in every checkpoint: a bounded
          // read emitting everything in one call would allow no checkpoint until it ended.
          List<UnboundedSource<T, ?>> positioned = new ArrayList<>();
          for (BoundedSource<T> split : splits) {
            positioned.add(new PositionedBoundedSource<>(split));
          }
          factory = subtask -> new UnboundedReadOperator<>(positioned, options, step);
        } else {
          factory = subtask -> new BoundedReadOperator<>(splits, options, step);
        }
      }
    }
    context.setProducer(Transforms.onlyOutput(transform), context.addSource(step, factory), 0);
  }

  /**
   * About two splits per subtask, by the source's size estimate, whatever the estimate says: an
   * estimate past {@code Long.MAX_VALUE} (it overflows to a negative number, as a sequence up to
   * half of it does) counts as the largest size, and an unknown one (zero, or one that cannot be
   * made) as {@link #UNKNOWN_SIZE_BUNDLE_BYTES} per split, so a source is never cut into pieces of
   * a byte each.
   */
  static <T> List<? extends BoundedSource<T>> splitBounded(
      BoundedSource<T> source, int parallelism, PipelineOptions options, String step) throws Exception {
    long size;
    try {
      size = source.getEstimatedSizeBytes(options);
    } catch (Exception e) {
      LOG.debug("{}: no size estimate ({}); splitting by {} bytes", step, e.toString(), UNKNOWN_SIZE_BUNDLE_BYTES);
      size = 0;
    }
    long desired;
    if (size < 0) {
      desired = Long.MAX_VALUE / (2L * parallelism);
    } else if (size == 0) {
      desired = UNKNOWN_SIZE_BUNDLE_BYTES;
    } else {
      desired = Math.max(1, size / (2L * parallelism));
    }
    List<? extends BoundedSource<T>> split = source.split(desired, options);
    List<? extends BoundedSource<T>> splits = split.isEmpty() ? List.of(source) : split;
    LOG.debug("{}: {} bytes estimated, {} splits", step, size, splits.size());
    return splits;
  }
}
