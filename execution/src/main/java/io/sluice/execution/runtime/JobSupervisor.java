package io.sluice.execution.runtime;

import io.sluice.execution.checkpoint.CheckpointCoordinator;
import io.sluice.execution.checkpoint.CheckpointStats;
import io.sluice.execution.checkpoint.CheckpointStorage;
import io.sluice.execution.checkpoint.CompletedCheckpoint;
import io.sluice.execution.checkpoint.RestorePlan;
import io.sluice.execution.graph.JobGraph;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job across its attempts: runs a {@link JobExecution}, has it checkpointed if configured, and
 * after a failure starts a new attempt from the latest complete checkpoint (or from the start),
 * after a growing delay, until the restart limit; then the job fails with the attempt's failure.
 */
public final class JobSupervisor implements JobHandle {

  private static final Logger LOG = LoggerFactory.getLogger(JobSupervisor.class);
  private static final long MAX_RESTART_DELAY_MILLIS = 60_000;

  private final JobGraph graph;
  private final ExecutionConfig config;
  /** Null without checkpointing. */
  private final CheckpointCoordinator coordinator;
  private final CompletableFuture<Void> completion = new CompletableFuture<>();
  /** The attempt running or last run. Guarded by this. */
  private JobExecution attempt;
  /** Restarts so far. Guarded by this. */
  private int restarts;
  /** Guarded by this. */
  private boolean stopping;
  /** Set when the job was stopped with a savepoint: where it is. */
  private volatile Path savepoint;

  private JobSupervisor(JobGraph graph, ExecutionConfig config) {
    this.graph = graph;
    this.config = config;
    this.coordinator = config.checkpointing() == null ? null
        : new CheckpointCoordinator(config.checkpointing(), graph.name(), config.keyGroups().count());
  }

  /**
   * Starts the job: restores from {@code config.restoreFrom()} if set, which must hold a complete
   * checkpoint matching the job.
   *
   * @throws io.sluice.execution.checkpoint.CheckpointException if the checkpoint to restore cannot
   *     be found, read or mapped onto this job
   */
  public static JobSupervisor start(JobGraph graph, ExecutionConfig config) {
    RestorePlan initial = null;
    if (config.restoreFrom() != null) {
      CompletedCheckpoint checkpoint = CheckpointStorage.findRestorable(config.restoreFrom());
      initial = RestorePlan.of(checkpoint, config.keyGroups(), graph.operatorIds().values());
      LOG.info("Job {} restores checkpoint {}", graph.name(), checkpoint.directory());
    }
    JobSupervisor job = new JobSupervisor(graph, config);
    try {
      job.launch(initial);
    } catch (RuntimeException e) {
      job.closeCoordinator();
      throw e;
    }
    return job;
  }

  private synchronized void launch(RestorePlan restore) {
    JobExecution execution = JobExecution.start(graph, config, restore);
    attempt = execution;
    if (coordinator != null) {
      coordinator.attach(execution);
    }
    execution.completion().whenComplete((ignored, error) -> attemptEnded(execution, error, restore));
  }

  private void attemptEnded(JobExecution execution, Throwable error, RestorePlan restoredFrom) {
    if (coordinator != null) {
      coordinator.detach(error == null);
    }
    if (error == null) {
      finish(null);
      return;
    }
    long delay;
    synchronized (this) {
      boolean cancelled = error instanceof JobCancelledException;
      if (cancelled || stopping || restarts >= config.restartAttempts()) {
        if (!cancelled && restarts > 0) {
          LOG.error("Job {} fails after {} restarts", graph.name(), restarts);
        }
        finish(error);
        return;
      }
      restarts++;
      delay = Math.min(MAX_RESTART_DELAY_MILLIS, config.restartDelayMillis() << Math.min(20, restarts - 1));
    }
    CompletedCheckpoint latest = coordinator == null ? null : coordinator.latest();
    LOG.warn("Job {} attempt failed ({}); restart {} of {} in {} ms, from {}", graph.name(), error.toString(), restarts,
        config.restartAttempts(), delay, latest != null ? "checkpoint " + latest.directory()
            : restoredFrom != null ? "checkpoint " + restoredFrom.checkpoint().directory() : "the start");
    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> {
      try {
        synchronized (this) {
          if (stopping) {
            finish(new JobCancelledException("job " + graph.name() + " was cancelled"));
            return;
          }
        }
        RestorePlan plan = restoredFrom;
        if (latest != null) {
          CompletedCheckpoint checkpoint = CheckpointStorage.findRestorable(latest.directory());
          plan = RestorePlan.of(checkpoint, config.keyGroups(), graph.operatorIds().values());
        }
        launch(plan);
      } catch (RuntimeException e) {
        e.addSuppressed(error);
        finish(e);
      }
    });
  }

  private void finish(Throwable error) {
    closeCoordinator();
    if (error == null && coordinator != null) {
      coordinator.discardCheckpoints();
    }
    if (error == null) {
      completion.complete(null);
    } else {
      completion.completeExceptionally(error);
    }
  }

  private void closeCoordinator() {
    if (coordinator != null) {
      coordinator.close();
    }
  }

  /** Completes when the job has ended for good; exceptionally with the failure that ended it. */
  @Override
  public CompletableFuture<Void> completion() {
    return completion;
  }

  /** Stops the job (no restart follows); it then ends with a {@link JobCancelledException}. */
  @Override
  public void cancel() {
    JobExecution current;
    synchronized (this) {
      stopping = true;
      current = attempt;
    }
    current.cancel();
  }

  /**
   * Takes a savepoint (a checkpoint the job never deletes), then stops the job: for an upgrade,
   * restart the new version with {@code --restoreFrom} the returned directory.
   *
   * @throws IllegalStateException if the job takes no checkpoints, or the savepoint failed (the
   *     job then runs on)
   */
  @Override
  public Path stopWithSavepoint(Duration timeout) throws InterruptedException {
    if (coordinator == null) {
      throw new IllegalStateException("job " + graph.name() + " takes no checkpoints: set --checkpointingInterval");
    }
    CompletedCheckpoint taken;
    try {
      taken = coordinator.trigger(true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("savepoint of job " + graph.name() + " failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("savepoint of job " + graph.name() + " not complete within " + timeout, e);
    }
    savepoint = taken.directory();
    LOG.info("Job {} stops after savepoint {}", graph.name(), savepoint);
    cancel();
    return savepoint;
  }

  /** Where the job's savepoint is, if it was stopped with one; else null. */
  @Override
  public Path savepoint() {
    return savepoint;
  }

  /** The job's checkpoint figures; null without checkpointing. */
  @Override
  public CheckpointStats.Summary checkpointStats() {
    return coordinator == null ? null : coordinator.stats().summary();
  }

  /** The job's checkpoint root; null without checkpointing. */
  public Path checkpointRoot() {
    return coordinator == null ? null : coordinator.root();
  }

  @Override
  public String name() {
    return graph.name();
  }
}
