package io.sluice.runner.cluster;

import io.sluice.execution.cluster.ClusterClient;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.net.ClusterTls;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.SharedSecret;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobHandle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code --coordinator} sends a job: {@code [local]} keeps it in this JVM; {@code
 * [local-cluster:N]} starts a coordinator and N workers on this machine for the job's lifetime;
 * {@code HOST:PORT} submits it to a running coordinator, with its jars.
 */
public final class ClusterSubmission {

  public static final String EMBEDDED = "[local]";
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("\\[local-cluster:(\\d+)]");

  private ClusterSubmission() {}

  /** Whether the job stays in this JVM; fails on a value that is none of the three forms. */
  public static boolean isEmbedded(String coordinator) {
    if (coordinator == null || coordinator.equals(EMBEDDED)) {
      return true;
    }
    Matcher m = LOCAL_CLUSTER.matcher(coordinator);
    if (m.matches()) {
      int n = Integer.parseInt(m.group(1));
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("--coordinator=[local-cluster:N] takes 1 to 64 workers, got " + n);
      }
      return false;
    }
    SluiceMain.address(coordinator.startsWith("[") ? "--coordinator must be [local], [local-cluster:N] or HOST:PORT,"
        + " got " + coordinator : coordinator);
    return false;
  }

  /**
   * Submits the job; returns once the coordinator has it.
   *
   * @param secret the shared secret; may be null for a local cluster, which makes its own
   * @param tls the cluster's TLS, or null if it runs over plain TCP
   * @param filesToStage the user's {@code --filesToStage}, or null
   * @param classPath the job's class path as detected in this JVM (its class loader's)
   */
  public static JobHandle submit(String coordinator, SharedSecret secret, ClusterTls tls, List<String> filesToStage,
      List<String> classPath, JobGraph graph, ExecutionConfig config) throws IOException, InterruptedException {
    Matcher m = LOCAL_CLUSTER.matcher(coordinator);
    if (m.matches()) {
      int slots = graph.vertices().stream().mapToInt(Vertex::parallelism).max().orElse(1);
      LocalCluster cluster = LocalCluster.start(Integer.parseInt(m.group(1)), slots, List.of(),
          String.join(java.io.File.pathSeparator, classPath));
      try {
        // The workers run on the job's class path: only what the user names explicitly travels.
        JobHandle job = ClusterClient.submit(new NetConfig(cluster.secret()), cluster.coordinator(), graph, config,
            filesToStage == null ? List.of() : StagedJars.of(filesToStage, true));
        job.completion().whenComplete((ignored, error) -> cluster.close());
        return job;
      } catch (IOException | InterruptedException | RuntimeException e) {
        cluster.close();
        throw e;
      }
    }
    if (secret == null) {
      throw new IllegalArgumentException("--coordinator=" + coordinator + " needs the cluster's shared secret:"
          + " --clusterSecret, --clusterSecretFile or the environment variable " + ClusterSecrets.ENVIRONMENT);
    }
    InetSocketAddress address = SluiceMain.address(coordinator);
    return ClusterClient.submit(new NetConfig(secret).tls(tls), address, graph, config,
        filesToStage != null ? StagedJars.of(filesToStage, true) : StagedJars.of(classPath, false));
  }
}
