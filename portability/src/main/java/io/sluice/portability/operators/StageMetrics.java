package io.sluice.portability.operators;

import java.util.List;
import org.apache.beam.model.pipeline.v1.MetricsApi.MonitoringInfo;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;

/**
 * A portable job's metrics: what the SDK harnesses report at the end of each bundle (user counters,
 * distributions, gauges, string sets; element counts), summed by the transform each names. Shared
 * by the job's stage operators in this process; the job service hands them out as the job's
 * attempted and committed metrics (a bundle's metrics count once it completed).
 *
 * <p>Updated on gRPC threads: guarded by this object's lock.
 */
public final class StageMetrics {

  /** Bundles' monitoring infos, summed by transform: durable for the job's life. */
  private final MetricsContainerStepMap byTransform = new MetricsContainerStepMap();

  synchronized void bundleCompleted(List<MonitoringInfo> infos) {
    for (MonitoringInfo info : infos) {
      String transform = info.getLabelsOrDefault("PTRANSFORM", "");
      byTransform.getContainer(transform).update(List.of(info));
    }
  }

  public synchronized List<MonitoringInfo> monitoringInfos() {
    List<MonitoringInfo> all = new java.util.ArrayList<>();
    byTransform.getMonitoringInfos().forEach(all::add);
    return all;
  }
}
