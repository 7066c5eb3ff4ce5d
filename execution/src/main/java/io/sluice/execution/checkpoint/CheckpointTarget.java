package io.sluice.execution.checkpoint;

import java.util.concurrent.CompletableFuture;

/** The running job attempt a coordinator checkpoints. */
public interface CheckpointTarget {

  /**
   * Starts checkpoint {@code checkpointId} at the sources; completes when every subtask took its
   * part (or ended), with their synchronous snapshots.
   */
  CompletableFuture<TakenCheckpoint> triggerCheckpoint(long checkpointId);

  /** The checkpoint was declined: subtasks still owing their part owe nothing. */
  void abortCheckpoint(long checkpointId);

  /**
   * True once every subtask has ended and none failed: a checkpoint still being written can no
   * longer matter, and the files it reads may be gone.
   */
  boolean hasFinished();

  /** The checkpoint is complete and durable: every operator instance may act on it. */
  void notifyCheckpointComplete(long checkpointId);
}
