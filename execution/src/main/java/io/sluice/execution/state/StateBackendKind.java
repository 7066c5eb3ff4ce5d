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

    @Override
    public KeyedStores restore(Path directory, long memoryBytes, StateRestore restore) {
      return HeapKeyedStores.restore(restore, directory);
    }

    @Override
    void readEntries(RestoredPart part, Path scratch, HeapSnapshotFormat.EntrySink sink) {
      try {
        HeapSnapshotFormat.read(part.location(part.files().get(0)), sink);
      } catch (java.io.IOException e) {
        throw new StateStoreException("cannot read heap state snapshot " + part.files().get(0).getPath() + ": " + e, e);
      }
    }
  },
  /** An embedded RocksDB per operator and subtask: state may outgrow the heap. */
  ROCKSDB {
    @Override
    public KeyedStores open(Path directory, long memoryBytes) {
      return RocksDbBackend.open(directory, memoryBytes);
    }

    @Override
    public KeyedStores restore(Path directory, long memoryBytes, StateRestore restore) {
      return RocksDbBackend.restore(directory, memoryBytes, restore);
    }

    @Override
    void readEntries(RestoredPart part, Path scratch, HeapSnapshotFormat.EntrySink sink) {
      RocksDbBackend.readEntries(part, scratch, sink);
    }
  };

  /**
   * Opens the stores of one operator in one subtask. {@code directory} is private to it and removed
   * when the job ends; {@code memoryBytes} bounds the off-heap caches of a disk backend.
   */
  public abstract KeyedStores open(Path directory, long memoryBytes);

  /**
   * Opens the stores of one operator in one subtask with what {@code restore} says belongs to it,
   * whichever backend wrote the snapshots.
   */
  public abstract KeyedStores restore(Path directory, long memoryBytes, StateRestore restore);

  /** Reads every entry of a snapshot this backend wrote; {@code scratch} is an empty directory to use. */
  abstract void readEntries(RestoredPart part, Path scratch, HeapSnapshotFormat.EntrySink sink);

  /** The backend called {@code name} in a checkpoint's metadata. */
  public static StateBackendKind of(String name) {
    return valueOf(name);
  }
}
