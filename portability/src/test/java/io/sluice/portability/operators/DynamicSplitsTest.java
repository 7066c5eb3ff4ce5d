package io.sluice.portability.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.util.construction.Timer;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bundle of slow elements is split while it runs and its pieces run side by side, each element
 * processed exactly once. The job server runs two subtasks per operator: without splits no more
 * than two elements would ever be in process at once. A splittable DoFn's restriction is not split.
 */
class DynamicSplitsTest {

  private static final int ELEMENTS = 24;
  private static final long SLOW_MILLIS = 300;
  /** In the harness, which runs in this JVM (EMBEDDED). */
  private static final AtomicInteger RUNNING = new AtomicInteger();
  private static final AtomicInteger MOST_RUNNING = new AtomicInteger();

  @BeforeEach
  void reset() {
    RUNNING.set(0);
    MOST_RUNNING.set(0);
  }

  private static void slowly() throws InterruptedException {
    MOST_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
    try {
      Thread.sleep(SLOW_MILLIS);
    } finally {
      RUNNING.decrementAndGet();
    }
  }

  private static final class Slow extends DoFn<Long, Long> {
    @ProcessElement
    public void process(@Element Long element, OutputReceiver<Long> out) throws InterruptedException {
      slowly();
      out.output(element);
    }
  }

  /** Outputs each offset of its element's range, slowly: the harness could split the range as it goes. */
  private static final class SlowRange extends DoFn<Long, Long> {
    @ProcessElement
    public void process(RestrictionTracker<OffsetRange, Long> tracker, OutputReceiver<Long> out)
        throws InterruptedException {
      for (long offset = tracker.currentRestriction().getFrom(); tracker.tryClaim(offset); offset++) {
        slowly();
        out.output(offset);
      }
    }

    @GetInitialRestriction
    public OffsetRange initial(@Element Long element) {
      return new OffsetRange(0, element);
    }
  }

  @Test
  void slowElementsRunSideBySide() {
    Pipeline p = pipeline();
    PCollection<Long> out = p
        .apply(Create.of(LongStream.range(0, ELEMENTS).boxed().collect(Collectors.toList())))
        .apply(Reshuffle.viaRandomKey())
        .apply(ParDo.of(new Slow()));
    PAssert.that(out).containsInAnyOrder(LongStream.range(0, ELEMENTS).boxed().collect(Collectors.toList()));
    runAndCheck(p);
  }

  @Test
  void aStageWithASplittableDoFnIsNotSplit() {
    Pipeline p = pipeline();
    PCollection<Long> out = p
        .apply(Create.of((long) ELEMENTS / 4))
        .apply(ParDo.of(new SlowRange()));
    PAssert.that(out).containsInAnyOrder(LongStream.range(0, ELEMENTS / 4).boxed().collect(Collectors.toList()));
    run(p);
    assertEquals(1, MOST_RUNNING.get(), "one element, one restriction, not split");
  }

  /**
   * A bundle the harness does not split (it answers nothing) is asked ever more rarely: asked every
   * half second, 64 such pieces flooded the harness's control stream with thousands of asks, a
   * thread each, until the stream stalled and the stage with it.
   */
  @Test
  void aPieceThatDoesNotSplitIsAskedEverMoreRarely() throws Exception {
    AtomicInteger asks = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    RemoteBundle unsplittable = new RemoteBundle() {
      @Override
      public String getId() {
        return "slow";
      }

      @Override
      public Map<String, FnDataReceiver> getInputReceivers() {
        return Map.of();
      }

      @Override
      public Map<KV<String, String>, FnDataReceiver<Timer>> getTimerReceivers() {
        return Map.of();
      }

      @Override
      public void requestProgress() {}

      @Override
      public void split(double fractionOfRemainder) {
        asks.incrementAndGet();
      }

      @Override
      public void close() throws InterruptedException {
        done.await();
      }
    };
    DynamicSplits splits = new DynamicSplits(() -> {
      throw new AssertionError("nothing was split off");
    }, "test");
    splits.sent("a");
    splits.sent("b");
    long runFor = DynamicSplits.SPLIT_AFTER_NANOS * 8;
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      timer.schedule(done::countDown, runFor, TimeUnit.NANOSECONDS);
      splits.finish(unsplittable, () -> {});
    } finally {
      timer.shutdownNow();
    }
    // Asked at 1, 3 and 7 half-seconds in: three asks in four seconds, not seven.
    assertEquals(3, asks.get(), "asks in " + TimeUnit.NANOSECONDS.toMillis(runFor) + " ms");
  }

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluicePortableRunner").create());
  }

  private static void runAndCheck(Pipeline p) {
    run(p);
    assertTrue(MOST_RUNNING.get() > 2, "at most " + MOST_RUNNING.get() + " elements were in process at once");
  }

  private static void run(Pipeline p) {
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    long successes = 0;
    List<String> counted = new ArrayList<>();
    for (MetricResult<Long> counter : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build()).getCounters()) {
      successes += counter.getAttempted();
      counted.add(counter.getName().toString());
    }
    assertEquals(1, successes, "the PAssert ran: " + counted);
  }
}
