package io.sluice.translation.operators.shared;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.BoundedSource.BoundedReader;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One split of a bounded source, read as an unbounded source so that a streaming job with
 * checkpoints holds its position. The position ({@link Rest}) is what is left: records read ahead,
 * then a source for the rest. At a checkpoint the reader is split just past the record it last
 * returned, so that the rest is a source and nothing is read ahead; only where the reader refuses
 * such a split are records read ahead, up to where it accepts one, and for a reader that never
 * splits, every record left.
 *
 * <p>Why not Beam's adapter for this (UnboundedReadFromBoundedSource): its first split is at the
 * fraction consumed, which an offset-based reader refuses (a split must lie past the start of the
 * last record), and its next an eighth of the rest further on. So each checkpoint read ahead, held
 * and encoded an eighth of what was left: 60,000 records of a sequence split, 300 ms of the first
 * checkpoint's synchronous part.
 *
 * <p>The watermark is the start of time until the split is read, then the end of time, as for a
 * bounded read.
 */
public final class PositionedBoundedSource<T> extends UnboundedSource<T, PositionedBoundedSource.Rest<T>> {

  /**
   * Split attempts, as fractions of what is left beyond the fraction consumed: from a millionth
   * (past the current record of a split of up to a million records, or bytes) to an eighth.
   */
  private static final int FIRST_SPLIT_SHIFT = 20;
  private static final int LAST_SPLIT_SHIFT = 3;

  private final BoundedSource<T> split;

  public PositionedBoundedSource(BoundedSource<T> split) {
    this.split = split;
  }

  /** What is left of a split: records read ahead, in order, then the rest of the source (or null). */
  public static final class Rest<T> implements UnboundedSource.CheckpointMark {
    private final List<TimestampedValue<T>> readAhead;
    private final @Nullable BoundedSource<T> source;

    Rest(List<TimestampedValue<T>> readAhead, @Nullable BoundedSource<T> source) {
      this.readAhead = readAhead;
      this.source = source;
    }

    public List<TimestampedValue<T>> readAhead() {
      return readAhead;
    }

    public @Nullable BoundedSource<T> source() {
      return source;
    }

    @Override
    public void finalizeCheckpoint() {
      // A bounded source has nothing to acknowledge.
    }
  }

  @Override
  public List<? extends UnboundedSource<T, Rest<T>>> split(int desiredNumSplits, PipelineOptions options) {
    // Already one of the bounded source's splits.
    return List.of(this);
  }

  @Override
  public UnboundedReader<T> createReader(PipelineOptions options, @Nullable Rest<T> rest) {
    return rest == null
        ? new Reader(options, List.of(), split)
        : new Reader(options, rest.readAhead, rest.source);
  }

  @Override
  public Coder<Rest<T>> getCheckpointMarkCoder() {
    return new RestCoder<>(split.getOutputCoder());
  }

  @Override
  public Coder<T> getOutputCoder() {
    return split.getOutputCoder();
  }

  @Override
  public void validate() {
    split.validate();
  }

  /** Records read ahead with their coder, the rest source with Java serialization, as Beam encodes sources. */
  private static final class RestCoder<T> extends AtomicCoder<Rest<T>> {
    private final ListCoder<TimestampedValue<T>> readAheadCoder;
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Coder<@Nullable BoundedSource<T>> sourceCoder =
        (Coder) NullableCoder.of(SerializableCoder.of((Class) BoundedSource.class));

    RestCoder(Coder<T> elementCoder) {
      this.readAheadCoder = ListCoder.of(TimestampedValue.TimestampedValueCoder.of(elementCoder));
    }

    @Override
    public void encode(Rest<T> rest, OutputStream out) throws IOException {
      readAheadCoder.encode(rest.readAhead, out);
      sourceCoder.encode(rest.source, out);
    }

    @Override
    public Rest<T> decode(InputStream in) throws IOException {
      return new Rest<>(readAheadCoder.decode(in), sourceCoder.decode(in));
    }
  }

