package io.sluice.runner.cluster;

import io.sluice.execution.cluster.Coordinator;
import io.sluice.execution.cluster.Worker;
import io.sluice.execution.net.ClusterTls;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.SharedSecret;
import io.sluice.portability.jobservice.JobLauncher;
import io.sluice.portability.jobservice.JobServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distribution's entry point, {@code bin/sluice}: {@code sluice coordinator [flags]} or {@code
 * sluice worker --coordinator=HOST:PORT [flags]}. Runs until stopped (a signal); a worker whose
 * coordinator goes away exits with status 1, for its supervisor to start it again.
 */
public final class SluiceMain {

  private static final Logger LOG = LoggerFactory.getLogger(SluiceMain.class);

  /** The coordinator's port unless --port says otherwise. */
  public static final int DEFAULT_PORT = 7480;

  static final Set<String> COMMON = Set.of("bindAddress", "secretFile", "workDir", "parentPid", "handshakeTimeout",
      "maxFrameBytes", "tlsKeyStore", "tlsKeyStorePassword");
  static final Set<String> COORDINATOR_FLAGS = union(COMMON, Set.of("port", "portFile", "heartbeatInterval",
      "heartbeatTimeout", "slotTimeout", "statusAddress", "statusPort", "jobPort"));
  /** Beside the job server's own: where its jobs go (a coordinator, else this JVM) and the cluster's secret. */
  static final Set<String> JOB_SERVER_CLUSTER_FLAGS = Set.of("coordinator", "secret-file");
  /** The status page's port unless --statusPort says otherwise (-1: none). */
  public static final int DEFAULT_STATUS_PORT = 7490;
  static final Set<String> WORKER_FLAGS = union(COMMON, Set.of("coordinator", "slots", "id", "dataPort",
      "advertisedHost", "readyFile", "linkTimeout", "blobTimeout"));

