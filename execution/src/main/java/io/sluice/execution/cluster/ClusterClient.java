package io.sluice.execution.cluster;

import io.netty.buffer.ByteBuf;
import io.sluice.execution.cluster.proto.BlobRef;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.JobState;
import io.sluice.execution.cluster.proto.JobUpdate;
import io.sluice.execution.cluster.proto.OfferBlobs;
import io.sluice.execution.cluster.proto.SubmitJob;
import io.sluice.execution.cluster.proto.VertexShape;
import io.sluice.execution.cluster.proto.WantBlobs;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.JobGraphBytes;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.net.Connection;
import io.sluice.execution.net.MessageHandler;
import io.sluice.execution.net.NetClient;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.PeerRole;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobHandle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits one job to a coordinator and follows it: offers the job's blobs (graph, resources, jars),
 * sends those the coordinator lacks, submits, and returns the job's handle, whose updates arrive on
 * this connection until the job ends. One connection per job.
 */
public final class ClusterClient {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterClient.class);
  /** Jar hashes by file, size and time: a client submitting many jobs hashes each jar once. */
  private static final Map<Path, String> JAR_HASHES = new ConcurrentHashMap<>();

  private ClusterClient() {}

  /**
   * Submits {@code graph}, run as {@code config} says (its directories excepted: each worker has its
   * own), with {@code jars} on the workers' class path beyond their own.
   *
   * @throws IOException if the coordinator cannot be reached or authenticated, or the transfer fails
   */
  public static JobHandle submit(NetConfig net, InetSocketAddress coordinator, JobGraph graph, ExecutionConfig config,
      List<Path> jars) throws IOException, InterruptedException {
    byte[] graphBytes = JobGraphBytes.of(graph);
    byte[] resources = JobSettingsCodec.serialize(new HashMap<>(config.jobResources()));
    Map<String, Object> blobs = new LinkedHashMap<>();
    String graphHash = hash(graphBytes);
    blobs.put(graphHash, graphBytes);
    String resourcesHash = hash(resources);
    blobs.put(resourcesHash, resources);
    List<String> jarHashes = new ArrayList<>();
    for (Path jar : jars) {
      String h = jarHash(jar);
      jarHashes.add(h);
      blobs.put(h, jar);
    }
    NetClient client = new NetClient(net);
    RemoteJob job = new RemoteJob(graph.name(), config, client);
    try {
      Connection c = client.connect(coordinator, PeerRole.CLIENT, conn -> job.handler);
      job.connection = c;
      OfferBlobs.Builder offer = OfferBlobs.newBuilder();
      for (Map.Entry<String, Object> b : blobs.entrySet()) {
        long size = b.getValue() instanceof byte[] bytes ? bytes.length : Files.size((Path) b.getValue());
        offer.addBlobs(BlobRef.newBuilder().setSha256(b.getKey()).setSize(size));
      }
      ControlMessages.send(c, ControlMessage.newBuilder().setOfferBlobs(offer).build());
      long timeout = net.handshakeTimeout().toMillis();
      WantBlobs want = job.wanted.get(timeout, TimeUnit.MILLISECONDS);
      long sent = 0;
      for (String h : want.getSha256List()) {
        Object source = blobs.get(h);
        if (source == null) {
          throw new IOException("the coordinator wants blob " + h + ", which was not offered");
        }
        if (source instanceof byte[] bytes) {
          BlobStore.send(h, new ByteArrayInputStream(bytes), bytes.length, c);
          sent += bytes.length;
        } else {
          Path p = (Path) source;
          try (InputStream in = Files.newInputStream(p)) {
            BlobStore.send(h, in, Files.size(p), c);
          }
          sent += Files.size(p);
        }
      }
      if (sent > 0) {
        LOG.info("Job {}: staged {} of {} blobs ({} KB) with the coordinator at {}", graph.name(), want.getSha256Count(),
            blobs.size(), sent / 1024, coordinator);
      }
      SubmitJob.Builder submit = SubmitJob.newBuilder().setName(graph.name()).setGraphBlob(graphHash)
          .addAllJarBlobs(jarHashes).setSettings(JobSettingsCodec.of(config).setResourcesBlob(resourcesHash));
      for (Vertex v : graph.vertices()) {
        submit.addVertices(VertexShape.newBuilder().setName(v.name()).setParallelism(v.parallelism()));
      }
      ControlMessages.send(c, ControlMessage.newBuilder().setSubmitJob(submit).build());
      job.accepted.get(timeout, TimeUnit.MILLISECONDS);
      return job;
    } catch (ExecutionException e) {
      job.close();
      throw new IOException("submitting job " + graph.name() + " to " + coordinator + " failed: "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      job.close();
      throw new IOException("the coordinator at " + coordinator + " did not answer within "
          + net.handshakeTimeout().toMillis() + " ms while job " + graph.name() + " was submitted");
    } catch (IOException | InterruptedException | RuntimeException e) {
      job.close();
      throw e;
    }
  }

  private static String jarHash(Path jar) throws IOException {
    String key = Files.size(jar) + ":" + Files.getLastModifiedTime(jar).toMillis();
    Path cacheKey = jar.toAbsolutePath().resolve(key);
    String h = JAR_HASHES.get(cacheKey);
    if (h == null) {
      h = BlobStore.hashOf(jar);
      JAR_HASHES.put(cacheKey, h);
    }
    return h;
  }

  private static String hash(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A job on a cluster, as its client follows it. */
  private static final class RemoteJob implements JobHandle {
    private final String name;
    /** The client's copy of the job's resources: it absorbs the workers' reports. */
    private final ExecutionConfig config;
    private final NetClient client;
    private volatile Connection connection;
    private volatile String jobId;
    final CompletableFuture<WantBlobs> wanted = new CompletableFuture<>();
    final CompletableFuture<String> accepted = new CompletableFuture<>();
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    final MessageHandler handler = new MessageHandler() {
      @Override
      public void onMessage(Connection from, ByteBuf bytes) throws IOException {
        ControlMessage m = ControlMessages.read(bytes);
        switch (m.getKindCase()) {
          case WANT_BLOBS:
            if (!wanted.complete(m.getWantBlobs())) {
              throw new IOException("the coordinator asked for blobs twice");
            }
            break;
          case JOB_UPDATE:
            update(m.getJobUpdate());
            break;
          default:
            throw new IOException("a coordinator may not send a client " + m.getKindCase());
        }
      }

      @Override
      public void onClosed(Connection closed) {
        IOException lost = new IOException("the connection to the coordinator at " + closed.remoteAddress()
            + " closed before job " + name + " ended; it may run on there");
        wanted.completeExceptionally(lost);
        accepted.completeExceptionally(lost);
        ForkJoinPool.commonPool().execute(() -> completion.completeExceptionally(lost));
      }
    };

    RemoteJob(String name, ExecutionConfig config, NetClient client) {
      this.name = name;
      this.config = config;
      this.client = client;
      // Off the event loop: closing the client waits for its event loop to end.
      completion.whenCompleteAsync((ignored, error) -> close());
    }

    private void update(JobUpdate u) {
      if (jobId == null) {
        jobId = u.getJobId();
        accepted.complete(jobId);
        LOG.info("Job {} is {} on the cluster", name, jobId);
      }
      for (var report : u.getReportsList()) {
        absorb(report.getAttempt(), report.getWorkerId(), report.getReport().toByteArray());
      }
      JobState state = u.getState();
      // The user's waits and callbacks run off the connection's event loop.
      if (state == JobState.FINISHED) {
        ForkJoinPool.commonPool().execute(() -> completion.complete(null));
      } else if (state == JobState.CANCELLED) {
        Throwable cancelled = new io.sluice.execution.runtime.JobCancelledException(
            "job " + name + " (" + jobId + ") was cancelled");
        ForkJoinPool.commonPool().execute(() -> completion.completeExceptionally(cancelled));
      } else if (state == JobState.FAILED || state == JobState.REFUSED) {
        Throwable failure = failureOf(u);
        ForkJoinPool.commonPool().execute(() -> completion.completeExceptionally(failure));
      }
    }

    private Throwable failureOf(JobUpdate u) {
      if (!u.getFailure().isEmpty()) {
        try {
          Object t = JobSettingsCodec.deserialize(u.getFailure().toByteArray(), loader());
          if (t instanceof Throwable failure) {
            return failure;
          }
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
          LOG.debug("Job {}: its failure does not deserialize here; its text stands for it", name, e);
        }
      }
      return new ClusterJobException((u.getState() == JobState.REFUSED ? "the cluster refused job " : "job ")
          + name + " (" + u.getJobId() + "): " + u.getFailureText());
    }

    @SuppressWarnings("unchecked")
    private void absorb(int attempt, String worker, byte[] bytes) {
      try {
        Map<String, java.io.Serializable> reports = (Map<String, java.io.Serializable>) JobSettingsCodec.deserialize(
            bytes, loader());
        config.jobResources().forEach((type, resource) -> {
          java.io.Serializable r = reports.get(type.getName());
          if (r != null && resource instanceof io.sluice.execution.runtime.ReportingResource reporting) {
            reporting.absorb(attempt, worker, r);
          }
        });
      } catch (IOException | ClassNotFoundException | RuntimeException e) {
        LOG.warn("Job {}: a report of worker {} does not read: {}", name, worker, e.toString());
      }
    }

    private ClassLoader loader() {
      ClassLoader l = Thread.currentThread().getContextClassLoader();
      return l != null ? l : ClusterClient.class.getClassLoader();
    }

    @Override
    public CompletableFuture<Void> completion() {
      return completion;
    }

    @Override
    public void cancel() {
      Connection c = connection;
      if (c != null && c.isOpen() && jobId != null) {
        ControlMessages.send(c, ControlMessage.newBuilder().setCancelJob(
            io.sluice.execution.cluster.proto.CancelJob.newBuilder().setJobId(jobId)).build());
      }
    }

    @Override
    public Path stopWithSavepoint(java.time.Duration timeout) {
      throw new IllegalStateException("job " + name + " runs on a cluster, which takes no checkpoints yet");
    }

    @Override
    public Path savepoint() {
      return null;
    }

    @Override
    public io.sluice.execution.checkpoint.CheckpointStats.Summary checkpointStats() {
      return null;
    }

    @Override
    public String name() {
      return name;
    }

    void close() {
      Connection c = connection;
      if (c != null) {
        c.close();
      }
      client.close();
    }
  }
}