  private final class Reader extends UnboundedReader<T> {
    private final PipelineOptions options;
    /** Records read ahead and not yet returned, from {@link #nextReadAhead} on. */
    private List<TimestampedValue<T>> readAhead;
    private int nextReadAhead;
    /** The source after the records read ahead; null once there is none. */
    private @Nullable BoundedSource<T> restSource;
    /** Reads {@link #restSource}, opened when the records read ahead are used up. */
    private @Nullable BoundedReader<T> reader;
    private @Nullable T current;
    private @Nullable Instant currentTimestamp;
    private boolean hasCurrent;
    private boolean done;

    Reader(PipelineOptions options, List<TimestampedValue<T>> readAhead, @Nullable BoundedSource<T> restSource) {
      this.options = options;
      this.readAhead = readAhead;
      this.restSource = restSource;
    }

    @Override
    public boolean start() throws IOException {
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      if (nextReadAhead < readAhead.size()) {
        TimestampedValue<T> next = readAhead.get(nextReadAhead++);
        return found(next.getValue(), next.getTimestamp());
      }
      if (restSource != null) {
        boolean more;
        if (reader == null) {
          reader = restSource.createReader(options);
          more = reader.start();
        } else {
          more = reader.advance();
        }
        if (more) {
          return found(reader.getCurrent(), reader.getCurrentTimestamp());
        }
        closeReader();
        restSource = null;
      }
      hasCurrent = false;
      done = true;
      return false;
    }

    private boolean found(T value, Instant timestamp) {
      current = value;
      currentTimestamp = timestamp;
      hasCurrent = true;
      return true;
    }

    @Override
    public T getCurrent() {
      if (!hasCurrent) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (!hasCurrent) {
        throw new NoSuchElementException();
      }
      return currentTimestamp;
    }

    @Override
    public Instant getWatermark() {
      return done ? BoundedWindow.TIMESTAMP_MAX_VALUE : BoundedWindow.TIMESTAMP_MIN_VALUE;
    }

    /**
     * The rest after the current record. An open reader is split past it; what the primary part
     * still holds (nothing, when the first attempt lands just past the current record) is read
     * ahead, and reading goes on from the rest, as a restore would.
     */
    @Override
    public Rest<T> getCheckpointMark() {
      List<TimestampedValue<T>> left = new ArrayList<>(readAhead.subList(nextReadAhead, readAhead.size()));
      if (reader != null) {
        BoundedSource<T> residual = splitPastCurrent(reader);
        try {
          while (reader.advance()) {
            left.add(TimestampedValue.of(reader.getCurrent(), reader.getCurrentTimestamp()));
          }
          closeReader();
        } catch (IOException e) {
          throw new IllegalStateException("Cannot read the rest of " + restSource + " for a checkpoint", e);
        }
        restSource = residual;
      }
      readAhead = List.copyOf(left);
      nextReadAhead = 0;
      return new Rest<>(readAhead, restSource);
    }

    private @Nullable BoundedSource<T> splitPastCurrent(BoundedReader<T> open) {
      Double consumed = open.getFractionConsumed();
      if (consumed == null || consumed < 0 || consumed > 1) {
        return null;
      }
      double left = 1 - consumed;
      for (int shift = FIRST_SPLIT_SHIFT; shift >= LAST_SPLIT_SHIFT; shift--) {
        BoundedSource<T> residual = open.splitAtFraction(consumed + left / (1L << shift));
        if (residual != null) {
          return residual;
        }
      }
      return null;
    }

    private void closeReader() throws IOException {
      if (reader != null) {
        BoundedReader<T> closing = reader;
        reader = null;
        closing.close();
      }
    }

    @Override
    public void close() throws IOException {
      closeReader();
    }

    @Override
    public UnboundedSource<T, ?> getCurrentSource() {
      return PositionedBoundedSource.this;
    }
  }
}
