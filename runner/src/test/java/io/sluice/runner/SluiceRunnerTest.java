package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.metrics.StringSet;
import org.apache.beam.sdk.metrics.StringSetResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End-to-end tests of {@link SluiceRunner}: plain Beam pipelines run with {@code --runner=SluiceRunner}.
 * Every check is on exact results.
 */
class SluiceRunnerTest {

  private static final java.time.Duration BOUND = java.time.Duration.ofSeconds(60);

  /** Results that user code in a pipeline hands to the test: the job runs in this JVM. */
  private static final AtomicReference<RuntimeException> THROWN = new AtomicReference<>();

  private static volatile CountDownLatch slowFnStarted = new CountDownLatch(1);

  private final List<PipelineResult> started = new ArrayList<>();

  @AfterEach
  void cancelLeftovers() {
    for (PipelineResult result : started) {
      if (result.getState() == PipelineResult.State.RUNNING) {
        try {
          result.cancel();
        } catch (Exception e) {
          // best effort: a test that failed may leave its job running
        }
      }
    }
  }

  private static PipelineOptions options(String... extra) {
    List<String> args = new ArrayList<>(List.of("--runner=SluiceRunner", "--parallelism=2"));
    args.addAll(Arrays.asList(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
  }

  private PipelineResult runAsync(Pipeline p) {
    PipelineResult result = p.run();
    started.add(result);
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Results

  @Test
  void wordCountGivesExactCounts() {
    List<String> lines = new ArrayList<>();
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      StringBuilder line = new StringBuilder();
      for (int w = 0; w <= i % 7; w++) {
        String word = "w" + ((i * 31 + w * 17) % 113);
        line.append(word).append(' ');
        expected.merge(word, 1L, Long::sum);
      }
      lines.add(line.toString().trim());
    }
    List<KV<String, Long>> expectedKvs = new ArrayList<>();
    expected.forEach((w, c) -> expectedKvs.add(KV.of(w, c)));

    Pipeline p = Pipeline.create(options());
    PCollection<KV<String, Long>> counts = p
        .apply("Lines", Create.of(lines))
        .apply("Words", FlatMapElements.into(TypeDescriptors.strings()).via((String l) -> Arrays.asList(l.split(" "))))
        .apply("CountWords", Count.perElement());
    PAssert.that(counts).containsInAnyOrder(expectedKvs);
    PCollection<Long> distinct = counts.apply("Distinct", Count.globally());
    PAssert.thatSingleton(distinct).isEqualTo((long) expected.size());

    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> p.run());
    assertEquals(PipelineResult.State.DONE, result.getState());
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    TestPipeline.verifyPAssertsSucceeded(p, result);
  }

  @Test
  void failingPAssertFailsTheRun() {
    Pipeline p = Pipeline.create(options());
    PAssert.that(p.apply(Create.of(1, 2, 3))).containsInAnyOrder(1, 2, 4);
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> assertTimeoutPreemptively(BOUND, () -> p.run()));
    assertTrue(e.getCause() instanceof AssertionError, "cause: " + e.getCause());
  }

  // ---------------------------------------------------------------------------------------------
  // PAssert verification through metrics

