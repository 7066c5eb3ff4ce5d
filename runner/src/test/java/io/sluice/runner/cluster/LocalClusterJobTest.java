package io.sluice.runner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

/**
 * A job on {@code --coordinator=[local-cluster:2]}: a coordinator and two worker processes, the
 * subtasks spread over both, so every shuffle crosses processes; results, metrics and a user's
 * failure come back to the client as in embedded mode.
 */
class LocalClusterJobTest {

  private static final int KEYS = 50;
  private static final int PER_KEY = 200;

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=2",
        "--coordinator=[local-cluster:2]").create());
  }

  static final class Counting extends DoFn<Integer, KV<Integer, Long>> {
    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<KV<Integer, Long>> out) {
      Metrics.counter(LocalClusterJobTest.class, "seen").inc();
      out.output(KV.of(i % KEYS, (long) i));
    }
  }

  @Test
  void aShuffleAcrossWorkerProcessesGivesTheResultsAndMetricsOfEmbeddedMode() {
    Pipeline p = pipeline();
    java.util.List<Integer> input = new java.util.ArrayList<>();
    for (int i = 0; i < KEYS * PER_KEY; i++) {
      input.add(i);
    }
    PCollection<KV<Integer, Long>> sums = p.apply(Create.of(input)).apply(ParDo.of(new Counting()))
        .apply(Sum.longsPerKey());
    java.util.List<KV<Integer, Long>> expected = new java.util.ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      long sum = 0;
      for (int j = 0; j < PER_KEY; j++) {
        sum += (long) j * KEYS + k;
      }
      expected.add(KV.of(k, sum));
    }
    PAssert.that(sums).containsInAnyOrder(expected);
    PAssert.thatSingleton(sums.apply(Count.globally())).isEqualTo((long) KEYS);
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(LocalClusterJobTest.class, "seen")).build());
    long seen = 0;
    for (MetricResult<Long> c : metrics.getCounters()) {
      seen += c.getAttempted();
    }
    assertEquals(KEYS * PER_KEY, seen, "the counter's increments of both workers reach the client");
    MetricQueryResults asserts = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build());
    long successes = 0;
    for (MetricResult<Long> c : asserts.getCounters()) {
      successes += c.getCommitted();
    }
    assertEquals(2, successes, "both PAsserts ran");
  }

  static final class UserFailure extends RuntimeException {
    UserFailure(String message) {
      super(message);
    }
  }

  @Test
  void aUserExceptionOnAWorkerComesOutOfWaitUntilFinish() {
    Pipeline p = pipeline();
    p.apply(Create.of(1, 2, 3, 4)).apply(MapElements.into(TypeDescriptors.integers()).via((Integer i) -> {
      if (i == 3) {
        throw new UserFailure("element three is refused");
      }
      return i;
    }));
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class,
        () -> p.run().waitUntilFinish());
    assertTrue(e.getCause() instanceof UserFailure, "the user's own exception: " + e.getCause());
    assertEquals("element three is refused", e.getCause().getMessage());
  }
}
