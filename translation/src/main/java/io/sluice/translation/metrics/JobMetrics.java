package io.sluice.translation.metrics;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.runtime.ReportingResource;
import java.io.Serializable;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.MetricResults;

/**
 * The metrics of one job. Each operator instance owns the containers of its steps (written only by
 * its subtask's thread, so user code pays no contention); a query merges them all by step. A job
 * run on a cluster has a copy in each worker, whose reports its client's copy absorbs.
 */
public final class JobMetrics implements ReportingResource {

  private static final long serialVersionUID = 1L;

  /** What a worker's copy has gathered: attempted, and committed as the job's end would have it. */
  private record Report(MetricsContainerStepMap attempted, MetricsContainerStepMap committedIfSucceeded,
      MetricsContainerStepMap committedAtCheckpoint) implements Serializable {}

  /** What travels to a worker: nothing gathered here, for a worker's copy starts empty. */
  private record Shipped() implements Serializable {
    private static final long serialVersionUID = 1L;

    private Object readResolve() {
      return new JobMetrics();
    }
  }

  private Object writeReplace() {
    return new Shipped();
  }

  /** Reports of the parts run elsewhere, by attempt and part: the latest of each. Client only. */
  private final Map<Integer, Map<String, Report>> absorbed = new ConcurrentHashMap<>();

  private static final class StepContainer {
    final String step;
    final MetricsContainerImpl container;

    StepContainer(String step, MetricsContainerImpl container) {
      this.step = step;
      this.container = container;
    }
  }

  /** Every container made, those of failed attempts too: attempted metrics. */
  private final Queue<StepContainer> containers = new ConcurrentLinkedQueue<>();
  /** The latest attempt's instances of checkpointed steps, by step and subtask. */
  private final Map<String, InstanceMetrics> instances = new ConcurrentHashMap<>();
  /** Containers of checkpointed instances of failed attempts: attempted only. */
  private final Set<MetricsContainerImpl> replaced = Collections.synchronizedSet(
      Collections.newSetFromMap(new IdentityHashMap<>()));
  /** The totals each instance had at the latest complete checkpoint, by step and subtask. */
  private final Map<String, MetricsContainerImpl> committed = new ConcurrentHashMap<>();

  /** A fresh container for one operator instance's share of step {@code stepName}. */
  public MetricsContainerImpl containerFor(String stepName) {
    MetricsContainerImpl container = new MetricsContainerImpl(stepName);
    containers.add(new StepContainer(stepName, container));
    return container;
  }

  /**
   * The metrics of step {@code stepName} in the operator instance {@code context} opens, kept in the
   * job's metrics that the process running it provides ({@link OperatorContext#jobResource}).
   */
  public static InstanceMetrics forOperator(String stepName, OperatorContext context) {
    return context.jobResource(JobMetrics.class).instanceFor(stepName, context);
  }

  /**
   * The metrics of step {@code stepName} in one operator instance of a streaming job, whose
   * committed values follow its checkpoints; replaces the instance a failed attempt had.
   */
  public InstanceMetrics instanceFor(String stepName, OperatorContext context) {
    InstanceMetrics instance = new InstanceMetrics(this, stepName, context, containerFor(stepName));
    InstanceMetrics previous = instances.put(instance.key(), instance);
    if (previous != null) {
      replaced.add(previous.container());
    }
    return instance;
  }

  void commit(String instanceKey, MetricsContainerImpl totals) {
    committed.put(instanceKey, totals);
  }

  /** All metrics so far, merged by step. */
  private MetricsContainerStepMap snapshot() {
    MetricsContainerStepMap merged = new MetricsContainerStepMap();
    for (StepContainer c : containers) {
      merged.update(c.step, c.container);
    }
    return merged;
  }

  /**
   * Attempted metrics count every bundle that ran, in every attempt. Committed ones count each
   * element once: when the job succeeded, every instance's final totals (a step without
   * checkpoints: all it did, since nothing was retried); while it runs or after it failed, the
   * totals of the latest complete checkpoint (none without checkpoints, rather than pretend a
   * failed bundle's partial updates committed).
   */
  public MetricResults results(boolean jobSucceeded) {
    MetricsContainerStepMap committedNow = committed(jobSucceeded);
    int lastAttempt = absorbed.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    Map<String, Report> last = absorbed.getOrDefault(lastAttempt, Map.of());
    last.values().forEach(report -> committedNow.updateAll(
        jobSucceeded ? report.committedIfSucceeded() : report.committedAtCheckpoint()));
    return MetricsContainerStepMap.asMetricResults(attempted(), committedNow);
  }

  /** Every attempted update so far: this process's and those the parts run elsewhere reported. */
  public MetricsContainerStepMap attempted() {
    MetricsContainerStepMap attempted = snapshot();
    absorbed.values().forEach(parts -> parts.values().forEach(report -> attempted.updateAll(report.attempted())));
    return attempted;
  }

  @Override
  public Serializable report() {
    return new Report(snapshot(), committed(true), committed(false));
  }

  @Override
  public void absorb(int attempt, String part, Serializable report) {
    absorbed.computeIfAbsent(attempt, a -> new ConcurrentHashMap<>()).put(part, (Report) report);
  }

  private MetricsContainerStepMap committed(boolean jobSucceeded) {
    MetricsContainerStepMap committedNow = new MetricsContainerStepMap();
    if (jobSucceeded) {
      Set<MetricsContainerImpl> checkpointed = Collections.newSetFromMap(new IdentityHashMap<>());
      for (InstanceMetrics instance : instances.values()) {
        committedNow.update(stepOf(instance.key()), instance.total());
        checkpointed.add(instance.container());
      }
      for (StepContainer c : containers) {
        if (!checkpointed.contains(c.container) && !isReplaced(c.container)) {
          committedNow.update(c.step, c.container);
        }
      }
    } else {
      committed.forEach((key, totals) -> committedNow.update(stepOf(key), totals));
    }
    return committedNow;
  }

  /** A container of a checkpointed instance that a later attempt's instance replaced. */
  private boolean isReplaced(MetricsContainerImpl container) {
    return replaced.contains(container);
  }

  private static String stepOf(String instanceKey) {
    return instanceKey.substring(0, instanceKey.lastIndexOf('#'));
  }
}
