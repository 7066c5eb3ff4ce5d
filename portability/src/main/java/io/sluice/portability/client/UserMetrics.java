package io.sluice.portability.client;

import org.apache.beam.model.pipeline.v1.MetricsApi.MonitoringInfo;
import org.apache.beam.runners.core.metrics.DistributionData;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.MonitoringInfoEncodings;
import org.apache.beam.sdk.metrics.MetricName;

/**
 * A job's user metrics, as the Job API reports them (MonitoringInfos labelled with their step,
 * namespace and name), back in the shape a Beam user queries: by step, under the user's own metric
 * names. Metrics of the system (element counts, timings) are left out, as a classic run has none.
 */
final class UserMetrics {

  private UserMetrics() {}

  static MetricsContainerStepMap byStep(Iterable<MonitoringInfo> infos) {
    MetricsContainerStepMap steps = new MetricsContainerStepMap();
    for (MonitoringInfo info : infos) {
      String namespace = info.getLabelsOrDefault(MonitoringInfoConstants.Labels.NAMESPACE, null);
      String name = info.getLabelsOrDefault(MonitoringInfoConstants.Labels.NAME, null);
      if (namespace == null || name == null) {
        continue;
      }
      MetricsContainerImpl step = steps.getContainer(info.getLabelsOrDefault(MonitoringInfoConstants.Labels.PTRANSFORM,
          ""));
      MetricName metric = MetricName.named(namespace, name);
      String urn = info.getUrn();
      if (urn.equals(MonitoringInfoConstants.Urns.USER_SUM_INT64)) {
        step.getCounter(metric).inc(MonitoringInfoEncodings.decodeInt64Counter(info.getPayload()));
      } else if (urn.equals(MonitoringInfoConstants.Urns.USER_DISTRIBUTION_INT64)) {
        DistributionData d = MonitoringInfoEncodings.decodeInt64Distribution(info.getPayload());
        step.getDistribution(metric).update(d.sum(), d.count(), d.min(), d.max());
      } else if (urn.equals(MonitoringInfoConstants.Urns.USER_LATEST_INT64)) {
        step.getGauge(metric).set(MonitoringInfoEncodings.decodeInt64Gauge(info.getPayload()).value());
      } else if (urn.equals(MonitoringInfoConstants.Urns.USER_SET_STRING)) {
        step.getStringSet(metric).add(
            MonitoringInfoEncodings.decodeStringSet(info.getPayload()).stringSet().toArray(new String[0]));
      } else if (urn.equals(MonitoringInfoConstants.Urns.USER_BOUNDED_TRIE)) {
        step.getBoundedTrie(metric).update(MonitoringInfoEncodings.decodeBoundedTrie(info.getPayload()));
      }
      // Other kinds (double sums, histograms) are not kinds Beam's Java metrics query returns.
    }
    return steps;
  }
}