  private SluiceMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !Set.of("coordinator", "worker", "job-server").contains(args[0])) {
      System.err.println("usage: sluice coordinator [--port=" + DEFAULT_PORT + "] [--bindAddress=127.0.0.1]"
          + " [--statusPort=" + DEFAULT_STATUS_PORT + "] [--statusAddress=127.0.0.1]"
          + " [--secretFile=FILE] [--workDir=DIR] [--config=FILE] [--jobPort=PORT (Beam's Job API too)]\n"
          + "       sluice worker --coordinator=HOST:PORT [--slots=N] [--id=NAME] [--dataPort=0]"
          + " [--bindAddress=127.0.0.1] [--advertisedHost=HOST] [--secretFile=FILE] [--workDir=DIR] [--config=FILE]\n"
          + "       sluice job-server [--job-port=8099] [--artifact-port=8098] [--job-host=localhost]"
          + " [--expansion-port=PORT] [--parallelism=2] [--coordinator=HOST:PORT --secret-file=FILE]\n"
          + "The secret is also read from the environment variable " + ClusterSecrets.ENVIRONMENT + ".");
      System.exit(2);
    }
    try {
      if (args[0].equals("job-server")) {
        JobServer.runUntilStopped(jobServer(java.util.Arrays.copyOfRange(args, 1, args.length)));
        return;
      }
      AutoCloseable running = args[0].equals("coordinator") ? coordinator(args) : worker(args);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          running.close();
        } catch (Exception e) {
          LOG.warn("Stopping failed", e);
        }
        stopped.countDown();
      }, "sluice-shutdown"));
      stopped.await();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  /**
   * A job server for portable pipelines: its jobs run in its own JVM, or on the cluster of the
   * coordinator {@code --coordinator} names.
   */
  static JobServer jobServer(String[] args) throws Exception {
    java.util.Map<String, String> flags = JobServer.parseFlags(args, JOB_SERVER_CLUSTER_FLAGS);
    JobLauncher launcher = JobLauncher.EMBEDDED;
    if (flags.containsKey("coordinator")) {
      SharedSecret secret = ClusterSecrets.require(null, flags.get("secret-file"), "secret-file",
          "a job server sending jobs to a coordinator");
      launcher = new ClusterJobLauncher(new NetConfig(secret), address(flags.get("coordinator")));
    }
    return JobServer.fromFlags(flags, launcher);
  }

  static AutoCloseable coordinator(String[] args) throws Exception {
    ClusterFlags f = ClusterFlags.parse("coordinator", args, 1, COORDINATOR_FLAGS);
    NetConfig net = net(f, "the coordinator");
    Coordinator c = Coordinator.start(new Coordinator.Settings(net, f.integer("port", DEFAULT_PORT, 0),
        f.duration("heartbeatInterval", Coordinator.DEFAULT_HEARTBEAT_INTERVAL),
        f.duration("heartbeatTimeout", Coordinator.DEFAULT_HEARTBEAT_TIMEOUT),
        f.duration("slotTimeout", Coordinator.DEFAULT_SLOT_TIMEOUT), workDir(f, "sluice-coordinator-"),
        f.string("statusAddress", NetConfig.DEFAULT_BIND_ADDRESS), f.integer("statusPort", DEFAULT_STATUS_PORT, -1)));
    String portFile = f.string("portFile", null);
    if (portFile != null) {
      Path tmp = Path.of(portFile + ".tmp");
      Files.writeString(tmp, Integer.toString(c.address().getPort()));
      Files.move(tmp, Path.of(portFile), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    watchParent(f, c);
    if (f.string("jobPort", null) == null) {
      return c;
    }
    // The Job API on the coordinator's host: its jobs come back to this coordinator as any client's do.
    String host = f.string("bindAddress", NetConfig.DEFAULT_BIND_ADDRESS);
    JobServer jobs = JobServer.start(host, f.integer("jobPort", 8099, 0), 0, workDir(f, "sluice-coordinator-")
        .resolve("artifacts"), 2, new ClusterJobLauncher(new NetConfig(net.secret()).tls(net.tls()), new InetSocketAddress(host, c.address().getPort())));
    return () -> {
      jobs.close();
      c.close();
    };
  }

  static Worker worker(String[] args) throws Exception {
    ClusterFlags f = ClusterFlags.parse("worker", args, 1, WORKER_FLAGS);
    NetConfig net = net(f, "a worker");
    String id = f.string("id", InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid());
    Worker w = Worker.start(new Worker.Settings(id, f.integer("slots", Runtime.getRuntime().availableProcessors(), 1),
        address(f.required("coordinator")), net, f.integer("dataPort", 0, 0), f.string("advertisedHost", null),
        workDir(f, "sluice-worker-"), f.duration("linkTimeout", Duration.ofSeconds(30)),
        f.duration("blobTimeout", Duration.ofMinutes(5))));
    String ready = f.string("readyFile", null);
    if (ready != null) {
      Files.writeString(Path.of(ready), id);
    }
    Thread watch = new Thread(() -> {
      while (true) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
        if (!w.isConnected()) {
          LOG.error("Worker {} lost its coordinator; exiting for its supervisor to start it again", id);
          Runtime.getRuntime().halt(1);
        }
      }
    }, "sluice-worker-watch");
    watch.setDaemon(true);
    watch.start();
    watchParent(f, w);
    return w;
  }

  /** A process started for a local cluster ends with the JVM that started it, even one killed. */
  private static void watchParent(ClusterFlags f, AutoCloseable self) {
    String pid = f.string("parentPid", null);
    if (pid == null) {
      return;
    }
    ProcessHandle parent = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
    Thread t = new Thread(() -> {
      while (parent != null && parent.isAlive()) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
      LOG.info("The process that started this one ({}) is gone; stopping", pid);
      Runtime.getRuntime().halt(0);
    }, "sluice-parent-watch");
    t.setDaemon(true);
    t.start();
  }

  private static NetConfig net(ClusterFlags f, String who) {
    SharedSecret secret = ClusterSecrets.require(null, f.string("secretFile", null), "secretFile", who);
    NetConfig net = new NetConfig(secret).bindAddress(f.string("bindAddress", NetConfig.DEFAULT_BIND_ADDRESS))
        .handshakeTimeout(f.duration("handshakeTimeout", Duration.ofSeconds(10)));
    String keyStore = f.string("tlsKeyStore", null);
    if (keyStore != null) {
      try {
        net.tls(ClusterTls.of(Path.of(keyStore), f.string("tlsKeyStorePassword", "").toCharArray()));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    String max = f.string("maxFrameBytes", null);
    if (max != null) {
      net.maxFrameBytes(f.integer("maxFrameBytes", 0, 1024));
    }
    return net;
  }

  private static Path workDir(ClusterFlags f, String prefix) throws java.io.IOException {
    String dir = f.string("workDir", null);
    return dir != null ? Files.createDirectories(Path.of(dir)) : Files.createTempDirectory(prefix);
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
    }
    try {
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'", e);
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.Set<String> u = new java.util.TreeSet<>(a);
    u.addAll(b);
    return java.util.Collections.unmodifiableSet(u);
  }
}
