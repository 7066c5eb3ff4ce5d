package io.sluice.translation.operators.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.LongStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.io.UnboundedSource.UnboundedReader;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** A bounded split's position at checkpoints: what a restore reads is exactly what was left. */
class PositionedBoundedSourceTest {

  private final PipelineOptions options = PipelineOptionsFactory.create();

  /** A splittable reader is split just past its current record: nothing is read ahead. */
  @Test
  void aSplittableReaderLeavesItsRestAsASourceWithoutReadingAhead() throws Exception {
    PositionedBoundedSource<Long> source = new PositionedBoundedSource<>(CountingSource.upTo(100_000));
    UnboundedReader<Long> reader = source.createReader(options, null);
    List<Long> read = read(reader, 1000, true);
    PositionedBoundedSource.Rest<Long> rest = roundTrip(source, reader);
    assertEquals(0, rest.readAhead().size(), "split just past the current record");
    assertNotNull(rest.source());

    List<Long> restored = read(source.createReader(options, rest), Integer.MAX_VALUE, true);
    List<Long> continued = read(reader, Integer.MAX_VALUE, false);
    assertEquals(continued, restored, "the reader goes on where a restore would");
    read.addAll(restored);
    assertEquals(sequence(100_000), read);
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, reader.getWatermark(), "read to the end");
  }

  /** A reader that never splits has every record left read ahead into the checkpoint. */
  @Test
  void anUnsplittableReaderLeavesItsRestAsRecords() throws Exception {
    PositionedBoundedSource<Long> source = new PositionedBoundedSource<>(new Unsplittable(10));
    UnboundedReader<Long> reader = source.createReader(options, null);
    List<Long> read = read(reader, 3, true);
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, reader.getWatermark());
    PositionedBoundedSource.Rest<Long> rest = roundTrip(source, reader);
    assertEquals(7, rest.readAhead().size());
    assertNull(rest.source());
    assertEquals(2L, reader.getCurrent(), "the current record stays current");

    List<Long> restored = read(source.createReader(options, rest), Integer.MAX_VALUE, true);
    assertEquals(restored, read(reader, Integer.MAX_VALUE, false));
    read.addAll(restored);
    assertEquals(sequence(10), read);
  }

  /** Checkpoints taken over and over, each restored in turn, lose and repeat nothing. */
  @Test
  void aChainOfRestoresReadsEveryRecordOnce() throws Exception {
    PositionedBoundedSource<Long> source = new PositionedBoundedSource<>(CountingSource.upTo(5000));
    List<Long> read = new ArrayList<>();
    UnboundedReader<Long> reader = source.createReader(options, null);
    boolean first = true;
    while (true) {
      List<Long> some = read(reader, 37, first);
      read.addAll(some);
      if (some.size() < 37) {
        break;
      }
      PositionedBoundedSource.Rest<Long> rest = roundTrip(source, reader);
      reader.close();
      reader = source.createReader(options, rest);
      first = true;
    }
    assertEquals(sequence(5000), read);
  }

  /** The reader's checkpoint mark, encoded and decoded as a checkpoint does. */
  @SuppressWarnings("unchecked")
  private static PositionedBoundedSource.Rest<Long> roundTrip(PositionedBoundedSource<Long> source,
      UnboundedReader<Long> reader) throws Exception {
    PositionedBoundedSource.Rest<Long> rest = (PositionedBoundedSource.Rest<Long>) reader.getCheckpointMark();
    Coder<PositionedBoundedSource.Rest<Long>> coder = source.getCheckpointMarkCoder();
    return CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, rest));
  }

  /** Up to {@code limit} records, starting the reader first if {@code start}. */
  private static List<Long> read(UnboundedReader<Long> reader, int limit, boolean start) throws IOException {
    List<Long> out = new ArrayList<>();
    boolean more = start ? reader.start() : reader.advance();
    while (more) {
      out.add(reader.getCurrent());
      if (out.size() == limit) {
        break;
      }
      more = reader.advance();
    }
    return out;
  }

  private static List<Long> sequence(int n) {
    return LongStream.range(0, n).boxed().toList();
  }

  /** Records 0..n-1 through a reader that refuses every split. */
  private static final class Unsplittable extends BoundedSource<Long> {
    private final int n;

    Unsplittable(int n) {
      this.n = n;
    }

    @Override
    public List<? extends BoundedSource<Long>> split(long desiredBundleSizeBytes, PipelineOptions options) {
      return List.of(this);
    }

    @Override
    public long getEstimatedSizeBytes(PipelineOptions options) {
      return n * 8L;
    }

    @Override
    public BoundedReader<Long> createReader(PipelineOptions options) {
      return new BoundedReader<>() {
        private long next = -1;

        @Override
        public boolean start() {
          return advance();
        }

        @Override
        public boolean advance() {
          next++;
          return next < n;
        }

        @Override
        public Long getCurrent() {
          if (next < 0 || next >= n) {
            throw new NoSuchElementException();
          }
          return next;
        }

        @Override
        public void close() {}

        @Override
        public BoundedSource<Long> getCurrentSource() {
          return Unsplittable.this;
        }

        @Override
        public Double getFractionConsumed() {
          return (double) Math.max(0, next) / n;
        }
      };
    }

    @Override
    public Coder<Long> getOutputCoder() {
      return VarLongCoder.of();
    }
  }
}
