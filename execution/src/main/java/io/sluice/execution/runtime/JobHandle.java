package io.sluice.execution.runtime;

import io.sluice.execution.checkpoint.CheckpointStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A submitted job as its client sees it, wherever it runs: in this process or on a cluster. */
public interface JobHandle {

  /** Completes when the job has ended for good; exceptionally with the failure that ended it. */
  CompletableFuture<Void> completion();

  /** Stops the job (no restart follows); it then ends with a {@link JobCancelledException}. */
  void cancel();

  /**
   * Takes a savepoint, then stops the job.
   *
   * @throws IllegalStateException if the job takes no checkpoints or the savepoint failed
   */
  Path stopWithSavepoint(Duration timeout) throws InterruptedException;

  /** Where the job's savepoint is, if it was stopped with one; else null. */
  Path savepoint();

  /** The job's checkpoint figures; null without checkpointing. */
  CheckpointStats.Summary checkpointStats();

  String name();
}
