package io.sluice.translation.operators.shared;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.SourceOperator;
import io.sluice.execution.state.ByteKey;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StoreLayout;
import io.sluice.translation.metrics.InstanceMetrics;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.EngineTime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.coders.Coder;
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
 * <p>A reader's position is its source's CheckpointMark (Beam's name; a "reader mark" here, so that
 * "checkpoint" means the job's). At a job checkpoint each reader's mark, the records still to read
 * and the record ids remembered for deduplication go to operator stores; a restored read resumes
 * each split from its mark, and a mark is finalized (messages acknowledged) only once the checkpoint
 * that holds it is complete. A job that takes no checkpoints finalizes each reader's mark once what
 * it covers has been handed downstream, at most once a second.
 */
public final class UnboundedReadOperator<T> implements SourceOperator {

  /** Records taken from one reader per poll: enough to amortize a poll, small enough to stay responsive. */
  private static final int RECORDS_PER_POLL = 256;
  private static final long FINALIZE_INTERVAL_MILLIS = 1_000;
  /** Record ids remembered per reader for deduplication. */
  private static final int DEDUP_IDS = 100_000;

  /** One split being read. */
  private final class SplitReader {
    final int split;
    final UnboundedSource<T, UnboundedSource.CheckpointMark> source;
    final UnboundedSource.UnboundedReader<T> reader;
    /** Record ids read lately, oldest first: derived, written at a snapshot. */
    final Map<ByteKey, Boolean> seenIds;
    /** Whether start() was called: a reader resumed from a mark has been started already. */
    boolean started;
    /** Records still to read under the read's limits: durable from a snapshot on. */
    long remaining;
    long lastFinalized = System.currentTimeMillis();

    @SuppressWarnings("unchecked")
    SplitReader(int split, UnboundedSource<T, ?> source, long remaining, UnboundedSource.CheckpointMark mark,
        List<byte[]> seen) throws Exception {
      this.split = split;
      this.source = (UnboundedSource<T, UnboundedSource.CheckpointMark>) source;
      this.reader = this.source.createReader(options, mark);
      this.remaining = remaining;
      this.seenIds = !source.requiresDeduping() ? null : new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteKey, Boolean> eldest) {
          return size() > DEDUP_IDS;
        }
      };
      if (seenIds != null) {
        for (byte[] id : seen) {
          seenIds.put(new ByteKey(id), Boolean.TRUE);
        }
      }
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
      if (checkpointing) {
        return;
      }
      long now = System.currentTimeMillis();
      if (started && (force || now - lastFinalized >= FINALIZE_INTERVAL_MILLIS)) {
        lastFinalized = now;
        reader.getCheckpointMark().finalizeCheckpoint();
      }
    }
  }

  private final List<? extends UnboundedSource<T, ?>> splits;
  /** The options as the job was submitted with them, shipped with the graph. */
  private final SerializablePipelineOptions shippedOptions;
  /** The options, read back in the process that runs the job: derived, at open, for the operator's life. */
  private PipelineOptions options;
  private final String stepName;
  private final ReadLimits limits;
  /** The readers of this subtask's unfinished splits: made at the first poll, from restored marks if any. */
  private List<SplitReader> readers;
  /** Splits of this subtask that were read to their end: durable from a snapshot on. */
  private final Set<Integer> finishedSplits = new HashSet<>();
  /** Per split, the reader mark, records remaining and ids seen that a restore resumes from. */
  private final Map<Integer, Resumption<T>> restored = new HashMap<>();
  /** Reader marks of checkpoints not yet complete, by checkpoint id: derived, finalized on completion. */
  private final TreeMap<Long, List<UnboundedSource.CheckpointMark>> marksToFinalize = new TreeMap<>();
  /** Whether the job takes checkpoints: marks are then finalized only when one completes. */
  private boolean checkpointing;
  private OperatorContext context;
  private MetricsContainerImpl metricsContainer;
  /** The step's metrics in this instance, committed with checkpoints: derived, open to close. */
  private InstanceMetrics stepMetrics;
  private Emitter out;
  private long watermark = Long.MIN_VALUE;
  private long deadline = Long.MAX_VALUE;

  public UnboundedReadOperator(List<? extends UnboundedSource<T, ?>> splits, SerializablePipelineOptions shippedOptions, String stepName) {
    this(splits, shippedOptions, stepName, ReadLimits.NONE);
  }

  /** A read that stops at {@code limits}: Beam's bounded read of an unbounded source. */
  public UnboundedReadOperator(List<? extends UnboundedSource<T, ?>> splits, SerializablePipelineOptions shippedOptions, String stepName, ReadLimits limits) {
    this.splits = splits;
    this.shippedOptions = shippedOptions;
    this.stepName = stepName;
    this.limits = limits;
  }

  @Override
  public void open(OperatorContext context) throws Exception {
    this.options = shippedOptions.get();
    this.context = context;
    this.out = new Emitter(context.output());
    this.stepMetrics = JobMetrics.forOperator(stepName, context);
    this.metricsContainer = stepMetrics.container();
    if (limits.maxReadTimeMillis() != Long.MAX_VALUE) {
      deadline = System.currentTimeMillis() + limits.maxReadTimeMillis();
    }
  }

  /** Where a restored split resumes. */
  private record Resumption<T>(UnboundedSource<T, ?> source, long remaining, UnboundedSource.CheckpointMark mark,
      List<byte[]> seenIds) {}

  /** Splits' serialized sources, kept in checkpoints so that a restore at another parallelism reads the same splits. */
  private final Map<Integer, byte[]> sourceBytes = new HashMap<>();
  /** Whether this instance was restored: it then reads exactly the splits restored to it. */
  private boolean wasRestored;

  private void startReaders() throws Exception {
    readers = new ArrayList<>();
    if (wasRestored) {
      // The splits are those the checkpoint gave this instance (at another parallelism, others
      // than this subtask's share of the translated ones); a split it does not mention had ended.
      for (Map.Entry<Integer, Resumption<T>> e : new java.util.TreeMap<>(restored).entrySet()) {
        Resumption<T> r = e.getValue();
        readers.add(new SplitReader(e.getKey(), r.source, r.remaining, r.mark, r.seenIds));
      }
    } else {
      for (int s = context.subtaskIndex(); s < splits.size(); s += context.parallelism()) {
        readers.add(new SplitReader(s, splits.get(s), limits.recordsOfSplit(s, splits.size()), null, List.of()));
      }
    }
    restored.clear();
    if (context.checkpointsEnabled()) {
      // Every checkpoint stores the splits' sources: serialized now (Java serialization, and
      // loading Snappy's native library the first time), not inside the first synchronous part.
      for (SplitReader split : readers) {
        sourceBytesOf(split);
      }
    }
  }

  private byte[] sourceBytesOf(SplitReader split) {
    return sourceBytes.computeIfAbsent(split.split,
        i -> org.apache.beam.sdk.util.SerializableUtils.serializeToByteArray(split.source));
  }

  @Override
  public void snapshotState(long checkpointId) throws Exception {
    // Readers count what they read while taking their marks (a bounded source behind the adapter
    // reads ahead): into this step's metrics, as when polled.
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metricsContainer)) {
      snapshotReaders(checkpointId);
    }
  }

  private void snapshotReaders(long checkpointId) throws Exception {
    checkpointing = true;
    if (readers == null) {
      // Not polled yet: what a restore gave it must reach this checkpoint too.
      startReaders();
    }
    SortedByteStore positions = context.operatorStore("reader-marks", StoreLayout.SPLIT);
    positions.deletePrefix(new byte[0]);
    SortedByteStore dedup = context.operatorStore("dedup-ids", StoreLayout.SPLIT);
    dedup.deletePrefix(new byte[0]);
    for (int s : finishedSplits) {
      positions.put(splitKey(s), new byte[0]);
    }
    List<UnboundedSource.CheckpointMark> marks = new ArrayList<>();
    for (SplitReader split : readers) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      byte[] source = sourceBytesOf(split);
      out.writeInt(source.length);
      out.write(source);
      out.writeLong(split.remaining);
      if (split.started) {
        UnboundedSource.CheckpointMark mark = split.reader.getCheckpointMark();
        marks.add(mark);
        out.writeBoolean(true);
        split.source.getCheckpointMarkCoder().encode(mark, out);
      } else {
        out.writeBoolean(false);
      }
      out.flush();
      positions.put(splitKey(split.split), bytes.toByteArray());
      if (split.seenIds != null) {
        long sequence = 0;
        for (ByteKey id : split.seenIds.keySet()) {
          dedup.put(ByteBuffer.allocate(12).putInt(split.split).putLong(sequence++).array(), id.bytes());
        }
      }
    }
    marksToFinalize.put(checkpointId, marks);
    stepMetrics.snapshot(checkpointId);
  }

  @Override
  public void restoreState(long checkpointId) throws Exception {
    checkpointing = true;
    wasRestored = true;
    stepMetrics.restore();
    Map<Integer, List<byte[]>> seen = new HashMap<>();
    try (SortedByteStore.Cursor cursor = context.operatorStore("dedup-ids", StoreLayout.SPLIT).scan(new byte[0])) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        seen.computeIfAbsent(ByteBuffer.wrap(entry.getKey()).getInt(), s -> new ArrayList<>()).add(entry.getValue());
      }
    }
    try (SortedByteStore.Cursor cursor = context.operatorStore("reader-marks", StoreLayout.SPLIT).scan(new byte[0])) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        int split = ByteBuffer.wrap(entry.getKey()).getInt();
        if (entry.getValue().length == 0) {
          finishedSplits.add(split);
          continue;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry.getValue()));
        byte[] sourceBytes = new byte[in.readInt()];
        in.readFully(sourceBytes);
        @SuppressWarnings("unchecked")
        UnboundedSource<T, ?> source = (UnboundedSource<T, ?>) org.apache.beam.sdk.util.SerializableUtils
            .deserializeFromByteArray(sourceBytes, "split " + split + " of " + stepName);
        this.sourceBytes.put(split, sourceBytes);
        long remaining = in.readLong();
        @SuppressWarnings("unchecked")
        Coder<UnboundedSource.CheckpointMark> coder =
            (Coder<UnboundedSource.CheckpointMark>) source.getCheckpointMarkCoder();
        UnboundedSource.CheckpointMark mark = in.readBoolean() ? coder.decode(in) : null;
        restored.put(split, new Resumption<>(source, remaining, mark, seen.getOrDefault(split, List.of())));
      }
    }
  }

  @Override
  public void checkpointComplete(long checkpointId) throws Exception {
    stepMetrics.checkpointComplete(checkpointId);
    // A complete checkpoint subsumes the earlier ones: their marks are finalized too.
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metricsContainer)) {
      while (!marksToFinalize.isEmpty() && marksToFinalize.firstKey() <= checkpointId) {
        for (UnboundedSource.CheckpointMark mark : marksToFinalize.pollFirstEntry().getValue()) {
          mark.finalizeCheckpoint();
        }
      }
    }
  }

  private static byte[] splitKey(int split) {
    return ByteBuffer.allocate(4).putInt(split).array();
  }

  @Override
  public Status poll() throws Exception {
    boolean emitted = false;
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metricsContainer)) {
      if (readers == null) {
        startReaders();
      }
      for (int r = readers.size() - 1; r >= 0; r--) {
        SplitReader split = readers.get(r);
        emitted |= split.read();
        boolean done = split.done();
        split.finalizeIfDue(done);
        if (done) {
          split.reader.close();
          readers.remove(r);
          finishedSplits.add(split.split);
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
    if (readers != null) {
      for (SplitReader split : readers) {
        split.reader.close();
      }
      readers.clear();
    }
  }
}
