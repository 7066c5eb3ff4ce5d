package io.sluice.runner;

import io.sluice.execution.checkpoint.CheckpointSettings;
import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.StateBackendKind;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * The values a job runs with, read from {@link SluicePipelineOptions}: an option shared with
 * another runner keeps that runner's type and default, so "unset" and the shared meanings are read
 * here, in one place, and bad values are refused with the option's name.
 */
final class OptionValues {

  private OptionValues() {}

  /**
   * Subtasks per stage: the cores when unset or -1 (the FlinkRunner's "default"), but no more than
   * the maximum parallelism; an explicit value above it is refused.
   */
  static int parallelism(SluicePipelineOptions options) {
    Integer parallelism = options.getParallelism();
    int max = maxParallelism(options);
    if (parallelism == null || parallelism == -1) {
      return Math.min(Runtime.getRuntime().availableProcessors(), max);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be at least 1 (or -1 for the number of cores), got "
          + parallelism);
    }
    if (parallelism > max) {
      throw new IllegalArgumentException("--parallelism " + parallelism + " is above --maxParallelism " + max
          + " (the number of key groups, which bounds every stage's parallelism): raise --maxParallelism (at most "
          + KeyGroups.UPPER_BOUND + ") or lower --parallelism");
    }
    return parallelism;
  }

  /** Key groups, and so the highest parallelism: 128 when unset or -1 (the FlinkRunner's "default"). */
  static int maxParallelism(SluicePipelineOptions options) {
    Integer max = options.getMaxParallelism();
    if (max == null || max == -1) {
      return KeyGroups.DEFAULT_MAX_PARALLELISM;
    }
    if (max < 1 || max > KeyGroups.UPPER_BOUND) {
      throw new IllegalArgumentException("--maxParallelism must be between 1 and " + KeyGroups.UPPER_BOUND
          + " (or -1 for " + KeyGroups.DEFAULT_MAX_PARALLELISM + "), got " + max);
    }
    return max;
  }

  static int maxBundleSize(SluicePipelineOptions options) {
    Integer size = options.getMaxElementsPerBundle();
    if (size == null || size < 1) {
      throw new IllegalArgumentException("--maxElementsPerBundle must be at least 1, got " + size);
    }
    return size;
  }

  /** RocksDB unless asked otherwise; the FlinkRunner's heap backends' names mean Sluice's heap backend. */
  static StateBackendKind stateBackend(SluicePipelineOptions options) {
    String name = options.getStateBackend();
    if (name == null) {
      return StateBackendKind.ROCKSDB;
    }
    switch (name.toLowerCase(Locale.ROOT)) {
      case "rocksdb":
        return StateBackendKind.ROCKSDB;
      case "heap":
      case "hashmap":
      case "filesystem":
        return StateBackendKind.HEAP;
      default:
        throw new IllegalArgumentException(
            "--stateBackend must be 'rocksdb' or 'heap' ('hashmap' and 'filesystem' mean heap), got '" + name + "'");
    }
  }

  /** How the job takes checkpoints, or null if --checkpointingInterval is unset or -1. */
  static CheckpointSettings checkpointing(SluicePipelineOptions options) {
    Long interval = options.getCheckpointingInterval();
    if (interval == null || interval == -1) {
      return null;
    }
    if (interval < 1) {
      throw new IllegalArgumentException("--checkpointingInterval must be at least 1 ms (or -1 for none), got " + interval);
    }
    long timeout = orDefault(options.getCheckpointTimeoutMillis(), 600_000L, "--checkpointTimeoutMillis", 1);
    long minPause = orDefault(options.getMinPauseBetweenCheckpoints(), 0L, "--minPauseBetweenCheckpoints", 0);
    if (options.getRetainedCheckpoints() < 1) {
      throw new IllegalArgumentException("--retainedCheckpoints must be at least 1, got " + options.getRetainedCheckpoints());
    }
    return new CheckpointSettings(interval, timeout, minPause, options.getRetainedCheckpoints(),
        Paths.get(options.getCheckpointDir()));
  }

  /** Restarts after a failure: -1 (unset) is left to the engine's default (3 with checkpoints, else 0). */
  static int restartAttempts(SluicePipelineOptions options) {
    Integer retries = options.getNumberOfExecutionRetries();
    if (retries == null || retries == -1) {
      return -1;
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--numberOfExecutionRetries must be >= 0 (or -1 for the default), got " + retries);
    }
    return retries;
  }

  static long restartDelayMillis(SluicePipelineOptions options) {
    return orDefault(options.getExecutionRetryDelay(), 1000L, "--executionRetryDelay", 0);
  }

  /** The checkpoint to restore, or null. */
  static Path restoreFrom(SluicePipelineOptions options) {
    String path = options.getRestoreFrom();
    return path == null || path.isEmpty() ? null : Paths.get(path);
  }

  private static long orDefault(Long value, long byDefault, String option, long min) {
    if (value == null || value == -1) {
      return byDefault;
    }
    if (value < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + " (or -1 for the default), got " + value);
    }
    return value;
  }
}
