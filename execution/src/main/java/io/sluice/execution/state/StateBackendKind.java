package io.sluice.execution.state;

import java.nio.file.Path;

/** The keyed state backends the engine offers. */
public enum StateBackendKind {
  /** Sorted maps on the heap: fastest, bounded by the heap. */
  HEAP {
    @Override
    public KeyedStores open(Path directory, long memoryBytes) {
      return new HeapKeyedStores();
    }
  },
  /** An embedded RocksDB per operator and subtask: state may outgrow the heap. */
  ROCKSDB {
    @Override
    public KeyedStores open(Path directory, long memoryBytes) {
      return RocksDbBackend.open(directory, memoryBytes);
    }
  };

  /**
   * Opens the stores of one operator in one subtask. {@code directory} is private to it and removed
   * when the job ends; {@code memoryBytes} bounds the off-heap caches of a disk backend.
   */
  public abstract KeyedStores open(Path directory, long memoryBytes);
}
