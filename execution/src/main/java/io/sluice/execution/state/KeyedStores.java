package io.sluice.execution.state;

/**
 * The state storage of one operator in one subtask: named, independent sorted byte stores (keyed
 * state, timers, operator state), snapshotted together for checkpoints and all released by {@link
 * #close}.
 */
public interface KeyedStores extends AutoCloseable {

  /** The keyed store called {@code name} ({@link StoreLayout#KEYED}), created empty on first use. */
  default SortedByteStore store(String name) {
    return store(name, StoreLayout.KEYED);
  }

  /**
   * The store called {@code name}, created empty on first use (or as restored), whose entries are
   * laid out as {@code layout} says.
   *
   * @throws IllegalArgumentException if the store exists with another layout
   */
  SortedByteStore store(String name, StoreLayout layout);

  /**
   * The synchronous part of a checkpoint, on the subtask's thread: a consistent view of every store
   * as it is now, which later writes do not change. The snapshot writes it off this thread.
   */
  StoresSnapshot snapshot(long checkpointId);

  /** Checkpoint {@code checkpointId} is complete: files it holds may be referenced by later ones. */
  default void checkpointComplete(long checkpointId) {}

  /** Releases every store and whatever files back them. */
  @Override
  void close();
}
