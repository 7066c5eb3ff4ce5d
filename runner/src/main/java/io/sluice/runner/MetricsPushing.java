package io.sluice.runner;

import io.sluice.translation.metrics.JobMetrics;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.core.metrics.NoOpMetricsSink;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.metrics.MetricsSink;
import org.apache.beam.sdk.util.InstanceBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a job's metrics to the configured MetricsSink every {@code --metricsPushPeriod} seconds
 * while it runs (a streaming job may never end), and once more, final, when it ends.
 */
final class MetricsPushing {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsPushing.class);

  private MetricsPushing() {}

  static void start(MetricsOptions options, JobMetrics metrics, SluicePipelineResult result) {
    if (options.getMetricsSink() == null || NoOpMetricsSink.class.equals(options.getMetricsSink())) {
      return;
    }
    MetricsSink sink = InstanceBuilder.ofType(MetricsSink.class)
        .fromClass(options.getMetricsSink())
        .withArg(MetricsOptions.class, options)
        .build();
    // One thread: the final push queues behind a periodic one instead of racing it.
    ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-metrics-push");
      t.setDaemon(true);
      return t;
    });
    Runnable push = () -> push(sink, metrics);
    long period = Math.max(1, options.getMetricsPushPeriod());
    pusher.scheduleAtFixedRate(push, period, period, TimeUnit.SECONDS);
    result.whenFinished(() -> {
      pusher.execute(push);
      pusher.shutdown();
    });
  }

  private static void push(MetricsSink sink, JobMetrics metrics) {
    try {
      MetricQueryResults all = MetricsContainerStepMap.asAttemptedOnlyMetricResults(metrics.attempted()).allMetrics();
      if (all.getCounters().iterator().hasNext() || all.getDistributions().iterator().hasNext()
          || all.getGauges().iterator().hasNext() || all.getStringSets().iterator().hasNext()) {
        sink.writeMetrics(all);
      }
    } catch (Exception e) {
      LOG.warn("Could not push metrics to {}", sink.getClass().getName(), e);
    }
  }
}
