package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.metrics.MetricsSink;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Streaming jobs end to end: continuous sources, triggers, state backends, cancellation. */
class StreamingTest {

  private static final java.time.Duration BOUND = java.time.Duration.ofSeconds(60);
  private static final AtomicLong SEEN = new AtomicLong();

  private static PipelineOptions options(String... extra) {
    List<String> args = new ArrayList<>(List.of("--runner=SluiceRunner", "--parallelism=2"));
    args.addAll(Arrays.asList(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void triggersFireEarlyOnTimeAndLateOnEitherBackend(String backend) {
    Pipeline p = Pipeline.create(options("--stateBackend=" + backend));
    PCollection<Long> sums = p
        .apply(TestStream.create(StringUtf8Coder.of())
            .advanceWatermarkTo(new Instant(0))
            .addElements(TimestampedValue.of("a", new Instant(1)), TimestampedValue.of("b", new Instant(2)))
            .addElements(TimestampedValue.of("c", new Instant(3)))
            .advanceWatermarkTo(new Instant(20_000))
            .addElements(TimestampedValue.of("late", new Instant(4)))
            .advanceWatermarkToInfinity())
        .apply(Window.<String>into(FixedWindows.of(Duration.standardSeconds(10)))
            .triggering(AfterWatermark.pastEndOfWindow()
                .withEarlyFirings(AfterPane.elementCountAtLeast(2))
                .withLateFirings(AfterPane.elementCountAtLeast(1)))
            .withAllowedLateness(Duration.standardMinutes(1))
            .accumulatingFiredPanes())
        .apply(WithKeys.of("k"))
        .apply(Count.perKey())
        .apply(org.apache.beam.sdk.transforms.Values.create());
    IntervalWindow first = new IntervalWindow(new Instant(0), new Instant(10_000));
    PAssert.that(sums).inWindow(first).containsInAnyOrder(2L, 3L, 4L);
    PAssert.that(sums).inOnTimePane(first).containsInAnyOrder(3L);
    PAssert.that(sums).inEarlyPane(first).containsInAnyOrder(2L);
    PAssert.that(sums).inLatePane(first).containsInAnyOrder(4L);
    assertEquals(PipelineResult.State.DONE, assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish()));
  }

  /**
   * The default trigger without lateness (one pane per key and window, at its end): a GroupByKey
   * and a Combine.perKey each give every window one on-time, only pane at the window's end, and
   * drop (and count) an element whose window the watermark has passed.
   */
  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void theDefaultTriggerFiresOncePerWindowAndDropsLateData(String backend) {
    Pipeline p = Pipeline.create(options("--stateBackend=" + backend));
    PCollection<KV<String, Long>> input = p
        .apply(TestStream.create(org.apache.beam.sdk.coders.KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .advanceWatermarkTo(new Instant(0))
            .addElements(TimestampedValue.of(KV.of("a", 1L), new Instant(1)),
                TimestampedValue.of(KV.of("b", 2L), new Instant(2)),
                TimestampedValue.of(KV.of("a", 3L), new Instant(9_999)))
            .addElements(TimestampedValue.of(KV.of("a", 5L), new Instant(10_000)))
            .advanceWatermarkTo(new Instant(20_000))
            .addElements(TimestampedValue.of(KV.of("a", 100L), new Instant(4)))
            .addElements(TimestampedValue.of(KV.of("b", 7L), new Instant(20_000)))
            .advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows.of(Duration.standardSeconds(10))));
    IntervalWindow first = new IntervalWindow(new Instant(0), new Instant(10_000));
    IntervalWindow second = new IntervalWindow(new Instant(10_000), new Instant(20_000));
    IntervalWindow third = new IntervalWindow(new Instant(20_000), new Instant(30_000));
    PCollection<KV<String, Long>> sums = input.apply(Sum.longsPerKey());
    PAssert.that(sums).inOnTimePane(first).containsInAnyOrder(KV.of("a", 4L), KV.of("b", 2L));
    PAssert.that(sums).inOnTimePane(second).containsInAnyOrder(KV.of("a", 5L));
    PAssert.that(sums).inOnTimePane(third).containsInAnyOrder(KV.of("b", 7L));
    PAssert.that(sums.apply("Panes", ParDo.of(new PaneOf()))).containsInAnyOrder(
        "a@" + first.maxTimestamp().getMillis() + ":ON_TIME first last",
        "b@" + first.maxTimestamp().getMillis() + ":ON_TIME first last",
        "a@" + second.maxTimestamp().getMillis() + ":ON_TIME first last",
        "b@" + third.maxTimestamp().getMillis() + ":ON_TIME first last");
    PCollection<KV<String, Iterable<Long>>> groups = input.apply(org.apache.beam.sdk.transforms.GroupByKey.create());
    PAssert.that(groups.apply("Groups", ParDo.of(new GroupOf())))
        .containsInAnyOrder("a0[1, 3]", "b0[2]", "a10000[5]", "b20000[7]");
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, assertTimeoutPreemptively(BOUND, () -> result.waitUntilFinish()));
    long dropped = 0;
    long asserted = 0;
    for (MetricResult<Long> counter : result.metrics().allMetrics().getCounters()) {
      if (counter.getName().getName().equals("droppedDueToLateness")) {
        dropped += counter.getAttempted();
      } else if (counter.getName().getName().equals(PAssert.SUCCESS_COUNTER)) {
        asserted += counter.getAttempted();
      }
    }
    assertEquals(2, dropped, "the late element, dropped by the GroupByKey and by the Combine");
    assertEquals(5, asserted, "every PAssert ran");
  }

  /** A group as its key, window start and sorted values. */
  static class GroupOf extends DoFn<KV<String, Iterable<Long>>, String> {
    @ProcessElement
    public void process(@Element KV<String, Iterable<Long>> group, BoundedWindow window, OutputReceiver<String> out) {
      List<Long> values = new ArrayList<>();
      group.getValue().forEach(values::add);
      values.sort(null);
      out.output(group.getKey() + ((IntervalWindow) window).start().getMillis() + values);
    }
  }

  /** Each element's key, timestamp and pane. */
  static class PaneOf extends DoFn<KV<String, Long>, String> {
    @ProcessElement
    public void process(ProcessContext c) {
      org.apache.beam.sdk.transforms.windowing.PaneInfo pane = c.pane();
      c.output(c.element().getKey() + "@" + c.timestamp().getMillis() + ":" + pane.getTiming()
          + (pane.isFirst() ? " first" : "") + (pane.isLast() ? " last" : ""));
    }
  }

  /** Counts per key in state, emits the count when the window ends: keyed state and event-time timers. */
  static class CountInState extends DoFn<KV<Long, Long>, KV<Long, Long>> {
    @StateId("count")
    private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("end")
    private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(@Element KV<Long, Long> e, @StateId("count") ValueState<Long> count,
        @TimerId("end") Timer end, org.apache.beam.sdk.transforms.windowing.BoundedWindow window) {
      Long c = count.read();
      count.write(c == null ? 1 : c + 1);
      end.set(window.maxTimestamp());
    }

    @OnTimer("end")
    public void onEnd(@Key Long key, @StateId("count") ValueState<Long> count, OutputReceiver<KV<Long, Long>> out) {
      out.output(KV.of(key, count.read()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void keyedStateAndTimersOfManyKeysGiveExactCounts(String backend, @TempDir Path stateRoot) throws IOException {
    Pipeline p = Pipeline.create(options("--streaming=true", "--stateBackend=" + backend,
        "--stateDirectory=" + stateRoot, "--stateMemoryMb=8"));
    PCollection<Long> perKey = p
        .apply(GenerateSequence.from(0).to(20_000))
        .apply(WithKeys.of((Long x) -> x % 500).withKeyType(org.apache.beam.sdk.values.TypeDescriptors.longs()))
        .apply(ParDo.of(new CountInState()))
        .apply(org.apache.beam.sdk.transforms.Values.create());
    PAssert.that(perKey.apply(Sum.longsGlobally())).containsInAnyOrder(20_000L);
    PAssert.that(perKey.apply(Count.globally())).containsInAnyOrder(500L);
    assertEquals(PipelineResult.State.DONE, assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish()));
    try (Stream<Path> left = Files.list(stateRoot)) {
      assertEquals(List.of(), left.toList(), "the job's state directory is removed when it ends");
    }
  }

  static class CountSeen extends DoFn<Long, Long> {
    private final org.apache.beam.sdk.metrics.Counter seen =
        org.apache.beam.sdk.metrics.Metrics.counter(StreamingTest.class, "seen");

    @ProcessElement
    public void process(@Element Long x, OutputReceiver<Long> out) {
      SEEN.incrementAndGet();
      seen.inc();
      out.output(x);
    }
  }

  private static final AtomicLong PUSHED_SEEN = new AtomicLong();

  /** Keeps the largest "seen" counter value pushed to it. */
  public static final class CapturingSink implements MetricsSink {
    public CapturingSink(MetricsOptions options) {}

    @Override
    public void writeMetrics(MetricQueryResults results) {
      for (MetricResult<Long> counter : results.getCounters()) {
        if (counter.getName().getName().equals("seen")) {
          PUSHED_SEEN.accumulateAndGet(counter.getAttempted(), Math::max);
        }
      }
    }
  }

  @Test
  void anEndlessJobPushesItsMetricsWhileItRuns() throws Exception {
    PUSHED_SEEN.set(0);
    PipelineOptions options = options("--blockOnRun=false");
    options.as(MetricsOptions.class).setMetricsSink(CapturingSink.class);
    options.as(MetricsOptions.class).setMetricsPushPeriod(1L);
    Pipeline p = Pipeline.create(options);
    p.apply(GenerateSequence.from(0)).apply(ParDo.of(new CountSeen()));
    PipelineResult result = p.run();
    try {
      assertTimeoutPreemptively(BOUND, () -> {
        while (PUSHED_SEEN.get() == 0) {
          Thread.sleep(50);
        }
      });
      assertEquals(PipelineResult.State.RUNNING, result.getState(), "pushed before the job ended");
    } finally {
      result.cancel();
    }
  }

  @Test
  void anUnboundedJobRunsUntilCancelledAndStopsPromptly() throws Exception {
    SEEN.set(0);
    Pipeline p = Pipeline.create(options("--blockOnRun=false"));
    p.apply(GenerateSequence.from(0)).apply(ParDo.of(new CountSeen()));
    PipelineResult result = p.run();
    assertTimeoutPreemptively(BOUND, () -> {
      while (SEEN.get() < 10_000) {
        Thread.sleep(10);
      }
    });
    assertEquals(PipelineResult.State.RUNNING, result.getState());
    long before = System.nanoTime();
    assertEquals(PipelineResult.State.CANCELLED, assertTimeoutPreemptively(BOUND, result::cancel));
    long cancelMillis = (System.nanoTime() - before) / 1_000_000;
    assertTrue(cancelMillis < 5_000, "cancel took " + cancelMillis + " ms");
  }

  @Test
  void anUnknownStateBackendIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pipeline.create(options("--stateBackend=leveldb")).run());
    assertTrue(e.getMessage().contains("leveldb"), e.getMessage());
  }

  private static final AtomicLong FINALIZED = new AtomicLong();

  /** Emits 0..99 twice, with the number as record id, asks for deduplication, counts finalizations. */
  static final class RepeatingSource extends UnboundedSource<Long, UnboundedSource.CheckpointMark> {
    @Override
    public List<RepeatingSource> split(int desiredNumSplits, PipelineOptions options) {
      return List.of(this);
    }

    @Override
    public UnboundedReader<Long> createReader(PipelineOptions options, CheckpointMark checkpointMark) {
      return new UnboundedReader<Long>() {
        private int position = -1;

        @Override
        public boolean start() {
          return advance();
        }

        @Override
        public boolean advance() {
          if (position >= 199) {
            return false;
          }
          position++;
          return true;
        }

        @Override
        public Long getCurrent() {
          return (long) (position % 100);
        }

        @Override
        public Instant getCurrentTimestamp() {
          return new Instant(position % 100);
        }

        @Override
        public byte[] getCurrentRecordId() {
          return new byte[] {(byte) (position % 100)};
        }

        @Override
        public Instant getWatermark() {
          return position >= 199 ? BoundedWindow.TIMESTAMP_MAX_VALUE : new Instant(0);
        }

        @Override
        public CheckpointMark getCheckpointMark() {
          return FINALIZED::incrementAndGet;
        }

        @Override
        public UnboundedSource<Long, ?> getCurrentSource() {
          return RepeatingSource.this;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public boolean requiresDeduping() {
      return true;
    }

    @Override
    public Coder<CheckpointMark> getCheckpointMarkCoder() {
      return null;
    }

    @Override
    public Coder<Long> getOutputCoder() {
      return VarLongCoder.of();
    }
  }

  @Test
  void anUnboundedSourceIsDeduplicatedAndItsCheckpointsFinalized() {
    FINALIZED.set(0);
    Pipeline p = Pipeline.create(options());
    PCollection<Long> read = p.apply(Read.from(new RepeatingSource()))
        .apply(Window.into(FixedWindows.of(Duration.standardDays(1))));
    List<Long> once = new ArrayList<>();
    for (long i = 0; i < 100; i++) {
      once.add(i);
    }
    PAssert.that(read).containsInAnyOrder(once);
    assertEquals(PipelineResult.State.DONE, assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish()));
    assertTrue(FINALIZED.get() >= 1, "the reader's checkpoint was finalized");
  }
}
