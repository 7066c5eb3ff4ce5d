package io.sluice.execution.checkpoint;

import java.nio.file.Path;

/**
 * How a job takes checkpoints: every {@code intervalMillis}, each declined if not complete within
 * {@code timeoutMillis}, at least {@code minPauseMillis} after the previous one ended, into {@code
 * directory} (the job's root there), keeping the latest {@code retained} complete ones.
 */
public record CheckpointSettings(
    long intervalMillis, long timeoutMillis, long minPauseMillis, int retained, Path directory) {

  public CheckpointSettings {
    if (intervalMillis < 1) {
      throw new IllegalArgumentException("checkpointing interval must be at least 1 ms, got " + intervalMillis);
    }
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("checkpoint timeout must be at least 1 ms, got " + timeoutMillis);
    }
    if (minPauseMillis < 0) {
      throw new IllegalArgumentException("minimum pause between checkpoints must be >= 0, got " + minPauseMillis);
    }
    if (retained < 1) {
      throw new IllegalArgumentException("retained checkpoints must be at least 1, got " + retained);
    }
  }
}
