package io.sluice.execution.cluster;

import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.NetServer;
import io.sluice.execution.net.PeerRole;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of a cluster: its port, where workers register and prove with heartbeats that
 * they live, and the registry of live workers. A worker is lost at once when its connection closes,
 * and within the heartbeat timeout (plus a tenth of it) when it falls silent.
 */
public final class Coordinator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

  /** Heartbeats every second; a worker silent for five is lost. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);

  private final NetServer server;
  private final WorkerRegistry registry;
  private final ScheduledExecutorService liveness;

  private Coordinator(NetServer server, WorkerRegistry registry, ScheduledExecutorService liveness) {
    this.server = server;
    this.registry = registry;
    this.liveness = liveness;
  }

  public static Coordinator start(NetConfig net, int port, Duration heartbeatInterval, Duration heartbeatTimeout,
      WorkerRegistry.Listener listener) throws IOException {
    if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("the heartbeat timeout (" + heartbeatTimeout
          + ") must be at least twice the interval (" + heartbeatInterval + ")");
    }
    String id = UUID.randomUUID().toString();
    WorkerRegistry registry = new WorkerRegistry(heartbeatTimeout.toMillis(), listener);
    NetServer server = NetServer.start(net, port, EnumSet.of(PeerRole.WORKER), connection ->
        new WorkerSession(registry, id, heartbeatInterval.toMillis(), heartbeatTimeout.toMillis()));
    ScheduledExecutorService liveness = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-coordinator-liveness");
      t.setDaemon(true);
      return t;
    });
    long check = Math.max(10, heartbeatTimeout.toMillis() / 10);
    liveness.scheduleWithFixedDelay(() -> {
      try {
        registry.expireSilent();
      } catch (RuntimeException e) {
        LOG.error("Checking the workers' heartbeats failed", e);
      }
    }, check, check, TimeUnit.MILLISECONDS);
    LOG.info("Coordinator {} at {}", id, server.address());
    return new Coordinator(server, registry, liveness);
  }

  public InetSocketAddress address() {
    return server.address();
  }

  public List<WorkerInfo> workers() {
    return registry.workers();
  }

  @Override
  public void close() {
    liveness.shutdownNow();
    server.close();
  }
}
