package io.sluice.execution.state;

/**
 * The keyed state storage of one operator in one subtask: named, independent sorted byte stores
 * (state, timers), all released by {@link #close}.
 */
public interface KeyedStores extends AutoCloseable {

  /** The store called {@code name}, created empty on first use. */
  SortedByteStore store(String name);

  /** Releases every store and whatever files back them. */
  @Override
  void close();
}
