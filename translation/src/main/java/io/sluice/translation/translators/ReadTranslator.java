package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.BoundedReadOperator;
import java.io.Closeable;
import java.util.List;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded Read becomes a source vertex. The source is split here, once, into about two splits
 * per subtask, so that every subtask reads a disjoint share.
 */
public final class ReadTranslator<T> implements TransformTranslator<SplittableParDo.PrimitiveBoundedRead<T>> {

  private static final Logger LOG = LoggerFactory.getLogger(ReadTranslator.class);

  @Override
  public void translate(AppliedPTransform<?, ?, SplittableParDo.PrimitiveBoundedRead<T>> transform, TranslationContext context)
      throws Exception {
    BoundedSource<T> source = transform.getTransform().getSource();
    int parallelism = context.settings().parallelism();
    List<? extends BoundedSource<T>> splits = List.of(source);
    // Splitting is the source's code too: what it counts belongs to this step's metrics.
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(context.metrics().containerFor(transform.getFullName()))) {
      long size = source.getEstimatedSizeBytes(context.options());
      long desired = Math.max(1, size / (2L * parallelism));
      List<? extends BoundedSource<T>> split = source.split(desired, context.options());
      if (!split.isEmpty()) {
        splits = split;
      }
      LOG.debug("{}: {} bytes in {} splits", transform.getFullName(), size, splits.size());
    }
    List<? extends BoundedSource<T>> finalSplits = splits;
    context.setProducer(Transforms.onlyOutput(transform), context.addSource(transform.getFullName(),
        subtask -> new BoundedReadOperator<>(finalSplits, context.options(), transform.getFullName(), context.metrics())), 0);
  }
}
