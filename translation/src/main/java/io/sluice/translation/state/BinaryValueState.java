package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.ValueState;

/** A value stored as one entry at the cell key itself. */
final class BinaryValueState<T> extends StoreCell implements ValueState<T> {

  private final Coder<T> coder;

  BinaryValueState(SortedByteStore store, byte[] cell, Coder<T> coder) {
    super(store, cell);
    this.coder = coder;
  }

  @Override
  public void write(T input) {
    // Most coders cannot encode null, and reading an absent value yields null anyway.
    if (input == null) {
      store.delete(cell);
    } else {
      store.put(cell, encode(coder, input));
    }
  }

  @Override
  public T read() {
    byte[] bytes = store.get(cell);
    return bytes == null ? null : decode(coder, bytes);
  }

  @Override
  public ValueState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    store.delete(cell);
  }
}
