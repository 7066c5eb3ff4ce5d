package io.sluice.portability.jobservice;

import io.sluice.portability.Flags;
import io.sluice.execution.runtime.DaemonThreads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.runners.fnexecution.artifact.ArtifactStagingService;
import org.apache.beam.sdk.expansion.service.ExpansionServer;
import org.apache.beam.sdk.expansion.service.ExpansionService;
import org.apache.beam.sdk.fn.server.FnService;
import org.apache.beam.sdk.fn.server.GrpcFnServer;
import org.apache.beam.sdk.fn.server.ServerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's job server: Beam's Job API and artifact staging, each on its own port of the loopback
 * interface unless a host is given; jobs run where its {@link JobLauncher} puts them (the embedded
 * engine unless told otherwise: bin/sluice sends them to a coordinator on request).
 *
 * <p>Flags ({@code --name=value}): job-host (localhost), job-port (8099; 0 picks one),
 * artifact-port (8098; 0 picks one), artifacts-dir (a temporary directory), parallelism (2),
 * expansion-port (none: Beam's Java expansion service on this port, 0 picks one, serving the
 * transforms its registrars on the class path offer).
 */
public final class JobServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobServer.class);

  private final GrpcFnServer<ArtifactStagingService> staging;
  private final GrpcFnServer<SluiceJobService> jobs;
  private final ExecutorService executor;
  /** Null unless asked for. */
  private ExpansionServer expansion;

  private JobServer(GrpcFnServer<ArtifactStagingService> staging, GrpcFnServer<SluiceJobService> jobs,
      ExecutorService executor) {
    this.staging = staging;
    this.jobs = jobs;
    this.executor = executor;
  }

  /**
   * Starts Beam's Java expansion service beside the job server, on {@code port} (0 picks one) of
   * the job server's host; returns the port. Its transforms are what the expansion service's
   * registrars on the class path offer; their environment is the one the expansion request asks for.
   */
  public synchronized int startExpansionService(int port) throws Exception {
    if (expansion == null) {
      String host = jobEndpoint().substring(0, jobEndpoint().lastIndexOf(':'));
      expansion = ExpansionServer.create(new ExpansionService(), host, port);
      LOG.info("Java expansion service on {}:{}", expansion.getHost(), expansion.getPort());
    }
    return expansion.getPort();
  }

  public static JobServer start(String host, int jobPort, int artifactPort, Path artifactsDir, int parallelism)
      throws Exception {
    return start(host, jobPort, artifactPort, artifactsDir, parallelism, JobLauncher.EMBEDDED);
  }

  /** A job server whose jobs run where {@code launcher} puts them. */
  public static JobServer start(String host, int jobPort, int artifactPort, Path artifactsDir, int parallelism,
      JobLauncher launcher) throws Exception {
    Files.createDirectories(artifactsDir);
    GrpcFnServer<ArtifactStagingService> staging = serve(new ArtifactStagingService(
        ArtifactStagingService.beamFilesystemArtifactDestinationProvider(artifactsDir.toString())), host, artifactPort);
    ExecutorService executor = Executors.newCachedThreadPool(DaemonThreads.named("sluice-portable-job"));
    GrpcFnServer<SluiceJobService> jobs = serve(new SluiceJobService(staging.getApiServiceDescriptor(),
        staging.getService(), new PortableJobRunner(parallelism, launcher), executor), host, jobPort);
    LOG.info("Job service on {}, artifact staging on {}", jobs.getApiServiceDescriptor().getUrl(),
        staging.getApiServiceDescriptor().getUrl());
    return new JobServer(staging, jobs, executor);
  }

  private static <S extends FnService> GrpcFnServer<S> serve(S service, String host, int port) throws Exception {
    if (port == 0) {
      return GrpcFnServer.allocatePortAndCreateFor(service, ServerFactory.createWithUrlFactory(
          (h, p) -> host + ":" + p));
    }
    return GrpcFnServer.create(service, Endpoints.ApiServiceDescriptor.newBuilder().setUrl(host + ":" + port).build(),
        ServerFactory.createDefault());
  }

  /** Where clients reach the Job API: host:port. */
  public String jobEndpoint() {
    return jobs.getApiServiceDescriptor().getUrl();
  }

  @Override
  public void close() throws Exception {
    if (expansion != null) {
      expansion.close();
    }
    jobs.close();
    staging.close();
    executor.shutdownNow();
  }

  /** The flags {@link #fromFlags} takes. */
  public static final java.util.Set<String> FLAGS = java.util.Set.of("job-host", "job-port", "artifact-port",
      "artifacts-dir", "parallelism", "expansion-port");

  public static void main(String[] args) throws Exception {
    runUntilStopped(fromFlags(parseFlags(args, java.util.Set.of()), JobLauncher.EMBEDDED));
  }

  /** {@code args} as flags: those of {@link #FLAGS} and the caller's {@code extra}; any other fails, named. */
  public static Map<String, String> parseFlags(String[] args, java.util.Set<String> extra) {
    java.util.Set<String> known = new java.util.TreeSet<>(FLAGS);
    known.addAll(extra);
    Map<String, String> flags = Flags.parse(args);
    for (String name : flags.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown flag --" + name + "; known: --" + String.join(", --", known));
      }
    }
    return flags;
  }

  /** A job server set up by {@code flags} (those of {@link #FLAGS}; others are the caller's), its jobs run by {@code launcher}. */
  public static JobServer fromFlags(Map<String, String> flags, JobLauncher launcher) throws Exception {
    Path artifacts = flags.containsKey("artifacts-dir") ? Paths.get(flags.get("artifacts-dir"))
        : Files.createTempDirectory("sluice-artifacts-");
    JobServer server = start(flags.getOrDefault("job-host", "localhost"),
        Integer.parseInt(flags.getOrDefault("job-port", "8099")),
        Integer.parseInt(flags.getOrDefault("artifact-port", "8098")), artifacts,
        Integer.parseInt(flags.getOrDefault("parallelism", "2")), launcher);
    if (flags.containsKey("expansion-port")) {
      server.startExpansionService(Integer.parseInt(flags.get("expansion-port")));
    }
    return server;
  }

  /** Serves until the JVM is asked to stop (a signal), then closes {@code server}. */
  public static void runUntilStopped(AutoCloseable server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        LOG.warn("The job server did not stop cleanly", e);
      }
      stopped.countDown();
    }));
    stopped.await();
  }
}
