package io.sluice.runner.cluster;

import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.SharedSecret;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator and workers as processes of this machine, on this JVM's class path, with a fresh
 * secret: {@code --coordinator=[local-cluster:N]}, the suite's cluster, and the recovery tests'.
 * Each process logs to a file in the cluster's directory and ends with this JVM, even a killed one.
 */
public final class LocalCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  private static final long START_MILLIS = 60_000;
  /** Set to true to keep the cluster's directory and its processes' logs after it stops. */
  public static final String KEEP_PROPERTY = "sluice.localCluster.keep";

  private final Path directory;
  private final SharedSecret secret;
  private final Path secretFile;
  private final List<String> jvmArgs;
  private final int slots;
  /** The processes' class path. */
  private final String classPath;
  private Process coordinator;
  private InetSocketAddress address;
  /** The worker processes, by index; a killed one stays in place until restarted. */
  private final List<Process> workers = new ArrayList<>();

  private LocalCluster(Path directory, SharedSecret secret, Path secretFile, List<String> jvmArgs, int slots,
      String classPath) {
    this.classPath = classPath;
    this.directory = directory;
    this.secret = secret;
    this.secretFile = secretFile;
    this.jvmArgs = jvmArgs;
    this.slots = slots;
  }

  /**
   * Starts a coordinator and {@code workerCount} workers of {@code slots} slots each, and returns
   * once all have registered (at most a minute).
   *
   * @param jvmArgs options for each process's JVM (heap size), besides the class path
   */
  public static LocalCluster start(int workerCount, int slots, List<String> jvmArgs) throws IOException,
      InterruptedException {
    return start(workerCount, slots, jvmArgs, System.getProperty("java.class.path"));
  }

  /** As above, the processes on {@code classPath} (a launcher's JVM class path may not hold the job's). */
  public static LocalCluster start(int workerCount, int slots, List<String> jvmArgs, String classPath)
      throws IOException, InterruptedException {
    if (workerCount < 1) {
      throw new IllegalArgumentException("a local cluster needs at least one worker, got " + workerCount);
    }
    Path directory = Files.createTempDirectory("sluice-local-cluster-");
    SharedSecret secret = SharedSecret.random();
    LocalCluster cluster = new LocalCluster(directory, secret, ClusterSecrets.writeSecretFile(directory, secret),
        jvmArgs, slots, classPath);
    try {
      cluster.startCoordinator();
      for (int i = 0; i < workerCount; i++) {
        cluster.workers.add(null);
        cluster.startWorker(i);
      }
      for (int i = 0; i < workerCount; i++) {
        cluster.awaitReady(i);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    LOG.info("Local cluster at {}: {} workers of {} slots; logs in {}", cluster.address, workerCount, slots, directory);
    return cluster;
  }

  private void startCoordinator() throws IOException, InterruptedException {
    Path portFile = directory.resolve("coordinator.port");
    coordinator = launch("coordinator", List.of("coordinator", "--port=0", "--statusPort=0", "--portFile=" + portFile,
        "--workDir=" + directory.resolve("coordinator")));
    String port = awaitFile(portFile, coordinator, "coordinator");
    address = new InetSocketAddress(NetConfig.DEFAULT_BIND_ADDRESS, Integer.parseInt(port.trim()));
  }

  /** Starts worker {@code index} (again, after it was killed). */
  public synchronized void startWorker(int index) throws IOException {
    Path ready = directory.resolve("worker-" + index + ".ready");
    Files.deleteIfExists(ready);
    workers.set(index, launch("worker-" + index, List.of("worker", "--coordinator=" + address.getHostString() + ":"
        + address.getPort(), "--slots=" + slots, "--id=worker-" + index, "--readyFile=" + ready,
        "--workDir=" + directory.resolve("worker-" + index))));
  }

  /** Waits until worker {@code index} has registered with the coordinator. */
  public void awaitReady(int index) throws IOException, InterruptedException {
    awaitFile(directory.resolve("worker-" + index + ".ready"), workers.get(index), "worker-" + index);
  }

  /** Kills worker {@code index} at once, as {@code kill -9} does. */
  public synchronized void killWorker(int index) throws InterruptedException {
    Process p = workers.get(index);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  private Process launch(String name, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classPath);
    command.add(SluiceMain.class.getName());
    command.addAll(args);
    command.add("--secretFile=" + secretFile);
    command.add("--parentPid=" + ProcessHandle.current().pid());
    Path log = directory.resolve(name + ".log");
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private String awaitFile(Path file, Process process, String name) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
    while (!Files.exists(file)) {
      if (!process.isAlive()) {
        throw new IOException("the local cluster's " + name + " exited with status " + process.exitValue()
            + "; its log: " + directory.resolve(name + ".log") + "\n" + tail(directory.resolve(name + ".log")));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("the local cluster's " + name + " was not up within " + START_MILLIS + " ms; its log: "
            + directory.resolve(name + ".log"));
      }
      Thread.sleep(20);
    }
    return Files.readString(file);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  public InetSocketAddress coordinator() {
    return address;
  }

  public SharedSecret secret() {
    return secret;
  }

  public Path secretFile() {
    return secretFile;
  }

  public Path directory() {
    return directory;
  }

  @Override
  public synchronized void close() {
    List<Process> all = new ArrayList<>(workers);
    all.add(coordinator);
    for (Process p : all) {
      if (p != null) {
        p.destroy();
      }
    }
    for (Process p : all) {
      try {
        if (p != null && !p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    if (Boolean.getBoolean(KEEP_PROPERTY)) {
      LOG.info("The local cluster's directory, with its logs, is kept: {}", directory);
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      LOG.warn("Could not remove the local cluster's directory {}", directory, e);
    }
  }
}
