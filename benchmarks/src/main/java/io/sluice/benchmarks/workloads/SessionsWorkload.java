package io.sluice.benchmarks.workloads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Session windows with allowed lateness, part of the input late. Record i has key i % 1,000; the
 * stream runs in 10 s blocks of event time, 5 s of records (1 per ms) then 5 s of silence, so each
 * key has one session per block (gap 2 s). One record in 50 is stamped 30 s earlier than its place
 * in the stream: it arrives behind the watermark, joins (and merges) a session of three blocks
 * before, which fires again as a late pane (allowed lateness 60 s, so none is dropped). Panes are
 * discarding, so the counts of all panes add up to the input.
 */
public final class SessionsWorkload implements Workload {

  static final int KEYS = 1000;
  static final long ACTIVE = 5000;
  static final long BLOCK_MILLIS = 10_000;
  static final long LATE_BY = 30_000;

  @Override
  public String name() {
    return "streaming-sessions";
  }

  @Override
  public long records(long size) {
    return size;
  }

  static long timestamp(long i) {
    long t = (i / ACTIVE) * BLOCK_MILLIS + i % ACTIVE;
    return i % 50 == 25 && t >= LATE_BY ? t - LATE_BY : t;
  }

  static final class Keyed extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long i, OutputReceiver<Long> out) {
      out.output(i % KEYS);
    }
  }

  /** [panes, records, sum of (key + 1) * count]: exact however the panes fall. */
  static final class Summarize extends DoFn<KV<Long, Long>, List<Long>> {
    @ProcessElement
    public void process(@Element KV<Long, Long> count, OutputReceiver<List<Long>> out) {
      out.output(List.of(1L, count.getValue(), (count.getKey() + 1) * count.getValue()));
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline.getOptions().as(StreamingOptions.class).setStreaming(true);
    pipeline
        .apply(Read.from(new TimedSequence(size, i -> new Instant(timestamp(i)), 0)))
        .apply("Key", ParDo.of(new Keyed()))
        .apply(Window.<Long>into(Sessions.withGapDuration(Duration.millis(2000)))
            .withAllowedLateness(Duration.millis(60_000))
            .discardingFiredPanes())
        .apply(Count.perElement())
        .apply("Summarize", ParDo.of(new Summarize()))
        .apply("Global", Summary.atTheEnd())
        .apply(Combine.globally(new Summary(3)))
        .apply(ParDo.of(new ResultFile(out.resolve("result"))));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    // Sessions by key: records sorted by time per key, a new session after a gap over 2 s.
    List<long[]> parts = TwoThreads.run(t -> () -> {
      int keys = KEYS / 2;
      long[][] times = new long[keys][];
      int[] filled = new int[keys];
      long perKey = size / KEYS + 1;
      for (int k = 0; k < keys; k++) {
        times[k] = new long[(int) perKey];
      }
      for (long i = 0; i < size; i++) {
        int key = (int) (i % KEYS);
        if (key % 2 == t) {
          int slot = key / 2;
          times[slot][filled[slot]++] = timestamp(i);
        }
      }
      long[] total = new long[3];
      for (int k = 0; k < keys; k++) {
        long[] ts = java.util.Arrays.copyOf(times[k], filled[k]);
        java.util.Arrays.sort(ts);
        long key = 2L * k + t;
        for (int j = 0; j < ts.length; j++) {
          if (j == 0 || ts[j] - ts[j - 1] >= 2000) {
            total[0]++;
          }
          total[1]++;
          total[2] += key + 1;
        }
      }
      return total;
    });
    long[] total = new long[3];
    for (long[] p : parts) {
      for (int j = 0; j < 3; j++) {
        total[j] += p[j];
      }
    }
    // The floor counts final sessions; panes are not comparable, so only records and weights go out.
    Files.writeString(out.resolve("result"), Summary.format(total[1], total[2]));
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    long weighted = 0;
    for (long i = 0; i < size; i++) {
      weighted += i % KEYS + 1;
    }
    String actual = ResultFile.read(out.resolve("result"));
    String[] fields = actual.split(",");
    String tail = fields.length == 3 ? fields[1] + "," + fields[2] : actual;
    if (!Summary.format(size, weighted).equals(tail)) {
      throw new IllegalStateException(name() + ": wrong result: expected records,weight " + Summary.format(size, weighted)
          + " but got " + actual);
    }
    if (fields.length == 3 && Long.parseLong(fields[0]) < KEYS) {
      throw new IllegalStateException(name() + ": too few panes: " + actual);
    }
  }
}
