package io.sluice.execution.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.net.ClusterTls;
import io.sluice.execution.net.NetClient;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.PeerRole;
import io.sluice.execution.net.SharedSecret;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster over TLS, every process holding the cluster's key store (made with the JDK's keytool,
 * as a user would): a job's records cross between its workers; a client without TLS, or with
 * another key store, is refused.
 */
class ClusterTlsTest {

  private static final SharedSecret SECRET = SharedSecret.ofText("cluster-tls-test-secret");
  private static final char[] PASSWORD = "store-password".toCharArray();

  @TempDir
  Path dir;

  private Path keyStore(String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "sluice", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=sluice-" + name, "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes());
    assertEquals(0, keytool.waitFor(), "keytool: " + out);
    return store;
  }

  @Test
  void aJobRunsOverTlsAndAPeerWithoutTheClustersKeyIsRefused() throws Exception {
    NetConfig net = new NetConfig(SECRET).handshakeTimeout(Duration.ofSeconds(5))
        .tls(ClusterTls.of(keyStore("cluster"), PASSWORD));
    try (Coordinator coordinator = Coordinator.start(new Coordinator.Settings(net, 0, Duration.ofMillis(100),
            Duration.ofMillis(1000), Duration.ofSeconds(5), dir.resolve("coordinator")));
        Worker w0 = Worker.start(new Worker.Settings("worker-0", 2, coordinator.address(), net, 0, null,
            dir.resolve("w0"), Duration.ofSeconds(5), Duration.ofSeconds(30)));
        Worker w1 = Worker.start(new Worker.Settings("worker-1", 2, coordinator.address(), net, 0, null,
            dir.resolve("w1"), Duration.ofSeconds(5), Duration.ofSeconds(30)))) {
      JobGraph graph = new JobGraph("over-tls");
      Vertex source = graph.addVertex("numbers", 2);
      OperatorNode numbers = source.add("numbers", (OperatorFactory) s -> new ClusterJobTest.Numbers(-1));
      Vertex sink = graph.addVertex("sum", 2);
      OperatorNode sum = sink.add("sum", (OperatorFactory) s -> new ClusterJobTest.Summing());
      graph.connect(numbers, 0, sum, 0, Partitioning.roundRobin());
      ClusterJobTest.Received received = new ClusterJobTest.Received();
      JobHandle job = ClusterClient.submit(net, coordinator.address(), graph,
          new ExecutionConfig().jobResource(ClusterJobTest.Received.class, received), List.of());
      job.completion().get(60, TimeUnit.SECONDS);
      assertEquals(2L * ClusterJobTest.PER_SOURCE, received.total()[1]);
      assertEquals(2, received.reports.get(1).size(), "both workers ran a part");

      NetConfig plain = new NetConfig(SECRET).handshakeTimeout(Duration.ofSeconds(2));
      NetConfig otherKey = new NetConfig(SECRET).handshakeTimeout(Duration.ofSeconds(2))
          .tls(ClusterTls.of(keyStore("other"), PASSWORD));
      for (NetConfig outsider : List.of(plain, otherKey)) {
        try (NetClient client = new NetClient(outsider)) {
          assertThrows(IOException.class, () -> client.connect(coordinator.address(), PeerRole.CLIENT,
              c -> (conn, m) -> { }));
          assertThrows(IOException.class, () -> client.connect(w0.dataAddress(), PeerRole.PEER, c -> (conn, m) -> { }));
        }
      }
      assertTrue(w0.isConnected() && w1.isConnected(), "the workers stay");
    }
  }
}
