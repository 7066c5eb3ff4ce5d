package io.sluice.benchmarks.workloads;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Latency at a fixed input rate: {@code perSecond} records a second (0: as fast as it goes, to
 * find the sustainable rate; event time keeps pace), each
 * stamped with the JVM's nanosecond clock as it leaves the source's step; fixed 1 s windows with a
 * trigger that fires for every element; a GroupByKey over 100 keys; the step after it measures,
 * for every element of every pane, the time since its stamp. All runners run in this JVM, so one
 * recorder sees them; verify checks every element came through once and reports p50 and p99 of
 * those created after the first 5 s (the JVM's warm-up) on a "BENCH-EXTRA" line.
 */
public final class LatencyWorkload implements Workload {

  static final int KEYS = 100;
  private final long perSecond;

  public LatencyWorkload(long perSecond) {
    this.perSecond = perSecond;
  }

  @Override
  public String name() {
    return "streaming-latency";
  }

  @Override
  public long records(long size) {
    return size;
  }

  /** Elements created this long after the first are measured: the JVM warms up before. */
  static final long WARM_UP_NANOS = 5_000_000_000L;

  /** Every latency measured in this JVM, in nanoseconds. */
  static final class Recorder {
    private static long[] latencies = new long[1 << 16];
    private static int count;
    private static long warmingUp;
    private static long firstStamp = Long.MIN_VALUE;

    static synchronized long stamp() {
      long now = System.nanoTime();
      if (firstStamp == Long.MIN_VALUE) {
        firstStamp = now;
      }
      return now;
    }

    static synchronized void add(long stamp, long now) {
      if (stamp - firstStamp < WARM_UP_NANOS) {
        warmingUp++;
        return;
      }
      long nanos = now - stamp;
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = nanos;
    }

    static synchronized long[] drain() {
      long[] out = Arrays.copyOf(latencies, count);
      count = 0;
      return out;
    }

    static synchronized long warmingUp() {
      return warmingUp;
    }
  }

  static final class Stamp extends DoFn<Long, KV<Long, Long>> {
    @ProcessElement
    public void process(@Element Long i, OutputReceiver<KV<Long, Long>> out) {
      out.output(KV.of(i % KEYS, Recorder.stamp()));
    }
  }

  static final class Measure extends DoFn<KV<Long, Iterable<Long>>, Void> {
    @ProcessElement
    public void process(@Element KV<Long, Iterable<Long>> pane) {
      long now = System.nanoTime();
      for (long stamp : pane.getValue()) {
        Recorder.add(stamp, now);
      }
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline.getOptions().as(StreamingOptions.class).setStreaming(true);
    long rate = perSecond;
    pipeline
        .apply(Read.from(new TimedSequence(size, i -> new Instant(rate == 0 ? i : i * 1000 / rate), rate)))
        .apply("Stamp", ParDo.of(new Stamp()))
        .apply(Window.<KV<Long, Long>>into(FixedWindows.of(Duration.standardSeconds(1)))
            .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes())
        .apply(GroupByKey.create())
        .apply("Measure", ParDo.of(new Measure()));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) {
    throw new UnsupportedOperationException("latency has no plain-Java floor");
  }

  @Override
  public void verify(long size, Path data, Path out) {
    long[] latencies = Recorder.drain();
    long warmingUp = Recorder.warmingUp();
    if (latencies.length + warmingUp != size || latencies.length == 0) {
      throw new IllegalStateException(name() + ": " + latencies.length + " elements measured and " + warmingUp
          + " during the warm-up, " + size + " sent");
    }
    Arrays.sort(latencies);
    System.out.printf("BENCH-EXTRA measured=%d latencyP50Micros=%d latencyP99Micros=%d latencyMaxMicros=%d%n",
        latencies.length, latencies[latencies.length / 2] / 1000, latencies[(int) (latencies.length * 0.99)] / 1000,
        latencies[latencies.length - 1] / 1000);
  }
}
