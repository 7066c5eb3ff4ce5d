package io.sluice.runner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.execution.net.NetConfig;
import io.sluice.portability.jobservice.JobServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job server whose jobs run on a cluster: a coordinator and two worker processes run the
 * portable job's stages (the Java SDK harness EMBEDDED in each worker), keyed state and shuffles
 * across processes; results and the harnesses' metrics come back through the Job API.
 */
class PortableJobsOnClusterTest {

  private static final int KEYS = 20;
  private static final int PER_KEY = 50;

  static final class Tagging extends DoFn<Integer, KV<String, Long>> {
    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<KV<String, Long>> out) {
      Metrics.counter(PortableJobsOnClusterTest.class, "seen").inc();
      out.output(KV.of("k" + (i % KEYS), 1L));
    }
  }

  /** Counts each key's elements in keyed state; emits the count it reached at each element. */
  static final class RunningCount extends DoFn<KV<String, Long>, KV<String, Long>> {
    @StateId("count")
    private final StateSpec<ValueState<Long>> count = StateSpecs.value(VarLongCoder.of());

    @ProcessElement
    public void process(@Element KV<String, Long> e, @StateId("count") ValueState<Long> count,
        OutputReceiver<KV<String, Long>> out) {
      long next = (count.read() == null ? 0 : count.read()) + e.getValue();
      count.write(next);
      out.output(KV.of(e.getKey(), next));
    }
  }

  @Test
  void aJobServerPointedAtACoordinatorRunsItsJobsOnTheWorkers(@TempDir Path dir) throws Exception {
    try (LocalCluster cluster = LocalCluster.start(2, 2, List.of("-Xmx1g"));
        JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2,
            new ClusterJobLauncher(new NetConfig(cluster.secret()), cluster.coordinator()))) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluicePortableRunner",
          "--jobEndpoint=" + server.jobEndpoint(), "--defaultEnvironmentType=EMBEDDED").create());
      List<Integer> input = new ArrayList<>();
      for (int i = 0; i < KEYS * PER_KEY; i++) {
        input.add(i);
      }
      PCollection<KV<String, Long>> tagged = p.apply(Create.of(input)).apply(ParDo.of(new Tagging()));
      PCollection<KV<String, Long>> running = tagged.apply(ParDo.of(new RunningCount()))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
      List<KV<String, Long>> finals = new ArrayList<>();
      for (int k = 0; k < KEYS; k++) {
        finals.add(KV.of("k" + k, (long) PER_KEY));
      }
      PAssert.that(tagged.apply(Sum.longsPerKey())).containsInAnyOrder(finals);
      PAssert.that(running.apply(org.apache.beam.sdk.transforms.Max.longsPerKey())).containsInAnyOrder(finals);
      PipelineResult result = p.run();
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
      long seen = 0;
      for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named(PortableJobsOnClusterTest.class, "seen")).build()).getCounters()) {
        seen += c.getAttempted();
      }
      assertEquals(KEYS * PER_KEY, seen, "the workers' harnesses' counters reach the client");
      long successes = 0;
      for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build()).getCounters()) {
        successes += c.getAttempted();
      }
      assertEquals(2, successes, "both assertions ran on the workers");
    }
  }
}
