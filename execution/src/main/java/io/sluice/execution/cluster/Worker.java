package io.sluice.execution.cluster;

import com.google.protobuf.ByteString;
import io.sluice.execution.checkpoint.CheckpointStorage;
import io.sluice.execution.checkpoint.CompletedCheckpoint;
import io.sluice.execution.checkpoint.RestorePlan;
import io.sluice.execution.checkpoint.SnapshotWriter;
import io.sluice.execution.cluster.proto.CheckpointDone;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.DeployPart;
import io.sluice.execution.cluster.proto.PartCheckpointed;
import io.sluice.execution.cluster.proto.PartState;
import io.sluice.execution.cluster.proto.PartUpdate;
import io.sluice.execution.cluster.proto.RegisterWorker;
import io.sluice.execution.cluster.proto.SubtaskStatus;
import io.sluice.execution.cluster.proto.TriggerCheckpoint;
import io.sluice.execution.cluster.proto.WantBlobs;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.JobGraphBytes;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.runtime.DaemonThreads;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobCancelledException;
import io.sluice.execution.runtime.JobExecution;
import io.sluice.execution.runtime.ReportingResource;
import io.sluice.execution.runtime.SubtaskProgress;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process's engine: registered with the coordinator, it runs the parts of job attempts it
 * is given (a {@link JobExecution} over a {@link ClusterDeployment}), fetches the blobs they need,
 * and reports each part's state and its resources' reports (every second, and at its end).
 */
