package io.sluice.execution.runtime;

import io.sluice.execution.channel.ChannelWriter;
import io.sluice.execution.channel.InputQueue;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.ProcessingTimeMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running job: one thread per subtask. The first subtask to fail fails the job with its
 * exception and cancels the others; the job's directory is removed when the last subtask ends.
 */
public final class JobExecution {

  private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);
  private static final AtomicInteger JOB_COUNTER = new AtomicInteger();

  private final JobGraph graph;
  private final ExecutionConfig config;
  private final String jobId;
  private final Map<Vertex, InputQueue[]> inboxes = new HashMap<>();
  private final Map<Edge, Integer> channelNumbers = new HashMap<>();
  private final List<Subtask> subtasks = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicInteger running = new AtomicInteger();
  private final CompletableFuture<Void> completion = new CompletableFuture<>();
  private CountDownLatch opening;
  private final long startNanos = System.nanoTime();
  private volatile boolean cancelled;
  private final long startMillis = System.currentTimeMillis();

  /** Frames put but not yet fully handled; counted only with in-band processing time (tests). */
  private final AtomicLong inFlight = new AtomicLong();
  /**
   * Subtasks that have not yet run their start (the operators without input emit all they have
   * then: a bounded source's whole output may be a frame that is not yet put). Set at launch.
   */
  private final AtomicInteger starting = new AtomicInteger();
  /** The job's private directory under each configured root (spill, state), made on first use. */
  private final Map<Path, Path> jobDirectories = new HashMap<>();
  private ScheduledExecutorService progressReporter;

  private JobExecution(JobGraph graph, ExecutionConfig config) {
    this.graph = graph;
    this.config = config;
    this.jobId = graph.name() + "-" + JOB_COUNTER.incrementAndGet();
  }

  /** Validates the graph and starts every subtask. */
  public static JobExecution start(JobGraph graph, ExecutionConfig config) {
    checkAcyclic(graph);
    JobExecution job = new JobExecution(graph, config);
    job.launch();
    return job;
  }

  private void launch() {
    for (Vertex v : graph.vertices()) {
      InputQueue[] queues = new InputQueue[v.parallelism()];
      for (int i = 0; i < queues.length; i++) {
        queues[i] = new InputQueue(config.queueCapacityFrames(),
            config.processingTimeMode() == ProcessingTimeMode.IN_BAND ? inFlight : null);
      }
      inboxes.put(v, queues);
      List<Edge> incoming = graph.incomingChannels(v);
      for (int c = 0; c < incoming.size(); c++) {
        channelNumbers.put(incoming.get(c), c);
      }
    }
    for (Vertex v : graph.vertices()) {
      for (int i = 0; i < v.parallelism(); i++) {
        subtasks.add(new Subtask(this, v, i, inboxes.get(v)[i]));
      }
    }
    LOG.info("Job {} starts: {} vertices, {} subtasks", jobId, graph.vertices().size(), subtasks.size());
    if (LOG.isDebugEnabled()) {
      LOG.debug("Job {} graph:\n{}", jobId, graph.describe());
    }
    running.set(subtasks.size());
    starting.set(subtasks.size());
    opening = new CountDownLatch(subtasks.size());
    for (Subtask s : subtasks) {
      Thread t = new Thread(s, "sluice-" + jobId + "-" + s.name());
      t.setDaemon(true);
      threads.add(t);
    }
    long intervalMillis = config.progressInterval().toMillis();
    progressReporter = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-" + jobId + "-progress");
      t.setDaemon(true);
      return t;
    });
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

  JobGraph graph() {
    return graph;
  }

  ExecutionConfig config() {
    return config;
  }

  ChannelWriter channelWriter(Edge edge, int senderIndex) {
    return new ChannelWriter(channelNumbers.get(edge), senderIndex, inboxes.get(edge.to().vertex()),
        edge.partitioning(), edge.serializer(), config.batchSize());
  }

  /** When the job started: where in-band processing time begins. */
  long startMillis() {
    return startMillis;
  }

  /** The inboxes of {@code v}'s subtasks, by subtask index. */
  InputQueue[] inboxesOf(Vertex v) {
    return inboxes.get(v);
  }

  /** Counts a subtask that has started: its operators without input have emitted what they had. */
  void subtaskStarted() {
    starting.decrementAndGet();
  }

  /**
   * True when every subtask has started and no frame is queued or being handled anywhere (frames
   * are tracked with in-band processing time only).
   */
  boolean isQuiescent() {
    return starting.get() == 0 && inFlight.get() == 0;
  }

  /** A private spill directory of one operator instance. */
  Path operatorDirectory(String name) {
    return privateDirectory(config.spillDirectory(), name);
  }

  /** A private keyed-state directory of one operator instance. */
  Path stateDirectory(String name) {
    return privateDirectory(config.stateDirectory(), name);
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

  /** Counts a subtask whose operators are open (or failed to open). */
  void subtaskOpened() {
    opening.countDown();
  }

  /**
   * Data flows only once every operator of the job is open: a subtask that finishes at once (no
   * input for it) must not tear its user code down while another subtask's is still being set up,
   * and a failed setup fails the job before anything is emitted.
   */
  void awaitAllOpened() throws InterruptedException {
    while (!opening.await(100, TimeUnit.MILLISECONDS)) {
      checkNotCancelled();
    }
    checkNotCancelled();
  }

  boolean isCancelled() {
    return cancelled;
  }

  void checkNotCancelled() {
    if (cancelled) {
      throw new JobCancelledException("job " + jobId + " was cancelled");
    }
  }

  void subtaskEnded(Subtask subtask, Throwable error) {
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

  private static Throwable unwrap(Throwable t) {
    while (t instanceof OperatorException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void finish() {
    progressReporter.shutdownNow();
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
    for (Thread t : threads) {
      if (t != Thread.currentThread()) {
        t.interrupt();
      }
    }
  }

  /** Stops every subtask; the job then ends with a {@link JobCancelledException}. */
  public void cancel() {
    if (failure.compareAndSet(null, new JobCancelledException("job " + jobId + " was cancelled"))) {
      LOG.info("Job {} is cancelled", jobId);
      cancelSubtasks();
    }
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
