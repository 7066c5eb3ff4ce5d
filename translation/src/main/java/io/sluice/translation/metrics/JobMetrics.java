package io.sluice.translation.metrics;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.MetricResults;

/**
 * The metrics of one job. Each operator instance owns the containers of its steps (written only by
 * its subtask's thread, so user code pays no contention); a query merges them all by step.
 */
public final class JobMetrics {

  private static final class StepContainer {
    final String step;
    final MetricsContainerImpl container;

    StepContainer(String step, MetricsContainerImpl container) {
      this.step = step;
      this.container = container;
    }
  }

  private final Queue<StepContainer> containers = new ConcurrentLinkedQueue<>();

  /** A fresh container for one operator instance's share of step {@code stepName}. */
  public MetricsContainerImpl containerFor(String stepName) {
    MetricsContainerImpl container = new MetricsContainerImpl(stepName);
    containers.add(new StepContainer(stepName, container));
    return container;
  }

  /** All metrics so far, merged by step. */
  public MetricsContainerStepMap snapshot() {
    MetricsContainerStepMap merged = new MetricsContainerStepMap();
    for (StepContainer c : containers) {
      merged.update(c.step, c.container);
    }
    return merged;
  }

  /**
   * Attempted metrics count every bundle that ran. A bundle that completed is committed: a batch
   * job retries nothing, so when the job succeeded every bundle committed, and when it failed we
   * report no committed values rather than pretend the failed bundle's partial updates committed.
   */
  public MetricResults results(boolean jobSucceeded) {
    MetricsContainerStepMap attempted = snapshot();
    return MetricsContainerStepMap.asMetricResults(attempted, jobSucceeded ? attempted : new MetricsContainerStepMap());
  }
}
