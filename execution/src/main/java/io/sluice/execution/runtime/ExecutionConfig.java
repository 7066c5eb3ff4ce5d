package io.sluice.execution.runtime;

import io.sluice.execution.checkpoint.CheckpointSettings;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.StateBackendKind;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** How the engine runs a job: channel sizes, memory budgets, where to spill, which state backend. */
public final class ExecutionConfig {

  private int channelCapacityFrames = 8;
  private KeyGroups keyGroups = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM);
  private int batchSize = 256;
  private long operatorMemoryBudgetBytes = 64L << 20;
  private Path spillDirectory = Paths.get(System.getProperty("java.io.tmpdir"));
  private StateBackendKind stateBackend = StateBackendKind.HEAP;
  private Path stateDirectory = Paths.get(System.getProperty("java.io.tmpdir"));
  private long stateMemoryBytes = 64L << 20;
  private ProcessingTimeMode processingTimeMode = ProcessingTimeMode.SYSTEM_CLOCK;
  private Duration progressInterval = Duration.ofSeconds(30);
  private CheckpointSettings checkpointing;
  private int restartAttempts = -1;
  private long restartDelayMillis = 1000;
  private Path restoreFrom;
  /**
   * What the runner gives every operator of the job, by type (for Beam: its metrics): each process
   * that runs a part of the job has its own copy, shipped apart from the graph.
   */
  private final Map<Class<?>, Object> jobResources = new HashMap<>();

  public int channelCapacityFrames() {
    return channelCapacityFrames;
  }

  /**
   * Frames one input channel (from one producing subtask, over one edge) holds before its producer
   * blocks; rounded up to a power of two.
   */
  public ExecutionConfig channelCapacityFrames(int frames) {
    if (frames < 1) {
      throw new IllegalArgumentException("channel capacity must be >= 1 frame: " + frames);
    }
    this.channelCapacityFrames = frames;
    return this;
  }

  /** The job's key groups: their number is the maximum parallelism. */
  public KeyGroups keyGroups() {
    return keyGroups;
  }

  /**
   * The number of key groups, fixed for the life of a job (state restored at another parallelism
   * must meet its keys), and so the highest parallelism any vertex may have.
   */
  public ExecutionConfig maxParallelism(int keyGroups) {
    this.keyGroups = new KeyGroups(keyGroups);
    return this;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Records per frame. */
  public ExecutionConfig batchSize(int records) {
    if (records < 1) {
      throw new IllegalArgumentException("batch size must be >= 1 record: " + records);
    }
    this.batchSize = records;
    return this;
  }

  public long operatorMemoryBudgetBytes() {
    return operatorMemoryBudgetBytes;
  }

  /** Heap bytes one buffering operator (a grouping, a sort) may hold before it spills to disk. */
  public ExecutionConfig operatorMemoryBudgetBytes(long bytes) {
    if (bytes < 1024) {
      throw new IllegalArgumentException("operator memory budget must be >= 1 KiB: " + bytes);
    }
    this.operatorMemoryBudgetBytes = bytes;
    return this;
  }

  public Path spillDirectory() {
    return spillDirectory;
  }

  /** Where a job makes its private directory for spill files. */
  public ExecutionConfig spillDirectory(Path directory) {
    this.spillDirectory = directory;
    return this;
  }

  public StateBackendKind stateBackend() {
    return stateBackend;
  }

  public ExecutionConfig stateBackend(StateBackendKind kind) {
    this.stateBackend = kind;
    return this;
  }

  public Path stateDirectory() {
    return stateDirectory;
  }

  /** Where a job makes its private directory for keyed state files. */
  public ExecutionConfig stateDirectory(Path directory) {
    this.stateDirectory = directory;
    return this;
  }

  public long stateMemoryBytes() {
    return stateMemoryBytes;
  }

  /** Off-heap bytes (caches, write buffers) the keyed state store of one operator instance may use. */
  public ExecutionConfig stateMemoryBytes(long bytes) {
    if (bytes < (1L << 20)) {
      throw new IllegalArgumentException("state memory must be >= 1 MiB: " + bytes);
    }
    this.stateMemoryBytes = bytes;
    return this;
  }

  public ProcessingTimeMode processingTimeMode() {
    return processingTimeMode;
  }

  public ExecutionConfig processingTimeMode(ProcessingTimeMode mode) {
    this.processingTimeMode = mode;
    return this;
  }

  public Duration progressInterval() {
    return progressInterval;
  }

  /** How often a running job logs its progress. */
  public ExecutionConfig progressInterval(Duration interval) {
    this.progressInterval = interval;
    return this;
  }

  /** How the job takes checkpoints; null (the default) when it takes none. */
  public CheckpointSettings checkpointing() {
    return checkpointing;
  }

  public ExecutionConfig checkpointing(CheckpointSettings settings) {
    this.checkpointing = settings;
    return this;
  }

  /**
   * How often a failed job is restarted (from its latest checkpoint) before it ends failed: the
   * setting, or when unset (-1) 3 with checkpointing and 0 without, as a job without checkpoints
   * could only start over.
   */
  public int restartAttempts() {
    return restartAttempts >= 0 ? restartAttempts : checkpointing != null ? 3 : 0;
  }

  public ExecutionConfig restartAttempts(int attempts) {
    if (attempts < -1) {
      throw new IllegalArgumentException("restart attempts must be >= 0 (or -1 for the default): " + attempts);
    }
    this.restartAttempts = attempts;
    return this;
  }

  /** The delay before the first restart; each further consecutive restart waits twice as long, up to a minute. */
  public long restartDelayMillis() {
    return restartDelayMillis;
  }

  public ExecutionConfig restartDelayMillis(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("restart delay must be >= 0 ms: " + millis);
    }
    this.restartDelayMillis = millis;
    return this;
  }

  /** A checkpoint directory, or a job's checkpoint root, to restore the job's state from; null: none. */
  public Path restoreFrom() {
    return restoreFrom;
  }

  public ExecutionConfig restoreFrom(Path path) {
    this.restoreFrom = path;
    return this;
  }

  /** Gives every operator of the job {@code resource} as its {@code type}. */
  public <T> ExecutionConfig jobResource(Class<T> type, T resource) {
    jobResources.put(type, java.util.Objects.requireNonNull(resource, "resource"));
    return this;
  }

  /** Every resource of the job, by type: what a cluster ships to the processes that run it. */
  public Map<Class<?>, Object> jobResources() {
    return java.util.Collections.unmodifiableMap(jobResources);
  }

  /** The job's resource of {@code type}; fails if the runner gave none. */
  public <T> T jobResource(Class<T> type) {
    Object resource = jobResources.get(type);
    if (resource == null) {
      throw new IllegalStateException("the job has no resource of type " + type.getName());
    }
    return type.cast(resource);
  }
}
