package io.sluice.translation.options;

import io.sluice.execution.checkpoint.CheckpointSettings;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.state.StateBackendKind;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The values of {@link RecoveryOptions} a job runs with: "unset" and the FlinkRunner's shared
 * meanings read in one place, bad values refused with the option's name.
 */
public final class RecoveryOptionValues {

  private static final Logger LOG = LoggerFactory.getLogger(RecoveryOptionValues.class);

  private RecoveryOptionValues() {}

  /** {@code config} with the state backend, checkpoints and restarts {@code options} ask for. */
  public static ExecutionConfig configure(ExecutionConfig config, RecoveryOptions options, boolean streaming) {
    return config.stateBackend(stateBackend(options))
        .checkpointing(checkpointing(options, streaming))
        .restartAttempts(restartAttempts(options))
        .restartDelayMillis(restartDelayMillis(options))
        .restoreFrom(restoreFrom(options));
  }

  /** Refuses bad values before a job is built, naming the option. */
  public static void validate(RecoveryOptions options) {
    stateBackend(options);
    checkpointing(options);
    restartAttempts(options);
    restartDelayMillis(options);
  }

  /**
   * Checkpoints are for streaming jobs: a batch job's operators hold their input whole, so a
   * failed batch job starts over (if restarts are allowed) rather than restore.
   */
  static CheckpointSettings checkpointing(RecoveryOptions options, boolean streaming) {
    CheckpointSettings settings = checkpointing(options);
    if (streaming) {
      return settings;
    }
    if (restoreFrom(options) != null) {
      throw new IllegalArgumentException("--restoreFrom restores a streaming job; this job runs in batch mode"
          + " (pass --streaming=true to run it as a streaming job)");
    }
    if (settings != null) {
      LOG.info("--checkpointingInterval is ignored: this job runs in batch mode, where a failed job starts over");
    }
    return null;
  }

  /** RocksDB unless asked otherwise; the FlinkRunner's heap backends' names mean Sluice's heap backend. */
  public static StateBackendKind stateBackend(RecoveryOptions options) {
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
  public static CheckpointSettings checkpointing(RecoveryOptions options) {
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
  public static int restartAttempts(RecoveryOptions options) {
    Integer retries = options.getNumberOfExecutionRetries();
    if (retries == null || retries == -1) {
      return -1;
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--numberOfExecutionRetries must be >= 0 (or -1 for the default), got " + retries);
    }
    return retries;
  }

  public static long restartDelayMillis(RecoveryOptions options) {
    return orDefault(options.getExecutionRetryDelay(), 1000L, "--executionRetryDelay", 0);
  }

  /** The checkpoint to restore, or null. */
  public static Path restoreFrom(RecoveryOptions options) {
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
