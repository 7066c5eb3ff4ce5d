package io.sluice.execution.state;

/**
 * Keyed state of one operator in one subtask. Keys are the encoded bytes of the user's key; what
 * the state of a key looks like ({@code S}) is the operator's choice, the backend decides where it
 * lives. The heap backend keeps {@code S} objects; a disk backend hands out views over its store.
 */
public interface KeyedStateBackend<S> extends AutoCloseable {

  /** The state of {@code key}, created on first access. */
  S state(byte[] key);

  /** Forgets everything stored for {@code key}. */
  void drop(byte[] key);

  /** The keys that have state, in no particular order. */
  Iterable<byte[]> keys();

  @Override
  void close();
}
