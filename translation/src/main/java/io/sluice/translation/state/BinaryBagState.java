package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import java.util.function.LongSupplier;
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
  private final LongSupplier appendSequence;

  /**
   * @param appendSequence increasing numbers shared by every bag of the store, so that adding
   *     reads nothing at all; null to keep a counter per bag (one read and one write more per add)
   */
  BinaryBagState(SortedByteStore store, byte[] cell, Coder<T> elemCoder, LongSupplier appendSequence) {
    super(store, cell);
    this.elemCoder = elemCoder;
    this.entries = StateKeys.concat(cell, StateKeys.ENTRIES);
    this.appendSequence = appendSequence;
  }

  @Override
  public void add(T value) {
    long sequence = appendSequence == null ? nextSequence() : appendSequence.getAsLong();
    store.put(StateKeys.concat(entries, StateKeys.longBytes(sequence)), encode(elemCoder, value));
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
