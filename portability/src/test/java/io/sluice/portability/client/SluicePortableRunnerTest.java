package io.sluice.portability.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.testing.PAssert;
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
 * Java pipelines through the Job API on a job server in this JVM, user code in the EMBEDDED Java
 * harness: results checked by PAssert, whose success counters must come back through the job's
 * metrics; a failing DoFn's exception comes out of waitUntilFinish.
 */
class SluicePortableRunnerTest {

  private static Pipeline pipeline() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=SluicePortableRunner").create();
    return Pipeline.create(options);
  }

  @Test
  void aJavaPipelineRunsThroughTheJobApi() {
    Pipeline p = pipeline();
    PCollection<KV<String, Integer>> sums = p
        .apply(Create.of(KV.of("a", 1), KV.of("b", 2), KV.of("a", 3)))
        .apply(Sum.integersPerKey());
    PAssert.that(sums).containsInAnyOrder(KV.of("a", 4), KV.of("b", 2));
    PCollection<KV<String, Integer>> counted = p
        .apply("pairs", Create.of(KV.of("x", 5), KV.of("x", 6), KV.of("y", 7))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
        .apply(ParDo.of(new RunningCount()));
    PAssert.that(counted).containsInAnyOrder(KV.of("x", 1), KV.of("x", 2), KV.of("y", 1));
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build());
    long successes = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      successes += counter.getAttempted();
    }
    assertEquals(2, successes, "PAssert successes reported: " + metrics);
  }

  @Test
  void aFailingDoFnsExceptionComesOutOfWaitUntilFinish() {
    Pipeline p = pipeline();
    p.apply(Create.of(1, 2, 3)).apply(MapElements.into(TypeDescriptors.integers()).via(x -> {
      if (x == 2) {
        throw new IllegalArgumentException("user code refuses 2 (sluice-java-failure)");
      }
      return x;
    }));
    Pipeline.PipelineExecutionException failure = assertThrows(Pipeline.PipelineExecutionException.class,
        () -> p.run().waitUntilFinish());
    assertTrue(failure.getMessage().contains("sluice-java-failure"), failure.getMessage());
  }

  /** Counts each key's elements in value state, emitting the count so far. */
  private static final class RunningCount extends DoFn<KV<String, Integer>, KV<String, Integer>> {
    @StateId("count")
    private final StateSpec<ValueState<Integer>> count = StateSpecs.value(VarIntCoder.of());

    @ProcessElement
    public void process(@Element KV<String, Integer> element, @StateId("count") ValueState<Integer> count,
        OutputReceiver<KV<String, Integer>> out) {
      int next = (count.read() == null ? 0 : count.read()) + 1;
      count.write(next);
      out.output(KV.of(element.getKey(), next));
    }
  }
}
