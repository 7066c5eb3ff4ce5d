package io.sluice.benchmarks.workloads;

import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Combine.perKey (a count) in fixed 10 s windows with early firings a second of processing time
 * after a pane's first element, then on time; discarding, so each window's panes add up to its
 * count. The input and the check are the windowed count's, through a source whose watermark
 * follows the timestamps (record i at i ms, key i % 1,000).
 */
public final class EarlyFiringsWorkload implements Workload {

  private final WindowedCountWorkload counts = new WindowedCountWorkload(true);

  @Override
  public String name() {
    return "streaming-early-firings";
  }

  @Override
  public long records(long size) {
    return size;
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline.getOptions().as(StreamingOptions.class).setStreaming(true);
    pipeline
        .apply(Read.from(new TimedSequence(size, Instant::new, 0)))
        .apply("Timestamp", ParDo.of(new WindowedCountWorkload.Timestamped()))
        .apply(Window.<Long>into(FixedWindows.of(Duration.millis(WindowedCountWorkload.WINDOW_MILLIS)))
            .triggering(AfterWatermark.pastEndOfWindow()
                .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.standardSeconds(1))))
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes())
        .apply(Count.perElement())
        .apply("Summarize", ParDo.of(new WindowedCountWorkload.Summarize()))
        .apply("Global", Summary.atTheEnd())
        .apply(Combine.globally(new Summary(3)))
        .apply(ParDo.of(new ResultFile(out.resolve("result"))));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    counts.runPlainJava(size, data, out);
  }

  /** Early panes add to the group count: records and weights must match the windowed count's. */
  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    Path expected = out.resolve("expected");
    java.nio.file.Files.createDirectories(expected);
    counts.runPlainJava(size, data, expected);
    String[] want = ResultFile.read(expected.resolve("result")).split(",");
    String[] got = ResultFile.read(out.resolve("result")).split(",");
    if (got.length != 3 || !want[1].equals(got[1]) || !want[2].equals(got[2])
        || Long.parseLong(got[0]) < Long.parseLong(want[0])) {
      throw new IllegalStateException(name() + ": wrong result: expected at least " + String.join(",", want)
          + " (more panes allowed) but got " + String.join(",", got));
    }
  }
}
