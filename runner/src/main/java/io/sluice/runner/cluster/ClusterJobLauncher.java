package io.sluice.runner.cluster;

import io.sluice.execution.cluster.ClusterClient;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobHandle;
import io.sluice.portability.jobservice.JobLauncher;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Sends the job server's jobs to a coordinator. No jars travel: the workers run the distribution's
 * class path, which holds the portable operators, and user code runs in SDK harnesses that fetch
 * what they need from the job's artifacts.
 */
final class ClusterJobLauncher implements JobLauncher {

  private final NetConfig net;
  private final InetSocketAddress coordinator;

  ClusterJobLauncher(NetConfig net, InetSocketAddress coordinator) {
    this.net = net;
    this.coordinator = coordinator;
  }

  @Override
  public JobHandle launch(JobGraph graph, ExecutionConfig config) throws Exception {
    return ClusterClient.submit(net, coordinator, graph, config, List.of());
  }
}
