package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.shared.ReadLimits;
import io.sluice.translation.operators.shared.UnboundedReadOperator;
import java.lang.reflect.Field;
import java.util.List;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.io.BoundedReadFromUnboundedSource;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.joda.time.Duration;

/**
 * A bounded read of an unbounded source (Read.from(...).withMaxReadTime or withMaxNumRecords) as
 * one source whose readers take turns, so all splits read at once. Beam's expansion reads up to a
 * hundred shards one after the other per thread, each for the whole read time: with a time limit
 * that takes a hundred times as long on a runner with few threads. Sources that need deduplication
 * keep Beam's expansion.
 */
public final class BoundedUnboundedReadTranslator<T> implements TransformTranslator<BoundedReadFromUnboundedSource<T>> {

  /** As many splits as Beam's expansion would make: one per 10,000 records, at most 100. */
  private static final int MAX_SPLITS = 100;
  private static final long RECORDS_PER_SPLIT = 10_000;

  @Override
  public boolean canTranslate(AppliedPTransform<?, ?, BoundedReadFromUnboundedSource<T>> transform,
      TranslationContext context) {
    UnboundedSource<T, ?> source = field(transform.getTransform(), "source");
    return source != null && !source.requiresDeduping();
  }

  @Override
  public void translate(AppliedPTransform<?, ?, BoundedReadFromUnboundedSource<T>> transform, TranslationContext context)
      throws Exception {
    BoundedReadFromUnboundedSource<T> read = transform.getTransform();
    UnboundedSource<T, ?> source = field(read, "source");
    long maxRecords = field(read, "maxNumRecords");
    Duration maxReadTime = field(read, "maxReadTime");
    int desiredSplits = (int) Math.min(MAX_SPLITS, maxRecords / RECORDS_PER_SPLIT + 1);
    List<? extends UnboundedSource<T, ?>> splits = source.split(desiredSplits, context.options());
    ReadLimits limits = new ReadLimits(maxRecords, maxReadTime == null ? Long.MAX_VALUE : maxReadTime.getMillis());
    String step = transform.getFullName();
    SerializablePipelineOptions options = context.shippedOptions();
    context.setProducer(Transforms.onlyOutput(transform), context.addSource(step,
        subtask -> new UnboundedReadOperator<>(splits, options, step, limits)), 0);
  }

  /**
   * The transform keeps its source and limits private; reading them is the price of not reading
   * shards one by one. Null if Beam renamed them: the expansion then runs instead.
   */
  @SuppressWarnings("unchecked")
  private static <V> V field(BoundedReadFromUnboundedSource<?> read, String name) {
    try {
      Field f = BoundedReadFromUnboundedSource.class.getDeclaredField(name);
      f.setAccessible(true);
      return (V) f.get(read);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
