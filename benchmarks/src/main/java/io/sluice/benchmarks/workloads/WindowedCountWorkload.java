package io.sluice.benchmarks.workloads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Event-time windowed count: record i has key i % 1000 and timestamp i ms; fixed 10 s windows, so
 * each window holds 10,000 records, 10 per key. In batch, or as a streaming job (watermarks,
 * timers, keyed state in each runner's default state backend: RocksDB for Sluice, the heap for
 * the FlinkRunner).
 */
public final class WindowedCountWorkload implements Workload {

  static final int KEYS = 1000;
  static final long WINDOW_MILLIS = 10_000;

  private final boolean streaming;

  public WindowedCountWorkload(boolean streaming) {
    this.streaming = streaming;
  }

  @Override
  public String name() {
    return streaming ? "streaming-windowed-count" : "windowed-count";
  }

  @Override
  public long records(long size) {
    return size;
  }

  static final class Timestamped extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long i, OutputReceiver<Long> out) {
      out.outputWithTimestamp(i % KEYS, new Instant(i));
    }
  }

  /** [groups, records, sum of (key + 1) * (window number + 1) * count]. */
  static List<Long> summarize(long key, long window, long count) {
    return List.of(1L, count, (key + 1) * (window + 1) * count);
  }

  static final class Summarize extends DoFn<KV<Long, Long>, List<Long>> {
    @ProcessElement
    public void process(@Element KV<Long, Long> count, BoundedWindow window, OutputReceiver<List<Long>> out) {
      long number = ((IntervalWindow) window).start().getMillis() / WINDOW_MILLIS;
      out.output(summarize(count.getKey(), number, count.getValue()));
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline.getOptions().as(StreamingOptions.class).setStreaming(streaming);
    pipeline
        .apply(GenerateSequence.from(0).to(size))
        .apply("Timestamp", ParDo.of(new Timestamped()))
        .apply(Window.into(FixedWindows.of(Duration.millis(WINDOW_MILLIS))))
        .apply(Count.perElement())
        .apply("Summarize", ParDo.of(new Summarize()))
        .apply("Global", Window.into(new GlobalWindows()))
        .apply(Combine.globally(new Summary(3)))
        .apply(ParDo.of(new ResultFile(out.resolve("result"))));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    countPlainJava(size, KEYS, WINDOW_MILLIS, out);
  }

  /**
   * The floor of a count per key and window, record i having key i % keys and timestamp i ms:
   * the summary {@link #summarize} gives, written as the pipelines write theirs.
   */
  static void countPlainJava(long size, int keys, long windowMillis, Path out) throws Exception {
    List<Map<Long, Long>> parts = TwoThreads.run(t -> () -> {
      Map<Long, Long> counts = new HashMap<>();
      for (long i = t; i < size; i += 2) {
        counts.merge((i / windowMillis) * keys + i % keys, 1L, Long::sum);
      }
      return counts;
    });
    long[] total = new long[3];
    TwoThreads.mergeSums(parts).forEach((k, v) -> Summary.addInto(total, summarize(k % keys, k / keys, v)));
    Files.writeString(out.resolve("result"), Summary.format(total));
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    ResultFile.expect(name(), expectedCount(size, KEYS, WINDOW_MILLIS), out.resolve("result"));
  }

  /** The summary of such a count, worked out record by record. */
  static String expectedCount(long size, int keys, long windowMillis) {
    long weighted = 0;
    for (long i = 0; i < size; i++) {
      weighted += (i % keys + 1) * (i / windowMillis + 1);
    }
    long fullWindows = size / windowMillis;
    long rest = size % windowMillis;
    long groups = fullWindows * keys + Math.min(keys, rest);
    return Summary.format(groups, size, weighted);
  }
}
