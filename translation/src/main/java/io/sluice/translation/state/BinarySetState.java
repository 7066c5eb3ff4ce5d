package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.ReadableStates;
import org.apache.beam.sdk.state.SetState;

/**
 * A set as one empty-valued entry per element under {@code cell | encoded element}: membership is
 * equality of encodings, which is what Beam's deterministic element coders promise.
 */
final class BinarySetState<T> extends StoreCell implements SetState<T> {

  private final Coder<T> elemCoder;

  BinarySetState(SortedByteStore store, byte[] cell, Coder<T> elemCoder) {
    super(store, cell);
    this.elemCoder = elemCoder;
  }

  private byte[] elementKey(T element) {
    return StateKeys.concat(cell, encode(elemCoder, element));
  }

  @Override
  public void add(T value) {
    store.put(elementKey(value), StateKeys.EMPTY);
  }

  @Override
  public ReadableState<Boolean> addIfAbsent(T t) {
    byte[] key = elementKey(t);
    boolean absent = store.get(key) == null;
    if (absent) {
      store.put(key, StateKeys.EMPTY);
    }
    return ReadableStates.immediate(absent);
  }

  /**
   * Answers as of this call, not as of the later read: runners-core's StateInternalsTest expects
   * an element added in between not to show (testSetReadable), matching the in-memory reference.
   */
  @Override
  public ReadableState<Boolean> contains(T t) {
    return ReadableStates.immediate(store.get(elementKey(t)) != null);
  }

  @Override
  public void remove(T t) {
    store.delete(elementKey(t));
  }

  @Override
  public Iterable<T> read() {
    return collect(cell, (k, v) -> decodeSuffix(elemCoder, k, cell.length));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return deferred(() -> !hasEntries(cell));
  }

  @Override
  public SetState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    store.deletePrefix(cell);
  }
}
