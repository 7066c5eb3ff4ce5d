package io.sluice.execution.runtime;

import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.checkpoint.CheckpointTarget;
import io.sluice.execution.checkpoint.OperatorRestore;
import io.sluice.execution.checkpoint.OperatorSnapshot;
import io.sluice.execution.checkpoint.RestorePlan;
import io.sluice.execution.checkpoint.TakenCheckpoint;
import io.sluice.execution.channel.InputGate;
import io.sluice.execution.channel.RecordWriter;
import io.sluice.execution.channel.local.LocalChannel;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.runtime.task.Subtask;
import io.sluice.execution.runtime.task.TaskEnvironment;
import io.sluice.execution.state.KeyGroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running job, or the part of it that this process runs ({@link Deployment}): wires every channel
 * edge into one channel per pair of producing and consuming subtasks (a {@link LocalChannel} when
 * both run here), runs one thread per subtask here, and ends when the last one does. The first
 * subtask to fail fails the job with its exception and cancels the others; the job's directories
 * are removed at the end.
 */
public final class JobExecution implements CheckpointTarget {

  private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);
  private static final AtomicInteger JOB_COUNTER = new AtomicInteger();

  private final JobGraph graph;
  private final ExecutionConfig config;
  private final String jobId;
  private final KeyGroups keyGroups;
  /** Each operator's id in checkpoints. */
  private final Map<OperatorNode, String> operatorIds;
  /** What this attempt restores, or null: it starts empty. */
  private final RestorePlan restore;
  /** Which subtasks run here. */
  private final Deployment deployment;
  /** Each subtask's input gate, by vertex and subtask index; null where the subtask runs elsewhere. */
  private final Map<Vertex, InputGate[]> gates = new HashMap<>();
  /** The sending ends of each channel edge, by producing then consuming subtask; producers here only. */
  private final Map<Edge, ChannelSender[][]> channels = new HashMap<>();
  private final List<Subtask> subtasks = new ArrayList<>();
  /** Subtasks that have ended, all their operators finished: guarded by {@link #pendingCheckpoints}. */
  private final Set<Subtask> ended = new HashSet<>();
  /** Whether a subtask ended with a failure or was cancelled: no checkpoint completes any more. */
  private boolean failedSubtask;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicInteger running = new AtomicInteger();
  private final CompletableFuture<Void> completion = new CompletableFuture<>();
  private CountDownLatch opening;
  private final long startNanos = System.nanoTime();
  private volatile boolean cancelled;
  private final long startMillis = System.currentTimeMillis();

  /**
   * Checkpoints triggered and not yet acknowledged by every subtask: the subtasks still owing their
   * part, and the future completed when none does. A subtask that ends owes nothing.
   */
  private final Map<Long, PendingCheckpoint> pendingCheckpoints = new HashMap<>();

  /** Guarded by {@link #pendingCheckpoints}. */
  private static final class PendingCheckpoint {
    final Set<Subtask> owing;
    final List<OperatorSnapshot> snapshots = new ArrayList<>();
    long alignmentNanos;
    long synchronousNanos;
    /** For the per-subtask log: when the trigger went out. */
    final long triggeredNanos = System.nanoTime();
    /** The subtask whose part came last so far, with its timings: for the log of a slow checkpoint. */
    String lastSubtask;
    final CompletableFuture<TakenCheckpoint> done = new CompletableFuture<>();

    PendingCheckpoint(Set<Subtask> owing) {
      this.owing = owing;
    }
  }

  /** Every subtask ended and none failed: set before the job's directory (its state) is deleted. */
  private volatile boolean finished;

  /** Null unless processing time is in-band: ordinary jobs do not count frames job-wide. */
  private Quiescence quiescence;
  /** The job's private directory under each configured root (spill, state), made on first use. */
  private final Map<Path, Path> jobDirectories = new HashMap<>();
  private ScheduledExecutorService progressReporter;

  private JobExecution(JobGraph graph, ExecutionConfig config, RestorePlan restore, Deployment deployment) {
    this.graph = graph;
    this.config = config;
    this.jobId = graph.name() + "-" + JOB_COUNTER.incrementAndGet();
    this.keyGroups = config.keyGroups();
    this.operatorIds = graph.operatorIds();
    this.restore = restore;
    this.deployment = deployment;
  }

  /** Validates the graph and starts every subtask. */
  public static JobExecution start(JobGraph graph, ExecutionConfig config) {
    return start(graph, config, null);
  }

  /** Validates the graph and starts every subtask, restoring their state as {@code restore} says (may be null). */
  public static JobExecution start(JobGraph graph, ExecutionConfig config, RestorePlan restore) {
    try {
      return start(graph, config, restore, Deployment.EMBEDDED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while an embedded job started", e);
    }
  }

  /**
   * Starts the subtasks {@code deployment} places here, restoring their state as {@code restore}
   * says (may be null); waits, bounded, for the remote ends of their channels.
   */
  public static JobExecution start(JobGraph graph, ExecutionConfig config, RestorePlan restore,
      Deployment deployment) throws InterruptedException {
    checkAcyclic(graph);
    for (Vertex v : graph.vertices()) {
      config.keyGroups().checkParallelism("vertex " + v.name(), v.parallelism());
    }
    JobExecution job = new JobExecution(graph, config, restore, deployment);
    job.launch();
    return job;
  }

  private void launch() throws InterruptedException {
    int subtaskCount = 0;
    for (Vertex v : graph.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        subtaskCount += deployment.runsHere(v, i) ? 1 : 0;
      }
    }
    if (config.processingTimeMode() == ProcessingTimeMode.IN_BAND) {
      if (subtaskCount != graph.vertices().stream().mapToInt(Vertex::parallelism).sum()) {
        // Quiescence is counted in one process: frames in flight between processes are not seen.
        throw new IllegalStateException("job " + graph.name() + " runs on in-band processing time,"
            + " which needs all its subtasks in one process");
      }
      quiescence = new Quiescence(subtaskCount);
    }
    for (Vertex v : graph.vertices()) {
      InputGate[] vertexGates = new InputGate[v.parallelism()];
      for (int i = 0; i < vertexGates.length; i++) {
        if (deployment.runsHere(v, i)) {
          vertexGates[i] = new InputGate(quiescence == null ? null : quiescence.inFlight());
        }
      }
      gates.put(v, vertexGates);
    }
    // Gate channel order is the subtask's feeder order: incoming edges in order, then producers.
    for (Vertex v : graph.vertices()) {
      for (Edge e : graph.incomingChannels(v)) {
        Vertex from = e.from().vertex();
        int producers = from.parallelism();
        ChannelSender[][] senders = new ChannelSender[producers][v.parallelism()];
        int capacity = config.channelCapacityFrames();
        for (int c = 0; c < v.parallelism(); c++) {
          InputGate gate = gates.get(v)[c];
          for (int p = 0; p < producers; p++) {
            boolean producerHere = deployment.runsHere(from, p);
            if (gate != null) {
              if (producerHere) {
                LocalChannel channel = new LocalChannel(capacity, gate);
                senders[p][c] = channel;
                gate.connect(channel);
              } else {
                gate.connect(deployment.remoteReceiver(e, p, c, gate, capacity));
              }
            } else if (producerHere) {
              senders[p][c] = deployment.remoteSender(e, p, c);
            }
          }
        }
        channels.put(e, senders);
      }
    }
    Environment environment = new Environment();
    for (Vertex v : graph.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        if (deployment.runsHere(v, i)) {
          subtasks.add(new Subtask(environment, v, i));
        }
      }
    }
    LOG.info("Job {} starts: {} vertices, {} subtasks", jobId, graph.vertices().size(), subtasks.size());
    if (LOG.isDebugEnabled()) {
      LOG.debug("Job {} graph:\n{}", jobId, graph.describe());
    }
    running.set(subtasks.size());
    opening = new CountDownLatch(subtasks.size());
    for (Subtask s : subtasks) {
      Thread t = new Thread(s, "sluice-" + jobId + "-" + s.name());
      t.setDaemon(true);
      threads.add(t);
    }
    long intervalMillis = config.progressInterval().toMillis();
    progressReporter = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("sluice-" + jobId + "-progress"));
    progressReporter.scheduleAtFixedRate(this::reportProgress, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    for (Thread t : threads) {
      t.start();
    }
    if (subtasks.isEmpty()) {
      // Nothing to run: no subtask will ever report its end, so the job ends here.
      finish();
    }
  }

  private void reportProgress() {
    long records = 0;
    for (Subtask s : subtasks) {
      records += s.recordsIn();
    }
    LOG.info("Job {} running for {} s: {} of {} subtasks active, {} records received over channels",
        jobId, (System.nanoTime() - startNanos) / 1_000_000_000L, running.get(), subtasks.size(), records);
  }

  /** What subtasks see of their job. */
  private final class Environment implements TaskEnvironment {

    @Override
    public JobGraph graph() {
      return graph;
    }

    @Override
    public ExecutionConfig config() {
      return config;
    }

    @Override
    public KeyGroups keyGroups() {
      return keyGroups;
    }

    @Override
    public long startMillis() {
      return startMillis;
    }

    @Override
    public InputGate gate(Vertex vertex, int index) {
      return gates.get(vertex)[index];
    }

    @Override
    public RecordWriter recordWriter(Edge edge, int sender) {
      ChannelSender[] targets = channels.get(edge)[sender];
      return new RecordWriter(edge.toString(), sender, targets, edge.partitioning(), edge.serializer(),
          config.batchSize(), keyGroups);
    }

    @Override
    public Quiescence quiescence() {
      return quiescence;
    }

    @Override
    public Path spillDirectory(String name) {
      return privateDirectory(config.spillDirectory(), name);
    }

    @Override
    public Path stateDirectory(String name) {
      return privateDirectory(config.stateDirectory(), name);
    }

    @Override
    public void subtaskOpened() {
      opening.countDown();
    }

    /**
     * Data flows only once every operator of the job is open: a subtask that finishes at once (no
     * input for it) must not tear its user code down while another subtask's is still being set
     * up, and a failed setup fails the job before anything is emitted.
     */
    @Override
    public void awaitAllOpened() throws InterruptedException {
      while (!opening.await(100, TimeUnit.MILLISECONDS)) {
        checkNotCancelled();
      }
      checkNotCancelled();
    }

    @Override
    public String operatorId(OperatorNode node) {
      return operatorIds.get(node);
    }

    @Override
    public OperatorRestore restoreFor(OperatorNode node, int subtask) {
      return restore == null ? null
          : restore.forInstance(operatorIds.get(node), subtask, node.vertex().parallelism(), keyGroups);
    }

    @Override
    public void checkpointAcknowledged(Subtask subtask, long checkpointId, List<OperatorSnapshot> snapshots,
        long alignmentNanos, long synchronousNanos) {
      acknowledge(subtask, checkpointId, snapshots, alignmentNanos, synchronousNanos);
    }

    @Override
    public void subtaskEnded(Subtask subtask, Throwable error) {
      List<Long> pendingIds;
      synchronized (pendingCheckpoints) {
        if (error == null) {
          ended.add(subtask);
        } else {
          failedSubtask = true;
        }
        pendingIds = new ArrayList<>(pendingCheckpoints.keySet());
      }
      // Outside the lock: completing or cancelling a checkpoint calls into its coordinator.
      for (long id : pendingIds) {
        if (error != null) {
          // A failed subtask's operators did not finish: no checkpoint may record them so.
          abortCheckpoint(id);
        } else {
          acknowledge(subtask, id, subtask.finishedSnapshots(), 0, 0);
        }
      }
      if (error != null && !(error instanceof JobCancelledException && cancelled)
          && !(error instanceof InterruptedException && cancelled)) {
        Throwable cause = unwrap(error);
        if (failure.compareAndSet(null, cause)) {
          LOG.error("Job {} fails: subtask {} threw", jobId, subtask.name(), cause);
          cancelSubtasks();
        }
      }
      if (running.decrementAndGet() == 0) {
        finish();
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }

  private synchronized Path privateDirectory(Path root, String name) {
    try {
      Path jobDirectory = jobDirectories.get(root);
      if (jobDirectory == null) {
        Files.createDirectories(root);
        jobDirectory = Files.createTempDirectory(root, "sluice-" + jobId + "-");
        jobDirectories.put(root, jobDirectory);
      }
      return Files.createDirectories(jobDirectory.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a job directory under " + root, e);
    }
  }

  private void checkNotCancelled() {
    if (cancelled) {
      throw new JobCancelledException("job " + jobId + " was cancelled");
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof OperatorException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public boolean hasFinished() {
    return finished;
  }

  private void finish() {
    progressReporter.shutdownNow();
    finished = failure.get() == null;
    deleteJobDirectory();
    long millis = (System.nanoTime() - startNanos) / 1_000_000L;
    Throwable error = failure.get();
    if (error == null) {
      LOG.info("Job {} finished in {} ms", jobId, millis);
      completion.complete(null);
    } else {
      LOG.info("Job {} ended after {} ms: {}", jobId, millis, error.toString());
      completion.completeExceptionally(error);
    }
  }

  private synchronized void deleteJobDirectory() {
    for (Path jobDirectory : jobDirectories.values()) {
      try (Stream<Path> paths = Files.walk(jobDirectory)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        LOG.warn("Job {} could not remove its directory {}", jobId, jobDirectory, e);
      }
    }
  }

  private void cancelSubtasks() {
    cancelled = true;
    for (Subtask s : subtasks) {
      s.cancel("job " + jobId + " was cancelled");
    }
    // Wakes a thread blocked in a send or in user code; the mail stops the others at their next turn.
    for (Thread t : threads) {
      if (t != Thread.currentThread()) {
        t.interrupt();
      }
    }
  }

  /**
   * Fails the job from outside its subtasks (its channels to another process are lost): every
   * subtask stops and the job ends with {@code cause}, unless it had failed already.
   */
  public void fail(Throwable cause) {
    if (failure.compareAndSet(null, cause)) {
      LOG.error("Job {} fails: {}", jobId, cause.toString());
      cancelSubtasks();
    }
  }

  /** Stops every subtask; the job then ends with a {@link JobCancelledException}. */
  public void cancel() {
    if (failure.compareAndSet(null, new JobCancelledException("job " + jobId + " was cancelled"))) {
      LOG.info("Job {} is cancelled", jobId);
      cancelSubtasks();
    }
  }

  /**
   * Starts checkpoint {@code checkpointId} at the sources: each source subtask snapshots its
   * operators and sends a barrier, which every other subtask aligns over its inputs. The future
   * completes when every subtask has taken its part (or ended), with their snapshots.
   */
  @Override
  public CompletableFuture<TakenCheckpoint> triggerCheckpoint(long checkpointId) {
    PendingCheckpoint pending;
    TakenCheckpoint takenAtOnce = null;
    synchronized (pendingCheckpoints) {
      if (failedSubtask || failure.get() != null) {
        // Its subtasks did not finish: a checkpoint now would record them as if they had.
        return CompletableFuture.failedFuture(new IllegalStateException("job " + jobId + " is failing or cancelled"));
      }
      Set<Subtask> owing = new HashSet<>();
      pending = new PendingCheckpoint(owing);
      for (Subtask s : subtasks) {
        if (ended.contains(s)) {
          pending.snapshots.addAll(s.finishedSnapshots());
        } else {
          owing.add(s);
        }
      }
      if (owing.isEmpty()) {
        takenAtOnce = new TakenCheckpoint(pending.snapshots, 0, 0, null);
      } else {
        pendingCheckpoints.put(checkpointId, pending);
      }
    }
    if (takenAtOnce != null) {
      pending.done.complete(takenAtOnce);
      return pending.done;
    }
    for (Subtask s : subtasks) {
      s.triggerCheckpoint(checkpointId);
    }
    return pending.done;
  }

  @Override
  public void abortCheckpoint(long checkpointId) {
    PendingCheckpoint pending;
    synchronized (pendingCheckpoints) {
      pending = pendingCheckpoints.remove(checkpointId);
    }
    if (pending != null) {
      for (OperatorSnapshot snapshot : pending.snapshots) {
        if (snapshot.stores() != null) {
          snapshot.stores().release();
        }
      }
      pending.done.cancel(false);
    }
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    for (Subtask s : subtasks) {
      s.notifyCheckpointComplete(checkpointId);
    }
  }

  private void acknowledge(Subtask subtask, long checkpointId, List<OperatorSnapshot> snapshots, long alignmentNanos,
      long synchronousNanos) {
    PendingCheckpoint complete = null;
    synchronized (pendingCheckpoints) {
      PendingCheckpoint pending = pendingCheckpoints.get(checkpointId);
      if (pending == null || !pending.owing.remove(subtask)) {
        // Declined meanwhile, or already counted: nobody will write these.
        snapshots.forEach(s -> {
          if (s.stores() != null) {
            s.stores().release();
          }
        });
        return;
      }
      pending.snapshots.addAll(snapshots);
      pending.lastSubtask = String.format("%s %s its part %d ms after the trigger (alignment %d ms, synchronous %d ms)",
          subtask.name(), snapshots.stream().allMatch(OperatorSnapshot::finished) ? "ended instead of taking" : "took",
          (System.nanoTime() - pending.triggeredNanos) / 1_000_000, alignmentNanos / 1_000_000,
          synchronousNanos / 1_000_000);
      LOG.debug("Checkpoint {}: {}", checkpointId, pending.lastSubtask);
      pending.alignmentNanos = Math.max(pending.alignmentNanos, alignmentNanos);
      pending.synchronousNanos = Math.max(pending.synchronousNanos, synchronousNanos);
      if (pending.owing.isEmpty()) {
        pendingCheckpoints.remove(checkpointId);
        complete = pending;
      }
    }
    if (complete != null) {
      // Outside the lock: the coordinator goes on from here.
      complete.done.complete(new TakenCheckpoint(complete.snapshots, complete.alignmentNanos,
          complete.synchronousNanos, complete.lastSubtask));
    }
  }

  /**
   * What the subtasks that ended (all their operators finished) record in every later checkpoint:
   * on a cluster, a part that finished hands them to the coordinator, whose later checkpoints
   * include them.
   */
  public List<OperatorSnapshot> finishedSnapshots() {
    List<OperatorSnapshot> all = new ArrayList<>();
    synchronized (pendingCheckpoints) {
      for (Subtask s : ended) {
        all.addAll(s.finishedSnapshots());
      }
    }
    return all;
  }

  /** How far each subtask here has come. */
  public List<SubtaskProgress> progress() {
    List<SubtaskProgress> progress = new ArrayList<>();
    for (Subtask s : subtasks) {
      progress.add(s.progress());
    }
    return progress;
  }

  /** Completes when every subtask has ended; exceptionally with the job's first failure. */
  public CompletableFuture<Void> completion() {
    return completion;
  }

  public String jobId() {
    return jobId;
  }

  private static void checkAcyclic(JobGraph graph) {
    Map<Vertex, Integer> inDegree = new HashMap<>();
    for (Vertex v : graph.vertices()) {
      inDegree.put(v, 0);
    }
    for (Edge e : graph.edges()) {
      if (!e.isChained()) {
        inDegree.merge(e.to().vertex(), 1, Integer::sum);
      }
    }
    Deque<Vertex> ready = new ArrayDeque<>();
    inDegree.forEach((v, d) -> {
      if (d == 0) {
        ready.add(v);
      }
    });
    int seen = 0;
    while (!ready.isEmpty()) {
      Vertex v = ready.poll();
      seen++;
      for (Edge e : graph.outgoingChannels(v)) {
        if (inDegree.merge(e.to().vertex(), -1, Integer::sum) == 0) {
          ready.add(e.to().vertex());
        }
      }
    }
    if (seen != graph.vertices().size()) {
      throw new IllegalArgumentException("job graph " + graph.name() + " has a cycle between vertices:\n" + graph.describe());
    }
  }
}