  private static List<MetricResult<Long>> pAssertCounters(PipelineResult result, String name) {
    List<MetricResult<Long>> out = new ArrayList<>();
    result.metrics()
        .queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.named(PAssert.class, name)).build())
        .getCounters()
        .forEach(out::add);
    return out;
  }

  @Test
  void everyPAssertReportsOneSuccessThroughMetrics() {
    Pipeline p = Pipeline.create(options());
    PCollection<Integer> numbers = p.apply("Numbers", Create.of(1, 2, 3, 4, 5, 6));
    PAssert.that(numbers).containsInAnyOrder(6, 5, 4, 3, 2, 1);
    PAssert.thatSingleton(numbers.apply("Total", Sum.integersGlobally())).isEqualTo(21);
    PAssert.that(numbers.apply("NoneAboveTen", Filter.greaterThan(10))).empty();
    assertEquals(3, PAssert.countAsserts(p));

    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> p.run());
    assertEquals(PipelineResult.State.DONE, result.getState());
    assertTrue(MetricsEnvironment.isMetricsSupported(), "SluiceRunner.run() must declare metrics supported");

    List<MetricResult<Long>> successes = pAssertCounters(result, PAssert.SUCCESS_COUNTER);
    assertEquals(3, successes.size(), "one success counter per PAssert step: " + successes);
    Set<String> steps = new TreeSet<>();
    for (MetricResult<Long> success : successes) {
      steps.add(success.getKey().stepName());
      // In the global window each assertion runs exactly once.
      assertEquals(1L, success.getAttempted(), success.toString());
      assertEquals(1L, success.getCommitted(), success.toString());
    }
    assertEquals(3, steps.size(), "distinct steps: " + steps);
    for (MetricResult<Long> failure : pAssertCounters(result, PAssert.FAILURE_COUNTER)) {
      assertEquals(0L, failure.getAttempted(), failure.toString());
    }
    TestPipeline.verifyPAssertsSucceeded(p, result);
  }

  /** A PAssert whose assertion never ran (its job was cancelled first) is caught by the verification. */
  @Test
  void verificationFailsWhenAPAssertNeverRan() throws Exception {
    slowFnStarted = new CountDownLatch(1);
    Pipeline p = Pipeline.create(options("--blockOnRun=false"));
    PCollection<Integer> slow = p.apply(Create.of(1)).apply("Slow", ParDo.of(new SleepFn(120_000)));
    PAssert.that(slow).containsInAnyOrder(1);
    assertEquals(1, PAssert.countAsserts(p));

    PipelineResult result = runAsync(p);
    assertTrue(slowFnStarted.await(30, TimeUnit.SECONDS), "the slow DoFn never started");
    assertEquals(PipelineResult.State.CANCELLED, assertTimeoutPreemptively(BOUND, result::cancel));
    assertTrue(MetricsEnvironment.isMetricsSupported());

    for (MetricResult<Long> success : pAssertCounters(result, PAssert.SUCCESS_COUNTER)) {
      assertEquals(0L, success.getAttempted(), success.toString());
    }
    AssertionError e = assertThrows(AssertionError.class, () -> TestPipeline.verifyPAssertsSucceeded(p, result));
    assertTrue(e.getMessage().contains("Expected 1 successful assertions, but found 0"), e.getMessage());
  }

  /** Verifying against a pipeline with more PAsserts than the job ran fails, with the exact counts. */
  @Test
  void verificationFailsWhenFewerPAssertsSucceededThanThePipelineHas() {
    Pipeline ran = Pipeline.create(options());
    PCollection<String> letters = ran.apply(Create.of("a", "b"));
    PAssert.that(letters).containsInAnyOrder("a", "b");
    PAssert.that(letters.apply(Count.globally())).containsInAnyOrder(2L);
    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> ran.run());
    TestPipeline.verifyPAssertsSucceeded(ran, result);

    Pipeline larger = Pipeline.create(options());
    PCollection<String> more = larger.apply(Create.of("x"));
    PAssert.that(more).containsInAnyOrder("x");
    PAssert.thatSingleton(more).isEqualTo("x");
    PAssert.that(more.apply(Count.globally())).containsInAnyOrder(1L);
    assertEquals(3, PAssert.countAsserts(larger));

    AssertionError e = assertThrows(AssertionError.class, () -> TestPipeline.verifyPAssertsSucceeded(larger, result));
    assertTrue(e.getMessage().contains("Expected 3 successful assertions, but found 2"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // Failures

  /** Throws IllegalStateException("boom") on element 42 only, and records the very exception thrown. */
  static class BoomFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      if (x == 42) {
        IllegalStateException boom = new IllegalStateException("boom");
        THROWN.set(boom);
        throw boom;
      }
      out.output(x);
    }
  }

  private static List<Integer> range(int n) {
    List<Integer> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add(i);
    }
    return xs;
  }

  @Test
  void userExceptionFailsBlockingRunWithThatException() {
    THROWN.set(null);
    Pipeline p = Pipeline.create(options());
    p.apply(Create.of(range(100))).apply("Boom", ParDo.of(new BoomFn()));

    Pipeline.PipelineExecutionException e = assertTimeoutPreemptively(BOUND,
        () -> assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run()));
    assertNotNull(THROWN.get(), "the DoFn never threw");
    assertSame(THROWN.get(), e.getCause());
    assertEquals("boom", e.getCause().getMessage());
  }

  @Test
  void userExceptionFailsNonBlockingRunAtWaitUntilFinish() {
    THROWN.set(null);
    Pipeline p = Pipeline.create(options("--blockOnRun=false"));
    p.apply(Create.of(range(100))).apply("Boom", ParDo.of(new BoomFn()));

    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> runAsync(p));
    Pipeline.PipelineExecutionException e = assertTimeoutPreemptively(BOUND,
        () -> assertThrows(Pipeline.PipelineExecutionException.class, result::waitUntilFinish));
    assertNotNull(THROWN.get(), "the DoFn never threw");
    assertSame(THROWN.get(), e.getCause());
    assertEquals("boom", e.getCause().getMessage());
    assertEquals(PipelineResult.State.FAILED, result.getState());

    // Asking again gives the same answer; a bounded wait too.
    Pipeline.PipelineExecutionException again =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> result.waitUntilFinish(Duration.standardSeconds(5)));
    assertSame(THROWN.get(), again.getCause());
    assertEquals(PipelineResult.State.FAILED, result.getState());
  }

  /** Sleeps on each element; interruptible, so a cancelled job stops at once. */
  static class SleepFn extends DoFn<Integer, Integer> {
    private final long millis;

    SleepFn(long millis) {
      this.millis = millis;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) throws InterruptedException {
      slowFnStarted.countDown();
      Thread.sleep(millis);
      out.output(x);
    }
  }

  @Test
  void boundedWaitReturnsNullWhileRunningAndCancelStopsTheJob() throws Exception {
    slowFnStarted = new CountDownLatch(1);
    Pipeline p = Pipeline.create(options("--blockOnRun=false"));
    p.apply(Create.of(range(50))).apply("Slow", ParDo.of(new SleepFn(2_000)));

    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> runAsync(p));
    assertEquals(PipelineResult.State.RUNNING, result.getState());
    long before = System.nanoTime();
    assertNull(result.waitUntilFinish(Duration.millis(50)));
    long waitedMillis = (System.nanoTime() - before) / 1_000_000;
    assertTrue(waitedMillis >= 40 && waitedMillis < 5_000, "waited " + waitedMillis + " ms");
    assertTrue(slowFnStarted.await(30, TimeUnit.SECONDS), "the slow DoFn never started");
    assertEquals(PipelineResult.State.RUNNING, result.getState());

    before = System.nanoTime();
    PipelineResult.State state = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), result::cancel);
    long cancelMillis = (System.nanoTime() - before) / 1_000_000;
    assertEquals(PipelineResult.State.CANCELLED, state);
    assertTrue(cancelMillis < 5_000, "cancel took " + cancelMillis + " ms");
    assertEquals(PipelineResult.State.CANCELLED, result.getState());
    assertEquals(PipelineResult.State.CANCELLED, result.waitUntilFinish(Duration.millis(50)));
    assertEquals(PipelineResult.State.CANCELLED, result.waitUntilFinish());
  }

  @Test
  void boundedWaitLongEnoughReturnsDone() {
    Pipeline p = Pipeline.create(options("--blockOnRun=false"));
    PCollection<Integer> out = p.apply(Create.of(range(10))).apply("Slow", ParDo.of(new SleepFn(100)));
    PAssert.that(out).containsInAnyOrder(range(10));
    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> runAsync(p));
    assertEquals(PipelineResult.State.DONE,
        assertTimeoutPreemptively(BOUND, () -> result.waitUntilFinish(Duration.standardSeconds(50))));
    assertEquals(PipelineResult.State.DONE, result.getState());
    TestPipeline.verifyPAssertsSucceeded(p, result);
  }

  /** PipelineResult: "Provide a value less than 1 ms for an infinite wait." */
  @Test
  void boundedWaitOfLessThanOneMillisecondWaitsUntilTheJobEnds() {
    Pipeline p = Pipeline.create(options("--blockOnRun=false"));
    p.apply(Create.of(range(4))).apply("Slow", ParDo.of(new SleepFn(500)));
    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> runAsync(p));
    PipelineResult.State state = assertTimeoutPreemptively(BOUND, () -> result.waitUntilFinish(Duration.ZERO));
    assertEquals(PipelineResult.State.DONE, state, "waitUntilFinish(Duration.ZERO) must wait without limit");
  }

  // ---------------------------------------------------------------------------------------------
  // Options

  @Test
  void unknownOptionFailsAtParsing() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--noSuchOption=1").create());
    assertTrue(e.getMessage().contains("noSuchOption"), e.getMessage());
  }

  @Test
  void sluiceOptionsAreParsed() {
    SluicePipelineOptions o = options("--operatorMemoryMb=3", "--maxElementsPerBundle=7", "--channelCapacity=5",
        "--blockOnRun=false", "--spillDirectory=/some/where").as(SluicePipelineOptions.class);
    assertEquals(2, o.getParallelism());
    assertEquals(3, o.getOperatorMemoryMb());
    assertEquals(7, o.getMaxElementsPerBundle());
    assertEquals(5, o.getChannelCapacity());
    assertEquals(false, o.isBlockOnRun());
    assertEquals("/some/where", o.getSpillDirectory());
    assertEquals(SluiceRunner.class, o.getRunner());
  }

  @Test
  void zeroParallelismFailsWhenTheRunnerIsCreated() {
    PipelineOptions zero = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=0").create();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pipeline.create(zero));
    assertTrue(e.getMessage().contains("parallelism"), e.getMessage());
    IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> SluiceRunner.fromOptions(zero));
    assertTrue(direct.getMessage().contains("parallelism"), direct.getMessage());
  }

  @Test
  void parallelismAboveTheMaximumParallelismFailsWhenTheRunnerIsCreated() {
    PipelineOptions wide = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=9",
        "--maxParallelism=8").create();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SluiceRunner.fromOptions(wide));
    assertTrue(e.getMessage().contains("--parallelism 9 is above --maxParallelism 8"), e.getMessage());
    PipelineOptions tooMany = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--maxParallelism=40000").create();
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> SluiceRunner.fromOptions(tooMany));
    assertTrue(range.getMessage().contains("--maxParallelism must be between 1 and 32768"), range.getMessage());
    SluicePipelineOptions unset = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--maxParallelism=1")
        .as(SluicePipelineOptions.class);
    assertEquals(1, OptionValues.parallelism(unset), "the default parallelism stays within the maximum");
  }

  // ---------------------------------------------------------------------------------------------
  // Metrics

  /** Reports a counter, a distribution, a gauge and a string set. */
  static class InstrumentedFn extends DoFn<Integer, Integer> {
    private final Counter elements = Metrics.counter("sluice-test", "elements");
    private final Distribution values = Metrics.distribution("sluice-test", "values");
    private final Gauge largest = Metrics.gauge("sluice-test", "largest");
    private final StringSet parities = Metrics.stringSet("sluice-test", "parities");

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      elements.inc();
      values.update(x);
      if (x == 100) {
        largest.set(x);
      }
      parities.add(x % 2 == 0 ? "even" : "odd");
      out.output(x);
    }
  }

  @Test
  void userMetricsAreReportedExactly() {
    List<Integer> oneToHundred = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      oneToHundred.add(i);
    }
    Pipeline p = Pipeline.create(options("--maxElementsPerBundle=7"));
    PCollection<Integer> out = p.apply(Create.of(oneToHundred)).apply("Instrument", ParDo.of(new InstrumentedFn()));
    PAssert.that(out).containsInAnyOrder(oneToHundred);

    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> p.run());
    assertEquals(PipelineResult.State.DONE, result.getState());

    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.inNamespace("sluice-test"))
        .addStep("Instrument")
        .build());

    MetricResult<Long> counter = single(metrics.getCounters(), "elements");
    assertEquals(100L, counter.getAttempted());
    assertEquals(counter.getAttempted(), counter.getCommitted());
    assertTrue(counter.getKey().stepName().contains("Instrument"), counter.getKey().toString());

    MetricResult<DistributionResult> distribution = single(metrics.getDistributions(), "values");
    assertEquals(DistributionResult.create(5050, 100, 1, 100), distribution.getAttempted());
    assertEquals(distribution.getAttempted(), distribution.getCommitted());

    MetricResult<GaugeResult> gauge = single(metrics.getGauges(), "largest");
    assertEquals(100L, gauge.getAttempted().getValue());
    assertEquals(gauge.getAttempted().getValue(), gauge.getCommitted().getValue());

    MetricResult<StringSetResult> stringSet = single(metrics.getStringSets(), "parities");
    assertEquals(Set.of("even", "odd"), stringSet.getAttempted().getStringSet());
    assertEquals(stringSet.getAttempted().getStringSet(), stringSet.getCommitted().getStringSet());

    TestPipeline.verifyPAssertsSucceeded(p, result);
  }

  /** Counts, then throws on 42. */
  static class CountThenBoomFn extends DoFn<Integer, Integer> {
    private final Counter seen = Metrics.counter("sluice-test", "seen");

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      seen.inc();
      if (x == 42) {
        throw new IllegalStateException("boom");
      }
      out.output(x);
    }
  }

  @Test
  void failedJobStillReportsAttemptedMetrics() {
    Pipeline p = Pipeline.create(options("--blockOnRun=false"));
    p.apply(Create.of(42)).apply("CountThenBoom", ParDo.of(new CountThenBoomFn()));
    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> runAsync(p));
    assertThrows(Pipeline.PipelineExecutionException.class,
        () -> assertTimeoutPreemptively(BOUND, () -> result.waitUntilFinish()));
    assertEquals(PipelineResult.State.FAILED, result.getState());
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named("sluice-test", "seen")).build());
    assertEquals(1L, single(metrics.getCounters(), "seen").getAttempted());
  }

  private static <T> MetricResult<T> single(Iterable<MetricResult<T>> results, String name) {
    List<MetricResult<T>> matching = new ArrayList<>();
    for (MetricResult<T> r : results) {
      if (r.getName().getName().equals(name)) {
        matching.add(r);
      }
    }
    assertEquals(1, matching.size(), "metric " + name + ": " + matching);
    return matching.get(0);
  }
}
