package io.sluice.translation.operators;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.Output;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.state.HeapByteStore;
import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.KeyedStores;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StoreLayout;
import io.sluice.execution.state.StoresSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one operator outside a job, on heap stores that a test can copy: a copy taken right after
 * {@code snapshotState} is what a checkpoint of the backend holds, and a harness made from it is the
 * operator's subtask after a restore. Records what the operator emits.
 */
public final class OperatorHarness implements OperatorContext, Output {

  private static final KeyGroups KEY_GROUPS = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM);

  private final Map<String, HeapByteStore> stores;
  public final List<Object> records = new ArrayList<>();
  public final List<Long> watermarks = new ArrayList<>();
  private long processingTime;

  public OperatorHarness() {
    this(new LinkedHashMap<>());
  }

  private OperatorHarness(Map<String, HeapByteStore> stores) {
    this.stores = stores;
  }

  /** A copy of every store as it is now: what a checkpoint of the backend holds. */
  public Map<String, HeapByteStore> copyStores() {
    Map<String, HeapByteStore> copy = new LinkedHashMap<>();
    stores.forEach((name, store) -> {
      HeapByteStore c = new HeapByteStore();
      try (SortedByteStore.Cursor cursor = store.scan(new byte[0])) {
        while (cursor.hasNext()) {
          Map.Entry<byte[], byte[]> e = cursor.next();
          c.put(e.getKey(), e.getValue());
        }
      }
      copy.put(name, c);
    });
    return copy;
  }

  /** A harness whose backend holds {@code checkpoint}, as a restored subtask's does. */
  public static OperatorHarness restoredFrom(Map<String, HeapByteStore> checkpoint) {
    return new OperatorHarness(checkpoint);
  }

  @Override
  public void emit(int outputPort, Object record) {
    records.add(record);
  }

  @Override
  public void emitWatermark(long watermark) {
    watermarks.add(watermark);
  }

  @Override
  public void emitProcessingTime(long time) {}

  @Override
  public String vertexName() {
    return "v";
  }

  @Override
  public String operatorName() {
    return "op";
  }

  @Override
  public int subtaskIndex() {
    return 0;
  }

  @Override
  public int parallelism() {
    return 1;
  }

  @Override
  public Output output() {
    return this;
  }

  @Override
  public Path spillDirectory() {
    throw new UnsupportedOperationException("no spilling in the harness");
  }

  /** The job's resources, as a runner would give them: the job's metrics and nothing else. */
  public final io.sluice.translation.metrics.JobMetrics metrics = new io.sluice.translation.metrics.JobMetrics();

  @Override
  public <T> T jobResource(Class<T> type) {
    if (type == io.sluice.translation.metrics.JobMetrics.class) {
      return type.cast(metrics);
    }
    throw new IllegalStateException("the harness has no resource of type " + type.getName());
  }

  @Override
  public long memoryBudgetBytes() {
    return 64L << 20;
  }

  @Override
  public KeyGroups keyGroups() {
    return KEY_GROUPS;
  }

  @Override
  public KeyedStores keyedStores() {
    return new KeyedStores() {
      @Override
      public SortedByteStore store(String name, StoreLayout layout) {
        return stores.computeIfAbsent(name, n -> new HeapByteStore());
      }

      @Override
      public StoresSnapshot snapshot(long checkpointId) {
        throw new UnsupportedOperationException("the harness copies its stores instead");
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public SortedByteStore operatorStore(String name, StoreLayout layout) {
    return keyedStores().store("operator/" + name, layout);
  }

  @Override
  public boolean checkpointsEnabled() {
    return true;
  }

  @Override
  public long processingTime() {
    return processingTime;
  }

  @Override
  public void scheduleProcessingTime(long time) {}

  @Override
  public ProcessingTimeMode processingTimeMode() {
    return ProcessingTimeMode.SYSTEM_CLOCK;
  }

  @Override
  public boolean isQuiescent() {
    return true;
  }

  @Override
  public long synchronizedProcessingTime() {
    return processingTime;
  }

  @Override
  public void flushOutputs() {
    // Outputs are collected as they are emitted: nothing is buffered.
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public boolean shouldYield() {
    return false;
  }
}
