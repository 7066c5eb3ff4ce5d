package io.sluice.execution.checkpoint;

import io.sluice.execution.checkpoint.proto.CheckpointMetadata;
import io.sluice.execution.checkpoint.proto.OperatorState;
import io.sluice.execution.runtime.DaemonThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a job's checkpoints: triggers one every interval (one at a time, at least the minimum pause
 * after the previous one ended), lets the attempt's subtasks take their parts, writes their
 * snapshots off the task threads, writes the metadata last, tells every operator, and keeps the
 * latest {@code retained} complete checkpoints. A checkpoint that fails (a full disk, a timeout)
 * is declined and counted, and the job goes on.
 *
 * <p>Outlives job attempts: after a failure it is detached, and attached to the next attempt, so
 * checkpoint ids keep rising. Its own two threads: a timer (triggers, timeouts) and a writer.
 */
public final class CheckpointCoordinator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);

  private final CheckpointSettings settings;
  private final CheckpointStorage storage;
  private final String jobName;
  private final int keyGroups;
  private final CheckpointStats stats = new CheckpointStats();
  private final ScheduledExecutorService timer;
  private final ExecutorService writer;

  /** The attempt being checkpointed; null between attempts. Guarded by this. */
  private CheckpointTarget target;
  /** Guarded by this. */
  private Pending pending;
  /** Guarded by this. */
  private long nextId;
  /** When the last checkpoint ended, completed or declined. Guarded by this. */
  private long lastEndNanos;
  /** Complete periodic checkpoints under the root, oldest first (savepoints are never discarded). */
  private final Deque<CompletedCheckpoint> retained = new ArrayDeque<>();
  private ScheduledFuture<?> periodic;

  private record Pending(long id, boolean savepoint, long startNanos, long startMillis,
      CompletableFuture<CompletedCheckpoint> done) {}

  public CheckpointCoordinator(CheckpointSettings settings, String jobName, int keyGroups) {
    this.settings = settings;
    this.jobName = jobName;
    this.keyGroups = keyGroups;
    this.storage = CheckpointStorage.of(settings.directory(), jobName);
    // The checkpoint format's descriptors are built on first use, which takes a while: here, as
    // the job starts, rather than on a task thread inside the first checkpoint's synchronous part.
    CheckpointMetadata.getDescriptor();
    try {
      this.nextId = storage.highestId() + 1;
      for (CompletedCheckpoint c : storage.completed()) {
        if (!c.metadata().getSavepoint()) {
          retained.add(c);
        }
      }
    } catch (IOException e) {
      throw new CheckpointException("Cannot read checkpoint directory " + storage.root() + ": " + e, e);
    }
    String prefix = "sluice-" + CheckpointStorage.fileName(jobName) + "-checkpoint-";
    this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(prefix + "timer"));
    this.writer = Executors.newSingleThreadExecutor(DaemonThreads.named(prefix + "writer"));
  }

  public Path root() {
    return storage.root();
  }

  public CheckpointStats stats() {
    return stats;
  }

  /** The latest complete checkpoint taken or found under the root, or null. */
  public synchronized CompletedCheckpoint latest() {
    return retained.peekLast();
  }

  /** Starts checkpointing {@code attempt} every interval. */
  public synchronized void attach(CheckpointTarget attempt) {
    this.target = attempt;
    this.lastEndNanos = System.nanoTime();
    if (periodic == null) {
      periodic = timer.scheduleAtFixedRate(this::periodicTrigger, settings.intervalMillis(), settings.intervalMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The attempt ended: a checkpoint in progress is declined (abandoned, not counted as declined,
   * if the attempt {@code finished}: nothing is left to checkpoint); nothing is triggered until the
   * next attach.
   */
  public synchronized void detach(boolean finished) {
    // Ended while the attempt is still the target: it releases what its subtasks snapshotted.
    if (pending != null) {
      if (finished) {
        LOG.info("Job {} finished while checkpoint {} was being taken: it is abandoned", jobName, pending.id());
        end(pending, "the job finished");
      } else {
        decline(pending, "the job attempt ended");
      }
    }
    target = null;
  }

  private void periodicTrigger() {
    synchronized (this) {
      if (target == null || pending != null
          || System.nanoTime() - lastEndNanos < TimeUnit.MILLISECONDS.toNanos(settings.minPauseMillis())) {
        return;
      }
    }
    trigger(false);
  }

  /**
   * Triggers a checkpoint now (a savepoint if {@code savepoint}), after the one in progress if any.
   * Completes with it, or exceptionally if it is declined.
   */
  public CompletableFuture<CompletedCheckpoint> trigger(boolean savepoint) {
    Pending started;
    CheckpointTarget attempt;
    synchronized (this) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
      while (pending != null && target != null && System.nanoTime() < deadline) {
        try {
          wait(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return CompletableFuture.failedFuture(e);
        }
      }
      if (target == null) {
        return CompletableFuture.failedFuture(new CheckpointException("the job is not running"));
      }
      if (pending != null) {
        return CompletableFuture.failedFuture(new CheckpointException("checkpoint " + pending.id() + " is still running"));
      }
      started = new Pending(nextId++, savepoint, System.nanoTime(), System.currentTimeMillis(), new CompletableFuture<>());
      pending = started;
      attempt = target;
    }
    timer.schedule(() -> timeout(started), settings.timeoutMillis(), TimeUnit.MILLISECONDS);
    attempt.triggerCheckpoint(started.id()).whenComplete((taken, error) -> {
      if (error != null) {
        synchronized (this) {
          if (pending == started) {
            decline(started, "subtasks could not take it: " + error);
          }
        }
      } else {
        writer.execute(() -> write(started, taken, attempt));
      }
    });
    return started.done();
  }

  private synchronized void timeout(Pending checkpoint) {
    if (pending == checkpoint) {
      decline(checkpoint, "not complete within " + settings.timeoutMillis() + " ms (--checkpointTimeoutMillis)");
    }
  }

  /**
   * The asynchronous part: every instance's files (those written elsewhere already are merged in),
   * then the metadata, then everyone is told.
   */
  private void write(Pending checkpoint, TakenCheckpoint taken, CheckpointTarget attempt) {
    long writeStartNanos = System.nanoTime();
    SnapshotWriter.Written written;
    try {
      written = SnapshotWriter.write(storage, checkpoint.id(), taken.snapshots(), () -> isPending(checkpoint));
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        if (pending == checkpoint && attempt.hasFinished()) {
          LOG.info("Job {} finished while checkpoint {} was being written: it is abandoned", jobName, checkpoint.id());
          end(checkpoint, "the job finished");
        } else if (pending == checkpoint) {
          decline(checkpoint, "writing its state failed: " + e);
        }
      }
      return;
    }
    Map<String, OperatorState.Builder> operators = new LinkedHashMap<>();
    for (List<OperatorState> part : List.of(written.operators(), taken.writtenElsewhere())) {
      for (OperatorState o : part) {
        OperatorState.Builder merged = operators.computeIfAbsent(o.getOperatorId(), id -> OperatorState.newBuilder()
            .setOperatorId(id).setParallelism(o.getParallelism()));
        merged.addAllSubtasks(o.getSubtasksList());
      }
    }
    long bytesWritten = written.bytesWritten() + taken.bytesWrittenElsewhere();
    long bytesShared = written.bytesShared() + taken.bytesSharedElsewhere();
    CheckpointMetadata.Builder metadata = CheckpointMetadata.newBuilder()
        .setFormatVersion(CheckpointStorage.FORMAT_VERSION)
        .setCheckpointId(checkpoint.id())
        .setJobName(jobName)
        .setTimestampMillis(checkpoint.startMillis())
        .setMaxParallelism(keyGroups)
        .setSavepoint(checkpoint.savepoint());
    operators.values().forEach(metadata::addOperators);
    CompletedCheckpoint completed;
    synchronized (this) {
      if (pending != checkpoint) {
        storage.discard(storage.directoryOf(checkpoint.id()));
        return;
      }
      try {
        completed = storage.complete(metadata.build());
      } catch (IOException | RuntimeException e) {
        decline(checkpoint, "writing its metadata failed: " + e);
        return;
      }
      if (!checkpoint.savepoint()) {
        retained.add(completed);
      }
      while (retained.size() > settings.retained()) {
        storage.discard(retained.removeFirst().directory());
      }
      try {
        storage.collectGarbage();
      } catch (IOException e) {
        LOG.warn("Could not delete shared checkpoint files no longer needed under {}", storage.root(), e);
      }
      pending = null;
      lastEndNanos = System.nanoTime();
      notifyAll();
    }
    long endNanos = System.nanoTime();
    long durationMillis = TimeUnit.NANOSECONDS.toMillis(endNanos - checkpoint.startNanos());
    long alignmentMillis = TimeUnit.NANOSECONDS.toMillis(taken.alignmentNanos());
    long takenMillis = TimeUnit.NANOSECONDS.toMillis(writeStartNanos - checkpoint.startNanos());
    long synchronousMillis = TimeUnit.NANOSECONDS.toMillis(taken.synchronousNanos());
    long asynchronousMillis = TimeUnit.NANOSECONDS.toMillis(endNanos - writeStartNanos);
    stats.completed(new CheckpointStats.Summary.Last(checkpoint.id(), completed.directory().toString(), durationMillis,
        alignmentMillis, bytesWritten, bytesShared));
    // Where the time went: barriers reaching every subtask (queued input ahead of them, then
    // alignment), the longest synchronous part on a task thread, the files written off them.
    LOG.info("Job {} completed {} {} in {} ms (every subtask's part after {} ms, alignment {} ms, synchronous {} ms;"
        + " written in {} ms): {} bytes written, {} bytes shared with earlier checkpoints, at {}", jobName,
        checkpoint.savepoint() ? "savepoint" : "checkpoint", checkpoint.id(), durationMillis, takenMillis,
        alignmentMillis, synchronousMillis, asynchronousMillis, bytesWritten, bytesShared, completed.directory());
    if (durationMillis >= SLOW_CHECKPOINT_MILLIS && taken.lastSubtask() != null) {
      LOG.warn("Job {}: checkpoint {} took {} ms; the last part: {}", jobName, checkpoint.id(), durationMillis,
          taken.lastSubtask());
    }
    attempt.notifyCheckpointComplete(checkpoint.id());
    checkpoint.done().complete(completed);
  }

  /** A checkpoint this slow logs which subtask it waited for, whatever the log level. */
  private static final long SLOW_CHECKPOINT_MILLIS = 5_000;

  private synchronized boolean isPending(Pending checkpoint) {
    return pending == checkpoint;
  }

  /** Called holding the lock, for the checkpoint pending. */
  private void decline(Pending checkpoint, String reason) {
    stats.declined();
    LOG.warn("Job {} declined checkpoint {}: {}", jobName, checkpoint.id(), reason);
    end(checkpoint, reason);
  }

  /** Ends the pending checkpoint without completing it. Called holding the lock. */
  private void end(Pending checkpoint, String reason) {
    pending = null;
    lastEndNanos = System.nanoTime();
    notifyAll();
    if (target != null) {
      target.abortCheckpoint(checkpoint.id());
    }
    storage.discard(storage.directoryOf(checkpoint.id()));
    checkpoint.done().completeExceptionally(new CheckpointException("checkpoint " + checkpoint.id() + " was declined: "
        + reason));
  }

  /**
   * The job finished: nothing is left to restore, so its periodic checkpoints (and the shared files
   * only they use) are deleted; savepoints stay, and so does everything after a failure or a
   * cancellation, for a restore.
   */
  public synchronized void discardCheckpoints() {
    while (!retained.isEmpty()) {
      storage.discard(retained.removeFirst().directory());
    }
    try {
      storage.collectGarbage();
      storage.removeIfEmpty();
    } catch (IOException e) {
      LOG.warn("Could not delete the checkpoints of finished job {} under {}", jobName, storage.root(), e);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      detach(false);
      if (periodic != null) {
        periodic.cancel(false);
      }
    }
    timer.shutdownNow();
    writer.shutdown();
    try {
      if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
        writer.shutdownNow();
      }
    } catch (InterruptedException e) {
      writer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
