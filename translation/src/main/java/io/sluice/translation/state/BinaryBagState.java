package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.ReadableState;

/**
 * A bag as one entry per element under {@code cell | ENTRIES | sequence}, so that adding writes
 * one entry and never reads the elements already there; the sequence also keeps insertion order.
 */
final class BinaryBagState<T> extends StoreCell implements BagState<T> {

  private final Coder<T> elemCoder;
  private final byte[] entries;

  BinaryBagState(SortedByteStore store, byte[] cell, Coder<T> elemCoder) {
    super(store, cell);
    this.elemCoder = elemCoder;
    this.entries = StateKeys.concat(cell, StateKeys.ENTRIES);
  }

  @Override
  public void add(T value) {
    store.put(StateKeys.concat(entries, StateKeys.longBytes(nextSequence())), encode(elemCoder, value));
  }

  @Override
  public Iterable<T> read() {
    return collect(entries, (k, v) -> decode(elemCoder, v));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return deferred(() -> !hasEntries(entries));
  }

  @Override
  public BagState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    store.deletePrefix(cell);
  }
}
