package io.sluice.portability.operators;

import io.sluice.execution.runtime.ReportingResource;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.model.pipeline.v1.MetricsApi.MonitoringInfo;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.InvalidProtocolBufferException;

/**
 * A portable job's metrics: what the SDK harnesses report at the end of each bundle (user counters,
 * distributions, gauges, string sets; element counts), summed by the transform each names. Shared
 * by the job's stage operators in this process; the job service hands them out as the job's
 * attempted and committed metrics (a bundle's metrics count once it completed). A job run on a
 * cluster has a copy in each worker process, whose reports the job server's copy absorbs.
 *
 * <p>Updated on gRPC threads: the local totals are guarded by this object's lock.
 */
public final class StageMetrics implements ReportingResource {

  private static final long serialVersionUID = 1L;

  /** Bundles' monitoring infos of this process, summed by transform: for the job's life; a shipped copy starts empty. */
  private transient MetricsContainerStepMap byTransform = new MetricsContainerStepMap();
  /**
   * Reports of the parts run in other processes, each its latest (cumulative), by attempt and part:
   * the job server's copy only, for the job's life. Every attempt's count (attempted metrics).
   */
  private final transient Map<String, List<byte[]>> absorbed = new ConcurrentHashMap<>();

  synchronized void bundleCompleted(List<MonitoringInfo> infos) {
    for (MonitoringInfo info : infos) {
      String transform = info.getLabelsOrDefault("PTRANSFORM", "");
      byTransform.getContainer(transform).update(List.of(info));
    }
  }

  /** This process's totals and every other process's latest report, summed by transform. */
  public synchronized List<MonitoringInfo> monitoringInfos() {
    MetricsContainerStepMap all = new MetricsContainerStepMap();
    all.updateAll(byTransform);
    for (List<byte[]> report : absorbed.values()) {
      for (byte[] bytes : report) {
        try {
          MonitoringInfo info = MonitoringInfo.parseFrom(bytes);
          all.getContainer(info.getLabelsOrDefault("PTRANSFORM", "")).update(List.of(info));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException("a worker's metrics report does not parse", e);
        }
      }
    }
    List<MonitoringInfo> infos = new ArrayList<>();
    all.getMonitoringInfos().forEach(infos::add);
    return infos;
  }

  @Override
  public synchronized Serializable report() {
    ArrayList<byte[]> report = new ArrayList<>();
    byTransform.getMonitoringInfos().forEach(info -> report.add(info.toByteArray()));
    return report;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void absorb(int attempt, String part, Serializable report) {
    absorbed.put(attempt + "/" + part, (List<byte[]>) report);
  }

  /** A copy arriving in a worker starts with nothing gathered. */
  private Object readResolve() {
    return new StageMetrics();
  }
}
