package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * An ordered list as one entry per element under {@code cell | ENTRIES | timestamp | sequence}:
 * the store's key order is timestamp order, so a timestamp range is a key range, and the sequence
 * lets elements with equal timestamps coexist in insertion order.
 */
final class BinaryOrderedListState<T> extends StoreCell implements OrderedListState<T> {

  private final Coder<T> elemCoder;
  private final byte[] entries;

  BinaryOrderedListState(SortedByteStore store, byte[] cell, Coder<T> elemCoder) {
    super(store, cell);
    this.elemCoder = elemCoder;
    this.entries = StateKeys.concat(cell, StateKeys.ENTRIES);
  }

  /** The smallest store key of any element at or after {@code t}. */
  private byte[] bound(Instant t) {
    return StateKeys.concat(entries, StateKeys.timestampBytes(t));
  }

  private TimestampedValue<T> decodeEntry(byte[] key, byte[] value) {
    return TimestampedValue.of(decode(elemCoder, value), StateKeys.timestampAt(key, entries.length));
  }

  @Override
  public void add(TimestampedValue<T> value) {
    byte[] key = new byte[entries.length + 16];
    System.arraycopy(entries, 0, key, 0, entries.length);
    StateKeys.putTimestamp(key, entries.length, value.getTimestamp());
    StateKeys.putLong(key, entries.length + 8, nextSequence());
    store.put(key, encode(elemCoder, value.getValue()));
  }

  @Override
  public Iterable<TimestampedValue<T>> read() {
    return collect(entries, this::decodeEntry);
  }

  @Override
  public Iterable<TimestampedValue<T>> readRange(Instant minTimestamp, Instant limitTimestamp) {
    if (!minTimestamp.isBefore(limitTimestamp)) {
      return Collections.emptyList();
    }
    List<TimestampedValue<T>> out = new ArrayList<>();
    try (SortedByteStore.Cursor c = store.range(bound(minTimestamp), bound(limitTimestamp))) {
      while (c.hasNext()) {
        Map.Entry<byte[], byte[]> e = c.next();
        out.add(decodeEntry(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  @Override
  public void clearRange(Instant minTimestamp, Instant limitTimestamp) {
    if (!minTimestamp.isBefore(limitTimestamp)) {
      return;
    }
    // Keys are gathered first: a cursor need not tolerate deletes while it is open.
    List<byte[]> doomed = new ArrayList<>();
    try (SortedByteStore.Cursor c = store.range(bound(minTimestamp), bound(limitTimestamp))) {
      while (c.hasNext()) {
        doomed.add(c.next().getKey());
      }
    }
    if (!doomed.isEmpty()) {
      doomed.forEach(store::delete);
      dropCounterIfEmpty(entries);
    }
  }

  @Override
  public OrderedListState<T> readRangeLater(Instant minTimestamp, Instant limitTimestamp) {
    return this;
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return deferred(() -> !hasEntries(entries));
  }

  @Override
  public OrderedListState<T> readLater() {
    return this;
  }

  @Override
  public void clear() {
    store.deletePrefix(cell);
  }
}
