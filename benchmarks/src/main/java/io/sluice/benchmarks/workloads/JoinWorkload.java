package io.sluice.benchmarks.workloads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A windowed CoGroupByKey join of two streams of size/2 records each: record i of either has key
 * i % 1,000 and timestamp i ms (stream B's i runs at twice the pace: timestamp 2i), fixed 10 s
 * windows; per key and window the join emits the pairs it would produce (count A x count B) and
 * the sum of both sides' values. Sources' watermarks follow the timestamps.
 */
public final class JoinWorkload implements Workload {

  static final int KEYS = 1000;
  static final long WINDOW_MILLIS = 10_000;

  @Override
  public String name() {
    return "streaming-join";
  }

  @Override
  public long records(long size) {
    return size;
  }

  static final class Keyed extends DoFn<Long, KV<Long, Long>> {
    @ProcessElement
    public void process(@Element Long i, OutputReceiver<KV<Long, Long>> out) {
      out.output(KV.of(i % KEYS, i));
    }
  }

  static final TupleTag<Long> A = new TupleTag<>("a");
  static final TupleTag<Long> B = new TupleTag<>("b");

  /** [groups, pairs, sum of values weighted by (window + 1)]. */
  static final class Pairs extends DoFn<KV<Long, CoGbkResult>, List<Long>> {
    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> joined, BoundedWindow window, OutputReceiver<List<Long>> out) {
      long number = ((IntervalWindow) window).start().getMillis() / WINDOW_MILLIS;
      long a = 0;
      long b = 0;
      long values = 0;
      for (long v : joined.getValue().getAll(A)) {
        a++;
        values += v;
      }
      for (long v : joined.getValue().getAll(B)) {
        b++;
        values += v;
      }
      out.output(List.of(1L, a * b, values * (number + 1)));
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline.getOptions().as(StreamingOptions.class).setStreaming(true);
    long half = size / 2;
    PCollection<KV<Long, Long>> a = pipeline
        .apply("ReadA", Read.from(new TimedSequence(half, Instant::new, 0)))
        .apply("KeyA", ParDo.of(new Keyed()))
        .apply("WindowA", Window.into(FixedWindows.of(Duration.millis(WINDOW_MILLIS))));
    PCollection<KV<Long, Long>> b = pipeline
        .apply("ReadB", Read.from(new TimedSequence(half, i -> new Instant(2 * i), 0)))
        .apply("KeyB", ParDo.of(new Keyed()))
        .apply("WindowB", Window.into(FixedWindows.of(Duration.millis(WINDOW_MILLIS))));
    KeyedPCollectionTuple.of(A, a).and(B, b)
        .apply(CoGroupByKey.create())
        .apply("Pairs", ParDo.of(new Pairs()))
        .apply("Global", Summary.atTheEnd())
        .apply(Combine.globally(new Summary(3)))
        .apply(ParDo.of(new ResultFile(out.resolve("result"))));
  }

  /** Per (window, key): counts of A and B and the sum of values, as the pipeline sees them. */
  private static long[] expected(long size) {
    long half = size / 2;
    Map<Long, long[]> groups = new HashMap<>();
    for (long i = 0; i < half; i++) {
      long[] ga = groups.computeIfAbsent((i / WINDOW_MILLIS) * KEYS + i % KEYS, k -> new long[3]);
      ga[0]++;
      ga[2] += i;
      long[] gb = groups.computeIfAbsent((2 * i / WINDOW_MILLIS) * KEYS + i % KEYS, k -> new long[3]);
      gb[1]++;
      gb[2] += i;
    }
    long[] total = new long[3];
    groups.forEach((k, g) -> {
      total[0]++;
      total[1] += g[0] * g[1];
      total[2] += g[2] * (k / KEYS + 1);
    });
    return total;
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    // Two threads, a stream each, building the join's groups; merged and paired at the end.
    long half = size / 2;
    List<Map<Long, long[]>> parts = TwoThreads.run(t -> () -> {
      Map<Long, long[]> groups = new HashMap<>();
      for (long i = 0; i < half; i++) {
        long window = (t == 0 ? i : 2 * i) / WINDOW_MILLIS;
        long[] g = groups.computeIfAbsent(window * KEYS + i % KEYS, k -> new long[2]);
        g[0]++;
        g[1] += i;
      }
      return groups;
    });
    long[] total = new long[3];
    Map<Long, long[]> b = parts.get(1);
    parts.get(0).forEach((k, ga) -> {
      long[] gb = b.getOrDefault(k, new long[2]);
      total[1] += ga[0] * gb[0];
    });
    Map<Long, Long> values = new HashMap<>();
    for (Map<Long, long[]> part : parts) {
      part.forEach((k, g) -> values.merge(k, g[1], Long::sum));
    }
    values.forEach((k, v) -> {
      total[0]++;
      total[2] += v * (k / KEYS + 1);
    });
    Files.writeString(out.resolve("result"), Summary.format(total));
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    ResultFile.expect(name(), Summary.format(expected(size)), out.resolve("result"));
  }
}
