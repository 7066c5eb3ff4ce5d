package io.sluice.execution.cluster;

import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.NetServer;
import io.sluice.execution.net.PeerRole;
import io.sluice.execution.runtime.DaemonThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of a cluster: its port, where workers register and prove with heartbeats that
 * they live and clients submit jobs; the registry of live workers; the table of jobs, which it
 * places into the workers' slots and restarts when a worker is lost. A worker is lost at once when
 * its connection closes, and within the heartbeat timeout (plus a tenth of it) when it falls silent.
 */
public final class Coordinator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

  /** Heartbeats every second; a worker silent for five is lost. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);
  /** How long a job waits for free slots (taken by other jobs, or a lost worker's replacement). */
  public static final Duration DEFAULT_SLOT_TIMEOUT = Duration.ofSeconds(60);

  /** How a coordinator is set up: by flags or a file, in the distribution. */
  public record Settings(NetConfig net, int port, Duration heartbeatInterval, Duration heartbeatTimeout,
      Duration slotTimeout, Path workDirectory, String statusAddress, int statusPort) {

    /** Without the status page. */
    public Settings(NetConfig net, int port, Duration heartbeatInterval, Duration heartbeatTimeout,
        Duration slotTimeout, Path workDirectory) {
      this(net, port, heartbeatInterval, heartbeatTimeout, slotTimeout, workDirectory, null, -1);
    }
  }

  private final NetServer server;
  private final WorkerRegistry registry;
  private final JobTable jobs;
  private final ScheduledExecutorService timer;
  private final ExecutorService transfers;
  /** Null without the status page. */
  private final StatusServer status;

  private Coordinator(NetServer server, WorkerRegistry registry, JobTable jobs, ScheduledExecutorService timer,
      ExecutorService transfers, StatusServer status) {
    this.status = status;
    this.server = server;
    this.registry = registry;
    this.jobs = jobs;
    this.timer = timer;
    this.transfers = transfers;
  }

  /** A coordinator with default timeouts and a fresh working directory, telling {@code listener} of workers. */
  public static Coordinator start(NetConfig net, int port, Duration heartbeatInterval, Duration heartbeatTimeout,
      WorkerRegistry.Listener listener) throws IOException {
    return start(new Settings(net, port, heartbeatInterval, heartbeatTimeout, DEFAULT_SLOT_TIMEOUT,
        Files.createTempDirectory("sluice-coordinator-")), listener);
  }

  public static Coordinator start(Settings s) throws IOException {
    return start(s, null);
  }

  private static Coordinator start(Settings s, WorkerRegistry.Listener listener) throws IOException {
    if (s.heartbeatTimeout().compareTo(s.heartbeatInterval().multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("the heartbeat timeout (" + s.heartbeatTimeout()
          + ") must be at least twice the interval (" + s.heartbeatInterval() + ")");
    }
    String id = UUID.randomUUID().toString();
    BlobStore blobs = new BlobStore(s.workDirectory().resolve("blobs"));
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("sluice-coordinator"));
    ExecutorService transfers = Executors.newCachedThreadPool(DaemonThreads.named("sluice-coordinator-blobs"));
    JobTable[] table = new JobTable[1];
    WorkerRegistry registry = new WorkerRegistry(s.heartbeatTimeout().toMillis(), new WorkerRegistry.Listener() {
      @Override
      public void joined(WorkerInfo worker) {
        if (listener != null) {
          listener.joined(worker);
        }
        timer.execute(table[0]::placeWaiting);
      }

      @Override
      public void lost(WorkerInfo worker, String reason) {
        LOG.warn("Worker {} lost: {}", worker.id(), reason);
        table[0].workerLost(worker, reason);
        if (listener != null) {
          listener.lost(worker, reason);
        }
      }
    });
    table[0] = new JobTable(registry, blobs, timer, s.slotTimeout());
    NetServer server;
    try {
      server = NetServer.start(s.net(), s.port(), EnumSet.of(PeerRole.WORKER, PeerRole.CLIENT), connection ->
          connection.role() == PeerRole.CLIENT ? new ClientSession(table[0], blobs, connection)
              : new WorkerSession(registry, table[0], blobs, transfers, id, s.heartbeatInterval().toMillis(),
                  s.heartbeatTimeout().toMillis()));
    } catch (IOException | RuntimeException e) {
      timer.shutdownNow();
      transfers.shutdownNow();
      throw e;
    }
    StatusServer status = null;
    if (s.statusPort() >= 0) {
      try {
        status = StatusServer.start(s.statusAddress(), s.statusPort(), table[0], registry);
      } catch (IOException e) {
        server.close();
        timer.shutdownNow();
        transfers.shutdownNow();
        throw new IOException("cannot serve the status page on " + s.statusAddress() + ":" + s.statusPort() + ": "
            + e.getMessage(), e);
      }
    }
    long check = Math.max(10, s.heartbeatTimeout().toMillis() / 10);
    timer.scheduleWithFixedDelay(() -> {
      try {
        registry.expireSilent();
      } catch (RuntimeException e) {
        LOG.error("Checking the workers' heartbeats failed", e);
      }
    }, check, check, TimeUnit.MILLISECONDS);
    LOG.info("Coordinator {} at {}", id, server.address());
    return new Coordinator(server, registry, table[0], timer, transfers, status);
  }

  public InetSocketAddress address() {
    return server.address();
  }

  public List<WorkerInfo> workers() {
    return registry.workers();
  }

  JobTable jobs() {
    return jobs;
  }

  /** Where the status page is; null without it. */
  public InetSocketAddress statusAddress() {
    return status == null ? null : status.address();
  }

  @Override
  public void close() {
    if (status != null) {
      status.close();
    }
    timer.shutdownNow();
    transfers.shutdownNow();
    server.close();
  }
}
