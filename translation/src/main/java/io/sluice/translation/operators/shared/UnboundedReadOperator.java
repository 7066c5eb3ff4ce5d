package io.sluice.translation.operators.shared;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.SourceOperator;
import io.sluice.execution.state.ByteKey;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.EngineTime;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Each reader's checkpoint mark is finalized once what it covers has been handed downstream,
 * at most once a second (sources that acknowledge messages on finalization need it; there is no
 * checkpoint to wait for yet). Records of sources that ask for it are deduplicated by record id.
 */
public final class UnboundedReadOperator<T> implements SourceOperator {

  /** Records taken from one reader per poll: enough to amortize a poll, small enough to stay responsive. */
  private static final int RECORDS_PER_POLL = 256;
  private static final long FINALIZE_INTERVAL_MILLIS = 1_000;
  /** Record ids remembered per reader for deduplication. */
  private static final int DEDUP_IDS = 100_000;

  /** One split being read. */
  private final class SplitReader {
    final UnboundedSource.UnboundedReader<T> reader;
    final Map<ByteKey, Boolean> seenIds;
    boolean started;
    long remaining;
    long lastFinalized = System.currentTimeMillis();

    SplitReader(UnboundedSource<T, ?> split, long maxRecords) throws Exception {
      this.reader = split.createReader(options, null);
      this.remaining = maxRecords;
      this.seenIds = !split.requiresDeduping() ? null : new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteKey, Boolean> eldest) {
          return size() > DEDUP_IDS;
        }
      };
    }

    boolean next() throws Exception {
      if (!started) {
        started = true;
        return reader.start();
      }
      return reader.advance();
    }

    /** Emits up to a poll's worth of records; true if any. */
    boolean read() throws Exception {
      boolean emitted = false;
      for (int n = 0; n < RECORDS_PER_POLL && remaining > 0 && next(); n++) {
        if (seenIds != null && seenIds.put(new ByteKey(reader.getCurrentRecordId()), Boolean.TRUE) != null) {
          continue;
        }
        out.emit(0, WindowedValues.timestampedValueInGlobalWindow(reader.getCurrent(), reader.getCurrentTimestamp()));
        emitted = true;
        remaining--;
      }
      return emitted;
    }

    boolean done() {
      return remaining == 0 || System.currentTimeMillis() >= deadline
          || !reader.getWatermark().isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE);
    }

    void finalizeIfDue(boolean force) throws Exception {
      long now = System.currentTimeMillis();
      if (started && (force || now - lastFinalized >= FINALIZE_INTERVAL_MILLIS)) {
        lastFinalized = now;
        reader.getCheckpointMark().finalizeCheckpoint();
      }
    }
  }

  private final List<? extends UnboundedSource<T, ?>> splits;
  private final PipelineOptions options;
  private final String stepName;
  private final JobMetrics metrics;
  private final ReadLimits limits;
  private final List<SplitReader> readers = new ArrayList<>();
  private OperatorContext context;
  private MetricsContainerImpl metricsContainer;
  private Emitter out;
  private long watermark = Long.MIN_VALUE;
  private long deadline = Long.MAX_VALUE;

  public UnboundedReadOperator(List<? extends UnboundedSource<T, ?>> splits, PipelineOptions options, String stepName,
      JobMetrics metrics) {
    this(splits, options, stepName, metrics, ReadLimits.NONE);
  }

  /** A read that stops at {@code limits}: Beam's bounded read of an unbounded source. */
  public UnboundedReadOperator(List<? extends UnboundedSource<T, ?>> splits, PipelineOptions options, String stepName,
      JobMetrics metrics, ReadLimits limits) {
    this.splits = splits;
    this.options = options;
    this.stepName = stepName;
    this.metrics = metrics;
    this.limits = limits;
  }

  @Override
  public void open(OperatorContext context) throws Exception {
    this.context = context;
    this.out = new Emitter(context.output());
    this.metricsContainer = metrics.containerFor(stepName);
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metricsContainer)) {
      for (int s = context.subtaskIndex(); s < splits.size(); s += context.parallelism()) {
        readers.add(new SplitReader(splits.get(s), limits.recordsOfSplit(s, splits.size())));
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
        SplitReader split = readers.get(r);
        emitted |= split.read();
        boolean done = split.done();
        split.finalizeIfDue(done);
        if (done) {
          split.reader.close();
          readers.remove(r);
        }
      }
    }
    advanceWatermark();
    if (readers.isEmpty()) {
      return Status.DONE;
    }
    return emitted ? Status.MORE : Status.IDLE;
  }

  private void advanceWatermark() throws InterruptedException {
    long min = Long.MAX_VALUE;
    for (SplitReader split : readers) {
      min = Math.min(min, EngineTime.toMillis(split.reader.getWatermark()));
    }
    if (min > watermark) {
      watermark = min;
      context.output().emitWatermark(min);
    }
  }

  @Override
  public void close() throws Exception {
    for (SplitReader split : readers) {
      split.reader.close();
    }
    readers.clear();
  }
}
