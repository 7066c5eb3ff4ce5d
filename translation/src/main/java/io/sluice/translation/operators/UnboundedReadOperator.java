package io.sluice.translation.operators;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.SourceOperator;
import io.sluice.translation.metrics.JobMetrics;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * Beam's unbounded Read: the source was split at translation; subtask i reads splits i,
 * i + parallelism, ... taking turns between its readers. Its watermark is the minimum of its
 * readers' watermarks; a subtask without splits is finished at once, so it holds no one back. A
 * reader whose watermark reaches the end of time is done, as is one past its {@link ReadLimits}.
 */
public final class UnboundedReadOperator<T> implements SourceOperator {

  /** Records taken from one reader per poll: enough to amortize a poll, small enough to stay responsive. */
  private static final int RECORDS_PER_POLL = 256;

  private final List<? extends UnboundedSource<T, ?>> splits;
  private final PipelineOptions options;
  private final String stepName;
  private final JobMetrics metrics;
  private final ReadLimits limits;
  private final List<UnboundedSource.UnboundedReader<T>> readers = new ArrayList<>();
  private final List<Boolean> started = new ArrayList<>();
  /** Records each reader may still emit. */
  private final List<Long> remaining = new ArrayList<>();
  private long deadline = Long.MAX_VALUE;
  private OperatorContext context;
  private MetricsContainerImpl metricsContainer;
  private Emitter out;
  private long watermark = Long.MIN_VALUE;

  public UnboundedReadOperator(List<? extends UnboundedSource<T, ?>> splits, PipelineOptions options, String stepName,
      JobMetrics metrics) {
    this(splits, options, stepName, metrics, ReadLimits.NONE);
  }

  /** A read that stops at {@code limits}: Beam's bounded read of an unbounded source. */
  public UnboundedReadOperator(List<? extends UnboundedSource<T, ?>> splits, PipelineOptions options, String stepName,
      JobMetrics metrics, ReadLimits limits) {
    this.limits = limits;
    this.splits = splits;
    this.options = options;
    this.stepName = stepName;
    this.metrics = metrics;
  }

  @Override
  public void open(OperatorContext context) throws Exception {
    this.context = context;
    this.out = new Emitter(context.output());
    this.metricsContainer = metrics.containerFor(stepName);
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metricsContainer)) {
      for (int s = context.subtaskIndex(); s < splits.size(); s += context.parallelism()) {
        readers.add(splits.get(s).createReader(options, null));
        started.add(false);
        remaining.add(limits.recordsOfSplit(s, splits.size()));
      }
    }
    if (limits.maxReadTimeMillis() != Long.MAX_VALUE) {
      deadline = System.currentTimeMillis() + limits.maxReadTimeMillis();
    }
  }

  @Override
  public Status poll() throws Exception {
    boolean emitted = false;
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metricsContainer)) {
      for (int r = readers.size() - 1; r >= 0; r--) {
        UnboundedSource.UnboundedReader<T> reader = readers.get(r);
        long left = remaining.get(r);
        for (int n = 0; n < RECORDS_PER_POLL && left > 0 && next(r, reader); n++) {
          out.emit(0, WindowedValues.timestampedValueInGlobalWindow(reader.getCurrent(), reader.getCurrentTimestamp()));
          emitted = true;
          left--;
        }
        remaining.set(r, left);
        if (left == 0 || System.currentTimeMillis() >= deadline
            || !reader.getWatermark().isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
          reader.close();
          readers.remove(r);
          started.remove(r);
          remaining.remove(r);
        }
      }
    }
    advanceWatermark();
    if (readers.isEmpty()) {
      return Status.DONE;
    }
    return emitted ? Status.MORE : Status.IDLE;
  }

  private boolean next(int r, UnboundedSource.UnboundedReader<T> reader) throws Exception {
    if (!started.get(r)) {
      started.set(r, true);
      return reader.start();
    }
    return reader.advance();
  }

  private void advanceWatermark() throws InterruptedException {
    long min = Long.MAX_VALUE;
    for (UnboundedSource.UnboundedReader<T> reader : readers) {
      min = Math.min(min, KeyedRuntime.toMillis(reader.getWatermark()));
    }
    if (min > watermark) {
      watermark = min;
      context.output().emitWatermark(min);
    }
  }

  @Override
  public void close() throws Exception {
    for (UnboundedSource.UnboundedReader<T> reader : readers) {
      reader.close();
    }
    readers.clear();
  }
}