public final class Worker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final long REPORT_MILLIS = 1000;
  /** Job class loaders kept for later jobs with the same jars: derived, least recently used dropped. */
  private static final int KEPT_LOADERS = 8;

  /** How a worker is set up: by flags or a file, in the distribution. */
  public record Settings(String id, int slots, InetSocketAddress coordinator, NetConfig net, int dataPort,
      String advertisedHost, Path workDirectory, Duration linkTimeout, Duration blobTimeout) {}

  private final Settings settings;
  private final BlobStore blobs;
  private final PeerLinks links;
  private WorkerAgent agent;
  private final ExecutorService deploys = Executors.newCachedThreadPool(DaemonThreads.named("sluice-worker-deploy"));
  /** Writes the parts' checkpoint files, off the task threads and the event loop. */
  private final ExecutorService checkpointWriter = Executors.newSingleThreadExecutor(DaemonThreads.named("sluice-worker-checkpoints"));
  private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("sluice-worker-reports"));
  /** Parts running here, by job and attempt: derived, until each ends. */
  private final Map<String, RunningPart> parts = new ConcurrentHashMap<>();
  /** Job class loaders by their jars: derived. Guarded by itself. */
  private final Map<List<String>, ClassLoader> loaders = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<List<String>, ClassLoader> eldest) {
      if (size() > KEPT_LOADERS) {
        closeLoader(eldest.getValue());
        return true;
      }
      return false;
    }
  };

  private final class RunningPart {
    final DeployPart order;
    /** Set once the part runs: its execution and channels. */
    volatile JobExecution execution;
    volatile ClusterDeployment deployment;
    volatile ExecutionConfig config;
    volatile boolean cancelled;
    /** Set, under the part's monitor, when its last update is sent: no report may follow it. */
    boolean ended;

    RunningPart(DeployPart order) {
      this.order = order;
    }

    String key() {
      return keyOf(order.getJobId(), order.getAttempt());
    }
  }

  private Worker(Settings settings, BlobStore blobs, PeerLinks links) {
    this.settings = settings;
    this.blobs = blobs;
    this.links = links;
  }

  /** Starts the worker: its data port, then its registration; fails if the coordinator refuses it. */
  public static Worker start(Settings settings) throws IOException, InterruptedException {
    Files.createDirectories(settings.workDirectory());
    BlobStore blobs = new BlobStore(settings.workDirectory().resolve("blobs"));
    Worker[] self = new Worker[1];
    PeerLinks links = PeerLinks.start(settings.net(), settings.id(), settings.dataPort(), peer -> self[0].peerLost(peer));
    Worker worker = new Worker(settings, blobs, links);
    self[0] = worker;
    try {
      String host = settings.advertisedHost() != null ? settings.advertisedHost()
          : links.address().getAddress().getHostAddress();
      worker.agent = WorkerAgent.start(settings.net(), settings.coordinator(), RegisterWorker.newBuilder()
          .setWorkerId(settings.id()).setSlots(settings.slots())
          .setDataHost(host).setDataPort(links.address().getPort()).build(), worker.new Orders());
    } catch (IOException | InterruptedException | RuntimeException e) {
      worker.close();
      throw e;
    }
    worker.reporter.scheduleAtFixedRate(worker::reportAll, REPORT_MILLIS, REPORT_MILLIS, TimeUnit.MILLISECONDS);
    return worker;
  }

  public String id() {
    return settings.id();
  }

  /** Where other workers reach this one's data port. */
  public InetSocketAddress dataAddress() {
    return links.address();
  }

  /** Whether the worker still belongs to its cluster. */
  public boolean isConnected() {
    return agent != null && agent.isConnected();
  }

  private final class Orders implements WorkerAgent.Orders {
    @Override
    public void handle(ControlMessage message) throws IOException {
      switch (message.getKindCase()) {
        case DEPLOY_PART:
          DeployPart order = message.getDeployPart();
          RunningPart part = new RunningPart(order);
          if (parts.putIfAbsent(part.key(), part) != null) {
            throw new IOException("attempt " + order.getAttempt() + " of job " + order.getJobId() + " deployed twice");
          }
          deploys.execute(() -> deploy(part));
          break;
        case CANCEL_PART:
          RunningPart running = parts.get(keyOf(message.getCancelPart().getJobId(), message.getCancelPart().getAttempt()));
          if (running != null) {
            running.cancelled = true;
            JobExecution execution = running.execution;
            if (execution != null) {
              execution.cancel();
            }
          }
          break;
        case BLOB_CHUNK:
          blobs.accept(message.getBlobChunk());
          break;
        case TRIGGER_CHECKPOINT:
          TriggerCheckpoint t = message.getTriggerCheckpoint();
          RunningPart target = parts.get(keyOf(t.getJobId(), t.getAttempt()));
          if (target == null || target.execution == null) {
            // Ended, or not yet running: the coordinator learns it from the part's own update.
            sendCheckpointed(t.getJobId(), t.getAttempt(), t.getCheckpointId(), null,
                "attempt " + t.getAttempt() + " of job " + t.getJobId() + " does not run on worker " + settings.id());
          } else {
            checkpoint(target, t.getCheckpointId());
          }
          break;
        case CHECKPOINT_DONE:
          CheckpointDone done = message.getCheckpointDone();
          RunningPart of = parts.get(keyOf(done.getJobId(), done.getAttempt()));
          if (of != null && of.execution != null) {
            if (done.getCompleted()) {
              of.execution.notifyCheckpointComplete(done.getCheckpointId());
            } else {
              of.execution.abortCheckpoint(done.getCheckpointId());
            }
          }
          break;
        default:
          throw new IOException("the coordinator may not send a worker " + message.getKindCase());
      }
    }

    @Override
    public void coordinatorLost() {
      // Without its coordinator a part can neither report nor be restarted: stop them all.
      for (RunningPart part : parts.values()) {
        part.cancelled = true;
        if (part.execution != null) {
          part.execution.cancel();
        }
      }
    }
  }

  private void deploy(RunningPart part) {
    DeployPart order = part.order;
    String what = "attempt " + order.getAttempt() + " of job " + order.getName() + " (" + order.getJobId() + ")";
    Thread self = Thread.currentThread();
    ClassLoader previous = self.getContextClassLoader();
    try {
      fetch(order);
      ClassLoader loader = loaderFor(order.getJarBlobsList());
      // Subtask threads inherit it: user code finds its classes through the context loader.
      self.setContextClassLoader(loader);
      JobGraph graph = JobGraphBytes.read(blobs.read(order.getGraphBlob()), loader);
      @SuppressWarnings("unchecked")
      Map<Class<?>, Object> resources = order.getSettings().getResourcesBlob().isEmpty() ? Map.of()
          : (Map<Class<?>, Object>) JobSettingsCodec.deserialize(blobs.read(order.getSettings().getResourcesBlob()),
              loader);
      ExecutionConfig config = JobSettingsCodec.apply(order.getSettings(), new ExecutionConfig()
          .spillDirectory(settings.workDirectory().resolve("spill"))
          .stateDirectory(settings.workDirectory().resolve("state")), resources);
      part.config = config;
      ClusterDeployment deployment = new ClusterDeployment(order, graph, settings.id(), links,
          settings.linkTimeout().toMillis());
      part.deployment = deployment;
      if (part.cancelled) {
        throw new JobCancelledException(what + " was cancelled");
      }
      RestorePlan restore = null;
      if (!order.getRestoreFrom().isEmpty()) {
        CompletedCheckpoint checkpoint = CheckpointStorage.findRestorable(Path.of(order.getRestoreFrom()));
        restore = RestorePlan.of(checkpoint, config.keyGroups(), graph.operatorIds().values());
        LOG.info("Worker {}: its part of {} restores checkpoint {}", settings.id(), what, checkpoint.directory());
      }
      JobExecution execution = JobExecution.start(graph, config, restore, deployment);
      part.execution = execution;
      if (part.cancelled) {
        execution.cancel();
      }
      LOG.info("Worker {} runs its part of {}", settings.id(), what);
      send(part, PartState.PART_RUNNING, null);
      execution.completion().whenComplete((ignored, error) -> ended(part, error));
    } catch (Throwable e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.error("Worker {} could not start its part of {}", settings.id(), what, e);
      ended(part, e instanceof JobCancelledException ? e : new IOException("worker " + settings.id()
          + " could not start its part of " + what + ": " + e, e));
    } finally {
      self.setContextClassLoader(previous);
    }
  }

  /**
   * Takes the part's share of a checkpoint: its subtasks snapshot on their threads, then this
   * worker writes the snapshots into the checkpoint's directory and tells the coordinator what it
   * wrote, or why it could not.
   */
  private void checkpoint(RunningPart part, long checkpointId) {
    DeployPart order = part.order;
    part.execution.triggerCheckpoint(checkpointId).whenComplete((taken, error) -> {
      if (error != null) {
        sendCheckpointed(order.getJobId(), order.getAttempt(), checkpointId, null, error.toString());
        return;
      }
      checkpointWriter.execute(() -> {
        try {
          SnapshotWriter.Written written = SnapshotWriter.write(CheckpointStorage.at(Path.of(order.getCheckpointRoot())),
              checkpointId, taken.snapshots(), () -> true);
          sendCheckpointed(order.getJobId(), order.getAttempt(), checkpointId, PartCheckpointed.newBuilder()
              .addAllOperators(written.operators()).setBytesWritten(written.bytesWritten())
              .setBytesShared(written.bytesShared()).setAlignmentNanos(taken.alignmentNanos())
              .setSynchronousNanos(taken.synchronousNanos()), null);
        } catch (IOException | RuntimeException e) {
          LOG.warn("Worker {} could not write its part of checkpoint {} of job {}: {}", settings.id(), checkpointId,
              order.getName(), e.toString());
          sendCheckpointed(order.getJobId(), order.getAttempt(), checkpointId, null, e.toString());
        }
      });
    });
  }

  private void sendCheckpointed(String jobId, int attempt, long checkpointId, PartCheckpointed.Builder part,
      String failure) {
    PartCheckpointed.Builder m = part != null ? part : PartCheckpointed.newBuilder();
    m.setJobId(jobId).setAttempt(attempt).setCheckpointId(checkpointId);
    if (failure != null) {
      m.setFailure(failure);
    }
    if (agent != null && agent.isConnected()) {
      agent.send(ControlMessage.newBuilder().setPartCheckpointed(m).build());
    }
  }

  private void ended(RunningPart part, Throwable error) {
    if (part.deployment != null) {
      part.deployment.release();
    }
    parts.remove(part.key());
    PartState state = error == null ? PartState.PART_FINISHED
        : error instanceof JobCancelledException || part.cancelled ? PartState.PART_CANCELLED : PartState.PART_FAILED;
    synchronized (part) {
      send(part, state, state == PartState.PART_FAILED ? error : null);
      part.ended = true;
    }
  }

  /** Asks the coordinator for the blobs the part needs and waits, bounded, until they are here. */
  private void fetch(DeployPart order) throws IOException, InterruptedException {
    List<String> needed = new ArrayList<>(order.getJarBlobsList());
    needed.add(order.getGraphBlob());
    if (!order.getSettings().getResourcesBlob().isEmpty()) {
      needed.add(order.getSettings().getResourcesBlob());
    }
    List<String> missing = needed.stream().filter(h -> !blobs.has(h)).distinct().toList();
    if (!missing.isEmpty()) {
      agent.send(ControlMessage.newBuilder().setWantBlobs(WantBlobs.newBuilder().addAllSha256(missing)).build());
      for (String hash : missing) {
        blobs.await(hash, settings.blobTimeout().toMillis());
      }
    }
  }

  private ClassLoader loaderFor(List<String> jars) throws IOException {
    if (jars.isEmpty()) {
      return Worker.class.getClassLoader();
    }
    synchronized (loaders) {
      ClassLoader loader = loaders.get(jars);
      if (loader == null) {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
          urls[i] = blobs.path(jars.get(i)).toUri().toURL();
        }
        loader = new URLClassLoader("sluice-job", urls, Worker.class.getClassLoader());
        loaders.put(List.copyOf(jars), loader);
      }
      return loader;
    }
  }

  private static void closeLoader(ClassLoader loader) {
    try {
      ((URLClassLoader) loader).close();
    } catch (IOException e) {
      LOG.warn("Could not close a job class loader", e);
    }
  }

  private void reportAll() {
    try {
      for (RunningPart part : parts.values()) {
        if (part.execution != null && !part.execution.completion().isDone()) {
          send(part, PartState.PART_RUNNING, null);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Worker {} could not report its parts", settings.id(), e);
    }
  }

  /** Sends the part's state with its latest report; the part's monitor orders the updates. */
  private void send(RunningPart part, PartState state, Throwable failure) {
    synchronized (part) {
      if (!part.ended) {
        sendNow(part, state, failure);
      }
    }
  }

  private void sendNow(RunningPart part, PartState state, Throwable failure) {
    PartUpdate.Builder update = PartUpdate.newBuilder().setJobId(part.order.getJobId())
        .setAttempt(part.order.getAttempt()).setState(state);
    if (part.config != null) {
      byte[] report = report(part.config);
      if (report != null) {
        update.setReport(ByteString.copyFrom(report));
      }
    }
    if (part.execution != null) {
      for (SubtaskProgress p : part.execution.progress()) {
        SubtaskStatus.Builder status = SubtaskStatus.newBuilder().setName(p.name()).setRecordsIn(p.recordsIn())
            .setRecordsOut(p.recordsOut()).setBackpressuredMillis(p.backpressuredMillis());
        if (p.inputWatermark() != SubtaskProgress.NONE) {
          status.setInputWatermark(p.inputWatermark());
        }
        if (p.outputWatermark() != SubtaskProgress.NONE) {
          status.setOutputWatermark(p.outputWatermark());
        }
        update.addSubtasks(status);
      }
    }
    if (state == PartState.PART_FINISHED && part.execution != null && !part.order.getCheckpointRoot().isEmpty()) {
      try {
        // Finished instances write no files: the storage is not touched.
        update.addAllFinished(SnapshotWriter.write(CheckpointStorage.at(Path.of(part.order.getCheckpointRoot())), 0,
            part.execution.finishedSnapshots(), () -> true).operators());
      } catch (IOException e) {
        LOG.warn("Worker {}: the finished state of {} could not be recorded", settings.id(), part.key(), e);
      }
    }
    if (failure != null) {
      update.setFailureText(JobSettingsCodec.describe(failure));
      try {
        update.setFailure(ByteString.copyFrom(JobSettingsCodec.serialize(failure)));
      } catch (IOException | RuntimeException e) {
        LOG.debug("A failure of {} does not serialize; its text goes alone", part.key(), e);
      }
    }
    if (agent != null && agent.isConnected()) {
      agent.send(ControlMessage.newBuilder().setPartUpdate(update).build());
    }
  }

  /** The reports of the part's resources, by type name, serialized; null if none reports. */
  private static byte[] report(ExecutionConfig config) {
    HashMap<String, Serializable> reports = new HashMap<>();
    config.jobResources().forEach((type, resource) -> {
      if (resource instanceof ReportingResource r) {
        reports.put(type.getName(), r.report());
      }
    });
    if (reports.isEmpty()) {
      return null;
    }
    try {
      return JobSettingsCodec.serialize(reports);
    } catch (IOException e) {
      LOG.warn("A job resource's report does not serialize", e);
      return null;
    }
  }

  /** A link to another worker closed: the parts that had channels to it have lost them. */
  private void peerLost(String peer) {
    for (RunningPart part : parts.values()) {
      ClusterDeployment d = part.deployment;
      JobExecution execution = part.execution;
      if (d != null && d.involves(peer) && execution != null) {
        execution.fail(new IOException("worker " + settings.id() + " lost its link to worker " + peer));
      }
    }
  }

  private static String keyOf(String jobId, int attempt) {
    return jobId + "#" + attempt;
  }

  @Override
  public void close() {
    for (RunningPart part : parts.values()) {
      if (part.execution != null) {
        part.execution.cancel();
      }
    }
    reporter.shutdownNow();
    deploys.shutdownNow();
    checkpointWriter.shutdownNow();
    if (agent != null) {
      agent.close();
    }
    links.close();
    synchronized (loaders) {
      loaders.values().forEach(Worker::closeLoader);
      loaders.clear();
    }
  }
}
