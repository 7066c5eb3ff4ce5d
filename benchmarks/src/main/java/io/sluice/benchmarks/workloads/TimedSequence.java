package io.sluice.benchmarks.workloads;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * An unbounded source of the numbers 0..count-1 (split i of n emits i, i+n, ...) that ends: its
 * watermark is the largest timestamp emitted so far (so an element stamped earlier arrives late)
 * and moves to the end of time after the last number. Unlike a bounded read in streaming mode,
 * whose watermark stays at the beginning of time until it ends, windows fire as the stream goes,
 * and late data is late. Optionally paced to {@code perSecond} numbers per second, stamped then.
 */
public final class TimedSequence extends UnboundedSource<Long, TimedSequence.Position> {

  private final long count;
  private final int split;
  private final int splits;
  private final SerializableFunction<Long, Instant> timestamp;
  /** 0: as fast as it is read. */
  private final long perSecond;

  public TimedSequence(long count, SerializableFunction<Long, Instant> timestamp, long perSecond) {
    this(count, 0, 1, timestamp, perSecond);
  }

  private TimedSequence(long count, int split, int splits, SerializableFunction<Long, Instant> timestamp,
      long perSecond) {
    this.count = count;
    this.split = split;
    this.splits = splits;
    this.timestamp = timestamp;
    this.perSecond = perSecond;
  }

  /** The next number a split emits. */
  public static final class Position implements UnboundedSource.CheckpointMark {
    final long next;
    final long watermark;

    Position(long next, long watermark) {
      this.next = next;
      this.watermark = watermark;
    }

    @Override
    public void finalizeCheckpoint() {}
  }

  static final class PositionCoder extends AtomicCoder<Position> {
    @Override
    public void encode(Position value, OutputStream out) throws IOException {
      VarLongCoder.of().encode(value.next, out);
      VarLongCoder.of().encode(value.watermark, out);
    }

    @Override
    public Position decode(InputStream in) throws IOException {
      return new Position(VarLongCoder.of().decode(in), VarLongCoder.of().decode(in));
    }
  }

  @Override
  public List<TimedSequence> split(int desiredNumSplits, PipelineOptions options) {
    int n = Math.max(1, desiredNumSplits);
    List<TimedSequence> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new TimedSequence(count, i, n, timestamp, perSecond == 0 ? 0 : Math.max(1, perSecond / n)));
    }
    return out;
  }

  @Override
  public UnboundedReader<Long> createReader(PipelineOptions options, Position mark) {
    return new Reader(this, mark);
  }

  @Override
  public Coder<Position> getCheckpointMarkCoder() {
    return new PositionCoder();
  }

  @Override
  public Coder<Long> getOutputCoder() {
    return VarLongCoder.of();
  }

  private static final class Reader extends UnboundedReader<Long> {
    private final TimedSequence source;
    private long next;
    private long watermark;
    private Long current;
    private Instant currentTimestamp;
    private long startNanos;
    private long emitted;

    Reader(TimedSequence source, Position mark) {
      this.source = source;
      this.next = mark == null ? source.split : mark.next;
      this.watermark = mark == null ? BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis() : mark.watermark;
    }

    @Override
    public boolean start() {
      startNanos = System.nanoTime();
      return advance();
    }

    @Override
    public boolean advance() {
      if (next >= source.count) {
        current = null;
        return false;
      }
      if (source.perSecond > 0 && emitted * 1_000_000_000L / source.perSecond > System.nanoTime() - startNanos) {
        current = null;
        return false;
      }
      current = next;
      currentTimestamp = source.timestamp.apply(next);
      watermark = Math.max(watermark, currentTimestamp.getMillis());
      next += source.splits;
      emitted++;
      return true;
    }

    @Override
    public Long getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return currentTimestamp;
    }

    @Override
    public Instant getWatermark() {
      return next >= source.count ? BoundedWindow.TIMESTAMP_MAX_VALUE : new Instant(watermark);
    }

    @Override
    public Position getCheckpointMark() {
      return new Position(next, watermark);
    }

    @Override
    public UnboundedSource<Long, ?> getCurrentSource() {
      return source;
    }

    @Override
    public void close() {}
  }
}
