package io.sluice.translation.operators.shared;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.joda.time.Instant;

/**
 * An unbounded source that asks the runner to deduplicate: record i has id i, and a reader resumed
 * from a mark at position p starts again at p - 1, so the record before the mark comes twice, as an
 * at-least-once source redelivers what it was not sure was taken.
 */
final class DedupingTestSource extends UnboundedSource<Long, DedupingTestSource.Mark> {

  /** The position of the next record to read. */
  record Mark(long next) implements UnboundedSource.CheckpointMark, java.io.Serializable {
    @Override
    public void finalizeCheckpoint() {}
  }

  @Override
  public List<? extends UnboundedSource<Long, Mark>> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this);
  }

  @Override
  public UnboundedReader<Long> createReader(PipelineOptions options, Mark mark) {
    long start = mark == null ? 0 : Math.max(0, mark.next() - 1);
    return new UnboundedReader<>() {
      private long current = start - 1;

      @Override
      public boolean start() {
        return advance();
      }

      @Override
      public boolean advance() {
        current++;
        return true;
      }

      @Override
      public Long getCurrent() {
        if (current < 0) {
          throw new NoSuchElementException();
        }
        return current;
      }

      @Override
      public byte[] getCurrentRecordId() {
        return ByteBuffer.allocate(8).putLong(current).array();
      }

      @Override
      public Instant getCurrentTimestamp() {
        return new Instant(current);
      }

      @Override
      public void close() {}

      @Override
      public Instant getWatermark() {
        return new Instant(current);
      }

      @Override
      public CheckpointMark getCheckpointMark() {
        return new Mark(current + 1);
      }

      @Override
      public UnboundedSource<Long, ?> getCurrentSource() {
        return DedupingTestSource.this;
      }
    };
  }

  @Override
  public boolean requiresDeduping() {
    return true;
  }

  @Override
  public Coder<Mark> getCheckpointMarkCoder() {
    return SerializableCoder.of(Mark.class);
  }

  @Override
  public Coder<Long> getOutputCoder() {
    return VarLongCoder.of();
  }
}
