package io.sluice.translation.metrics;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.NoOpMetricsSink;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.metrics.MetricsSink;
import org.apache.beam.sdk.util.InstanceBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a job's metrics to the configured MetricsSink every {@code --metricsPushPeriod} seconds
 * while it runs (a streaming job may never end), and once more, final, when it ends. Both runners
 * use it: the embedded one with the job's own metrics, the portable one with what the job server
 * reports.
 */
public final class MetricsPushing {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsPushing.class);

  private MetricsPushing() {}

  /**
   * Starts pushing, if a sink is configured: {@code metrics} is asked on the pusher's thread;
   * {@code whenFinished} runs what it is given once, when the job has ended.
   */
  public static void start(MetricsOptions options, Supplier<MetricQueryResults> metrics,
      Consumer<Runnable> whenFinished) {
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
    whenFinished.accept(() -> {
      pusher.execute(push);
      pusher.shutdown();
    });
  }

  private static void push(MetricsSink sink, Supplier<MetricQueryResults> metrics) {
    try {
      MetricQueryResults all = metrics.get();
      if (all.getCounters().iterator().hasNext() || all.getDistributions().iterator().hasNext()
          || all.getGauges().iterator().hasNext() || all.getStringSets().iterator().hasNext()) {
        sink.writeMetrics(all);
      }
    } catch (Exception e) {
      LOG.warn("Could not push metrics to {}", sink.getClass().getName(), e);
    }
  }
}
