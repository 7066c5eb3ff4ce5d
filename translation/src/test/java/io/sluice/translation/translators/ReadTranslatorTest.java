package io.sluice.translation.translators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** A bounded source is cut into a bounded number of splits, whatever its size estimate says. */
class ReadTranslatorTest {

  private final PipelineOptions options = PipelineOptionsFactory.create();

  @Test
  void aSequenceUpToHalfOfLongMaxIsSplitPerSubtaskNotPerByte() throws Exception {
    // 8 bytes per element: the estimate overflows to a negative size.
    BoundedSource<Long> huge = CountingSource.upTo(Long.MAX_VALUE / 2);
    List<? extends BoundedSource<Long>> splits = ReadTranslator.splitBounded(huge, 4, options, "huge");
    assertTrue(splits.size() >= 4 && splits.size() <= 64, "splits: " + splits.size());
  }

  @Test
  void anOrdinarySourceGetsAboutTwoSplitsPerSubtask() throws Exception {
    List<? extends BoundedSource<Long>> splits = ReadTranslator.splitBounded(CountingSource.upTo(1_000_000), 4, options, "seq");
    assertTrue(splits.size() >= 7 && splits.size() <= 9, "splits: " + splits.size());
  }

  @Test
  void aSourceThatCannotEstimateItsSizeIsSplitBySizeOfUnknown() throws Exception {
    List<Long> desired = new ArrayList<>();
    List<? extends BoundedSource<Long>> splits =
        ReadTranslator.splitBounded(new NoEstimate(desired, true), 4, options, "unknown");
    assertEquals(List.of(ReadTranslator.UNKNOWN_SIZE_BUNDLE_BYTES), desired);
    assertEquals(1, splits.size());
    desired.clear();
    ReadTranslator.splitBounded(new NoEstimate(desired, false), 4, options, "zero");
    assertEquals(List.of(ReadTranslator.UNKNOWN_SIZE_BUNDLE_BYTES), desired);
  }

  /** Records the split size it is asked for; its estimate throws or is zero. */
  private static final class NoEstimate extends BoundedSource<Long> {
    private final transient List<Long> desired;
    private final boolean throwing;

    NoEstimate(List<Long> desired, boolean throwing) {
      this.desired = desired;
      this.throwing = throwing;
    }

    @Override
    public List<? extends BoundedSource<Long>> split(long desiredBundleSizeBytes, PipelineOptions options) {
      desired.add(desiredBundleSizeBytes);
      return List.of(this);
    }

    @Override
    public long getEstimatedSizeBytes(PipelineOptions options) {
      if (throwing) {
        throw new UnsupportedOperationException("no estimate");
      }
      return 0;
    }

    @Override
    public BoundedReader<Long> createReader(PipelineOptions options) {
      throw new NoSuchElementException("not read in this test");
    }

    @Override
    public Coder<Long> getOutputCoder() {
      return VarLongCoder.of();
    }
  }
}
