package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.InputGate;
import io.sluice.execution.checkpoint.OperatorRestore;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.Output;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.Quiescence;
import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.KeyedStores;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StateBackendKind;
import io.sluice.execution.state.StoreLayout;
import io.sluice.execution.state.StoresSnapshot;
import java.nio.file.Path;
import java.util.List;

/** What the engine gives one operator of one subtask; called on the subtask's thread only. */
final class SubtaskContext implements OperatorContext {

  /** Operator stores live in the backend beside the keyed ones, under names no keyed store has. */
  private static final String OPERATOR_STORE_PREFIX = "operator/";

  private final TaskEnvironment env;
  private final Subtask subtask;
  private final ChainedOperator operator;
  private final Output output;
  private final ProcessingTimeService time;
  private final InputGate gate;
  /** The gates of the subtasks that feed this one over channels: whether they have settled. */
  private final List<InputGate> feederGates;
  /** When the feeders in other processes were last settled: shared with the subtask's loop. */
  private final SettledMarks remoteFeeders;
  /** Made on first use: derived, removed with the job. */
  private Path spillDirectory;
  /** Opened on first use; durable while the job lives, closed with the subtask. */
  private KeyedStores stores;
  /** What this instance restores from a checkpoint, or null; set before the operator opens. */
  private OperatorRestore restored;
  /** Synchronized processing time on the system clock: derived, advances while the subtask lives. */
  private long synchronizedTime;

  SubtaskContext(TaskEnvironment env, Subtask subtask, ChainedOperator operator, Output output,
      ProcessingTimeService time, InputGate gate, List<InputGate> feederGates, SettledMarks remoteFeeders) {
    this.env = env;
    this.subtask = subtask;
    this.operator = operator;
    this.output = output;
    this.time = time;
    this.gate = gate;
    this.feederGates = feederGates;
    this.remoteFeeders = remoteFeeders;
    this.synchronizedTime = env.startMillis();
  }

  @Override
  public String vertexName() {
    return subtask.vertex().name();
  }

  @Override
  public String operatorName() {
    return operator.node().name();
  }

  @Override
  public int subtaskIndex() {
    return subtask.index();
  }

  @Override
  public int parallelism() {
    return subtask.vertex().parallelism();
  }

  @Override
  public Output output() {
    return output;
  }

  @Override
  public Path spillDirectory() {
    if (spillDirectory == null) {
      spillDirectory = env.spillDirectory(directoryName());
    }
    return spillDirectory;
  }

  private String directoryName() {
    return subtask.vertex().id() + "-" + operator.node().index() + "-" + subtask.index();
  }

  @Override
  public <T> T jobResource(Class<T> type) {
    return env.config().jobResource(type);
  }

  @Override
  public long memoryBudgetBytes() {
    return env.config().operatorMemoryBudgetBytes();
  }

  @Override
  public KeyGroups keyGroups() {
    return env.keyGroups();
  }

  @Override
  public KeyedStores keyedStores() {
    if (stores == null) {
      ExecutionConfig config = env.config();
      // Operator state alone is small (as in Flink, it lives on the heap whatever the backend): a
      // RocksDB instance per source or stateless step would cost every checkpoint a flush.
      StateBackendKind backend = env.graph().isKeyed(operator.node()) ? config.stateBackend() : StateBackendKind.HEAP;
      stores = restored != null && restored.stores() != null
          ? backend.restore(env.stateDirectory(directoryName()), config.stateMemoryBytes(), restored.stores())
          : backend.open(env.stateDirectory(directoryName()), config.stateMemoryBytes());
    }
    return stores;
  }

  @Override
  public SortedByteStore operatorStore(String name, StoreLayout layout) {
    return keyedStores().store(OPERATOR_STORE_PREFIX + name, layout);
  }

  void restoreFrom(OperatorRestore restore) {
    this.restored = restore;
  }

  OperatorRestore restored() {
    return restored;
  }

  /**
   * The synchronous snapshot of this instance's stores; null if it never opened any (nor restored
   * any), so it has no state.
   */
  StoresSnapshot snapshotStores(long checkpointId) {
    if (stores == null && restored != null && restored.stores() != null) {
      keyedStores();
    }
    return stores == null ? null : stores.snapshot(checkpointId);
  }

  void storesCheckpointComplete(long checkpointId) {
    if (stores != null) {
      stores.checkpointComplete(checkpointId);
    }
  }

  void closeStores() {
    if (stores != null) {
      stores.close();
      stores = null;
    }
  }

  @Override
  public long processingTime() {
    return time.now(operator);
  }

  @Override
  public void scheduleProcessingTime(long at) {
    time.schedule(operator, at);
  }

  @Override
  public ProcessingTimeMode processingTimeMode() {
    return env.config().processingTimeMode();
  }

  @Override
  public boolean isQuiescent() {
    Quiescence quiescence = env.quiescence();
    if (quiescence == null) {
      throw new IllegalStateException("quiescence is tracked only with in-band processing time");
    }
    return quiescence.isQuiescent();
  }

  @Override
  public long synchronizedProcessingTime() {
    if (processingTimeMode() == ProcessingTimeMode.IN_BAND) {
      return processingTime();
    }
    if (upstreamSettled()) {
      long upTo = Math.min(System.currentTimeMillis(), remoteFeeders.bound());
      synchronizedTime = Math.max(synchronizedTime, upTo);
    }
    return synchronizedTime;
  }

  private boolean upstreamSettled() {
    if (!gate.isSettled()) {
      return false;
    }
    for (InputGate feeder : feederGates) {
      if (!feeder.isSettled()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean checkpointsEnabled() {
    return env.config().checkpointing() != null;
  }

  @Override
  public boolean shouldYield() {
    return subtask.shouldYield();
  }

  @Override
  public void flushOutputs() throws InterruptedException {
    subtask.flushOutputs();
  }

  @Override
  public boolean isCancelled() {
    return env.isCancelled();
  }
}
